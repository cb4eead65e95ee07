"""Word and Excel reports: merged cells read from the document's grid, heading styles as the outline, each
sheet of a workbook a section with its rows as `cell | …` lines that answer questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.loaders import load_document
from index.models import SECTION_SEPARATOR
from index.structure import parse_outline
from tests.documents import docx_table

SELF_EVALUATION = [
    ["一级指标", "二级指标", "三级指标", "分值", "得分", "扣分原因"],
    ["过程", "资产管理", "资产管理规范性", "3", "2.5", "个别低值设备账实不符，扣0.5分"],
    ["", "", "固定资产利用率", "2", "2", "—"],
    ["", "政府采购", "政府采购规范性", "4", "4", "—"],
    ["合计", "", "", "9", "8.5", "—"],
]
MERGES = [(1, 0, 3, 0), (1, 1, 2, 1), (4, 0, 4, 2)]  # 过程 down three rows, 资产管理 down two, 合计 across three


@pytest.fixture
def self_evaluation_docx(tmp_path: Path) -> Path:
    return docx_table(
        tmp_path / "自评.docx",
        ["#第四部分 部门整体支出绩效自评情况", "##二、自评结果", "按照评价指标体系，自评结果如下。"],
        SELF_EVALUATION,
        MERGES,
        after=["##三、绩效指标完成情况分析", "2.过程指标。资产管理规范性扣0.5分，其余指标得满分。"],
        caption="表3 2023年度部门整体支出绩效自评表",
    )


def test_equal_neighbouring_cells_stay_two_cells(self_evaluation_docx: Path) -> None:
    text = load_document(self_evaluation_docx).text.split("\n")
    assert "过程 | 资产管理 | 固定资产利用率 | 2 | 2 | —" in text


def test_cells_merged_in_the_word_grid_are_repeated_down_and_written_once_across(self_evaluation_docx: Path) -> None:
    document = load_document(self_evaluation_docx)
    [table] = document.tables
    assert [r.cells[:3] for r in table.rows] == [
        ("过程", "资产管理", "资产管理规范性"),
        ("过程", "资产管理", "固定资产利用率"),
        ("过程", "政府采购", "政府采购规范性"),
        ("合计", "", ""),
    ]
    assert table.caption == "表3 2023年度部门整体支出绩效自评表"
    assert table.header == ("一级指标", "二级指标", "三级指标", "分值", "得分", "扣分原因")


def test_word_heading_styles_make_the_outline_and_numbered_body_paragraphs_stay_body(
    self_evaluation_docx: Path,
) -> None:
    document = load_document(self_evaluation_docx)
    outline = parse_outline(document)
    assert [SECTION_SEPARATOR.join(s.path) for s in outline.sections] == [
        "第四部分部门整体支出绩效自评情况",
        "第四部分部门整体支出绩效自评情况 > 二、自评结果",
        "第四部分部门整体支出绩效自评情况 > 三、绩效指标完成情况分析",
    ]
    passages = chunk_document(document)
    [row] = [p for p in passages if "固定资产利用率" in p.text]
    assert row.section_path[-1] == "表3 2023年度部门整体支出绩效自评表"


def write_xlsx(path: Path) -> Path:
    """A workbook: a 自评表 sheet with a title row merged across, a unit line, a merged 一级指标 column and number
    formats; a second sheet of project funds; a hidden sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "自评表"
    sheet.append(["2023年度部门整体支出绩效自评表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["单位：分"])
    sheet.append(["一级指标", "三级指标", "分值", "得分", "完成率"])
    sheet.append(["产出指标", "公交准点率", 5, 6, 0.923])
    sheet.append([None, "每车公里运营成本", 6, 4, 0.9741])
    sheet.merge_cells("A4:A5")
    sheet.append(["效益指标", "公交出行分担率", 10, 10, 1.0])
    for row in sheet.iter_rows(min_row=4, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "0.00%"
    funds = book.create_sheet("项目资金")
    funds.append(["项目名称", "调整后预算", "实际支出"])
    funds.append(["城市公交运营补贴资金", 7350, 7132.56])
    for row in funds.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "#,##0.00"
    hidden = book.create_sheet("草稿")
    hidden.append(["不应读入的草稿"])
    hidden.sheet_state = "hidden"
    book.save(path)
    return path


def test_each_sheet_is_a_section_and_each_row_a_line_of_cells(tmp_path: Path) -> None:
    document = load_document(write_xlsx(tmp_path / "自评表.xlsx"))
    assert document.text.split("\n") == [
        "自评表",
        "2023年度部门整体支出绩效自评表",
        "单位：分",
        "一级指标 | 三级指标 | 分值 | 得分 | 完成率",
        "产出指标 | 公交准点率 | 5 | 6 | 92.30%",
        "产出指标 | 每车公里运营成本 | 6 | 4 | 97.41%",
        "效益指标 | 公交出行分担率 | 10 | 10 | 100.00%",
        "项目资金",
        "项目名称 | 调整后预算 | 实际支出",
        "城市公交运营补贴资金 | 7,350.00 | 7,132.56",
    ]
    scores, _funds = document.tables
    assert scores.caption == "2023年度部门整体支出绩效自评表"
    assert dict(zip(scores.header, scores.rows[0].cells, strict=True))["得分"] == "6"
    assert [s.path for s in parse_outline(document).sections] == [("自评表",), ("项目资金",)]
    [row] = [p for p in chunk_document(document) if "公交准点率" in p.text]
    assert row.section_path == ("自评表", "2023年度部门整体支出绩效自评表")


def test_the_rows_of_an_xlsx_self_evaluation_answer_questions(tmp_path: Path, tmp_settings: object) -> None:
    from assistant.corpus import open_corpus

    corpus = open_corpus(tmp_settings())  # type: ignore[operator]
    report = corpus.ingest([write_xlsx(tmp_path / "自评表.xlsx")])
    assert report.added and not report.failed
    [top, *_] = corpus.search("公交准点率这项指标得了几分？", 3)
    assert "产出指标 | 公交准点率 | 5 | 6 | 92.30%" in top.passage.text
    [top, *_] = corpus.search("城市公交运营补贴资金实际支出多少？", 3)
    assert "城市公交运营补贴资金 | 7,350.00 | 7,132.56" in top.passage.text


def test_a_damaged_workbook_is_refused_in_chinese(tmp_path: Path) -> None:
    from index.loaders import LoaderError

    path = tmp_path / "坏表.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(300))
    with pytest.raises(LoaderError, match="XLSX"):
        load_document(path)


def _two_part_table(path: Path, between: list[str]) -> Path:
    """Write a DOCX whose indicator table is split in two Word tables, `between` standing between them."""
    import docx

    document = docx.Document()
    document.add_paragraph("表2 绩效指标完成情况", style="Caption")
    first = document.add_table(rows=2, cols=4)
    for c, value in enumerate(["三级指标", "指标值", "实际完成值", "得分"]):
        first.cell(0, c).text = value
    for c, value in enumerate(["苗木成活率", "≥85%", "88%", "5"]):
        first.cell(1, c).text = value
    for text in between:
        if text.startswith("#"):
            document.add_heading(text.lstrip("#"), level=1)
        else:
            document.add_paragraph(text)
    second = document.add_table(rows=1, cols=4)
    for c, value in enumerate(["巡护里程", "≥300公里", "320公里", "4"]):
        second.cell(0, c).text = value
    document.save(str(path))
    return path


def test_a_table_split_by_a_note_goes_on_under_the_header_of_its_first_part(tmp_path: Path) -> None:
    path = _two_part_table(tmp_path / "续表.docx", ["注：数据来源于业务统计，下表接续。"])
    first, second = load_document(path).tables
    assert second.header == first.header == ("三级指标", "指标值", "实际完成值", "得分")
    assert second.caption == first.caption == "表2 绩效指标完成情况"
    assert second.rows[0].cells == ("巡护里程", "≥300公里", "320公里", "4")


def test_a_header_less_table_after_a_heading_is_a_table_of_its_own(tmp_path: Path) -> None:
    path = _two_part_table(tmp_path / "新表.docx", ["#三、其他情况"])
    first, second = load_document(path).tables
    assert second.header != first.header and not second.caption
