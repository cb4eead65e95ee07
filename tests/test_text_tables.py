"""Text reports give tables the way every loader does: runs of `a | b` lines and Markdown tables, and columns
a hard-wrapped extract separates by spaces; the catalog keeps tables, heading marks and OCR flags; the
upload accepts exactly the loaders' suffixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.catalog import Catalog, IndexedDocument, load_catalog, save_catalog
from index.chunking import chunk_document
from index.loaders import SUPPORTED_SUFFIXES, load_document


def test_a_run_of_pipe_rows_in_a_text_file_is_a_table_with_its_caption(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(
        "一、基本情况\n表1 收支情况\n项目 | 预算 | 支出\n基本支出 | 1,180.85 | 1,112.47\n合计 |  | 1,112.47\n以上为收支情况。\n",
        encoding="utf-8",
    )
    document = load_document(path)
    [table] = document.tables
    assert (table.caption, table.header) == ("表1 收支情况", ("项目", "预算", "支出"))
    assert [r.cells for r in table.rows] == [("基本支出", "1,180.85", "1,112.47"), ("合计", "", "1,112.47")]
    assert document.text[table.start : table.end].split("\n")[0] == "表1 收支情况"


def test_a_markdown_table_is_a_table(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text("## 一、基本情况\n\n| 项目 | 支出 |\n| --- | ---: |\n| 基本支出 | 1,112.47 |\n", encoding="utf-8")
    [table] = load_document(path).tables
    assert table.header == ("项目", "支出") and table.rows[0].cells == ("基本支出", "1,112.47")


EXTRACT = """一、部门概况

（一）部门职责

宁州市生态环境局凤栖分局是宁州市生态环境局在凤栖县设立

的派出机构，统一负责全县行政区域内生态环境保护的监督管理

工作。主要职责有七个方面：一是贯彻落实国家和省、市生态环境

保护方针政策及法律法规，会同县直有关部门编制全县生态环境保

护规划、年度计划并推动实施；二是统筹协调全县重大生态环境问

题，牵头组织突发环境事件应急处置，承担督察反馈问题整改的综

合协调工作，现将有关情况报告如下，请审阅。

附件：2022年度部门整体支出绩效自评表

一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分

产出指标 数量指标 执法检查企业家次 ≥1,200家次 1,286家次 4 4

— 12 —

产出指标 数量指标 专项执法行动 4项 4项 3 3

效益指标 生态效益指标 国省控断面水质达标率 100% 83.33% 5 2.5

总分 100 94.97
"""


def test_columns_separated_by_spaces_in_an_extract_are_rows_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "extract.txt"
    path.write_text(EXTRACT, encoding="utf-8")
    document = load_document(path)
    [table] = document.tables
    assert table.header[-2:] == ("分值", "得分")
    assert table.rows[-2].cells == ("效益指标", "生态效益指标", "国省控断面水质达标率", "100%", "83.33%", "5", "2.5")
    assert table.rows[-1].cells == ("总分", "", "", "", "", "100", "94.97")  # a short row keeps its label first
    lines = document.text.split("\n")
    assert "产出指标 数量指标 专项执法行动 4项 4项 3 3" in lines  # the row as written; the page number is gone
    assert document.text[table.rows[-1].start : table.rows[-1].end] == "总分 100 94.97"
    assert any(line.startswith("宁州市生态环境局凤栖分局是") and line.endswith("请审阅。") for line in lines)
    [row] = [p for p in chunk_document(document) if "国省控断面水质达标率" in p.text]
    assert row.section_path == ("附件：2022年度部门整体支出绩效自评表",)


def test_the_catalog_keeps_tables_heading_marks_and_ocr_flags(tmp_path: Path) -> None:
    from index.models import HeadingMark, PageSpan

    path = tmp_path / "r.txt"
    path.write_text("一、基本情况\n项目 | 支出\n基本支出 | 1,112.47\n", encoding="utf-8")
    document = load_document(path)
    document.headings = [HeadingMark(0, 1)]
    document.pages = [PageSpan(1, 0, len(document.text) + 1, ocr=True)]
    passages = chunk_document(document)
    assert all(p.ocr for p in passages)
    save_catalog(tmp_path / "index", Catalog("c", "fake", "x", [IndexedDocument(document, passages)]))
    again = load_catalog(tmp_path / "index", "c").documents[0]
    assert again.document == document and again.passages == passages


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".xlsx", ".txt", ".md", ".png", ".jpg"])
def test_the_upload_accepts_what_the_loaders_read(suffix: str) -> None:
    from ui.uploads import ALLOWED_SUFFIXES, check_suffix

    assert ALLOWED_SUFFIXES is SUPPORTED_SUFFIXES
    assert check_suffix(f"报告{suffix.upper()}") == suffix


def test_the_upload_refuses_other_files_in_chinese_naming_the_formats() -> None:
    from ui.uploads import UploadError, check_suffix

    with pytest.raises(UploadError) as refused:
        check_suffix("演示.pptx")
    assert refused.value.status == 415
    assert "不支持的文件类型“.pptx”" in refused.value.message and "XLSX" in refused.value.message
