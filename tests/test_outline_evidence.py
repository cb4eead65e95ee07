"""Headings told from numbered body paragraphs by the document's own evidence: short and standing alone,
siblings alike, Word styles, font sizes in PDFs; every level kept, 第X部分 and 附件 included."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.models import SECTION_SEPARATOR, Document, HeadingMark
from index.structure import marker_of, parse_outline
from tests.documents import Heading, report_pdf


def doc(*lines: str, marks: dict[int, int] | None = None) -> Document:
    """A document of the given lines; `marks` gives the heading level its source marks on a line, by index."""
    text = "\n".join(lines)
    starts = [sum(len(line) + 1 for line in lines[:i]) for i in range(len(lines))]
    headings = [HeadingMark(starts[i], level) for i, level in (marks or {}).items()]
    return Document(id="doc-t", name="t.txt", text=text, sha256="0" * 64, headings=headings)


def paths(document: Document) -> list[str]:
    return [SECTION_SEPARATOR.join(s.path) for s in parse_outline(document).sections]


def path_of(document: Document, start: str) -> str:
    [para] = [p for p in parse_outline(document).paragraphs if p.text.startswith(start)]
    return SECTION_SEPARATOR.join(para.path)


def test_a_numbered_paragraph_with_a_sentence_before_its_body_is_not_a_heading() -> None:
    document = doc(
        "一、绩效目标完成情况",
        "（一）产出指标",
        "(1)产出指标。全年完成日常养护里程3,412.6公里。",
        "(2)效益指标。全市建制村通客车率保持100%。",
        "(3)满意度指标。综合满意度94.2%。",
        "2.养老服务目标。新建长者饭堂12个，完成率100%。",
    )
    assert paths(document) == ["一、绩效目标完成情况", "一、绩效目标完成情况 > （一）产出指标"]
    assert path_of(document, "(3)满意度指标") == "一、绩效目标完成情况 > （一）产出指标"


@pytest.mark.parametrize(
    ("first", "second"), [("（一）部门职责", "（二）机构设置"), ("(一)部门职责", "(二)机构设置")], ids=["full", "half"]
)
def test_half_width_and_full_width_markers_make_the_same_outline(first: str, second: str) -> None:
    document = doc("一、基本情况", first, "负责全区民政工作。", "1、内设机构", "设5个科室。", second, "核定编制46名。")
    assert paths(document) == [
        "一、基本情况",
        f"一、基本情况 > {first}",
        f"一、基本情况 > {first} > 1、内设机构",
        f"一、基本情况 > {second}",
    ]


def test_the_top_level_part_is_in_every_section_path() -> None:
    document = doc(
        "第一部分 部门基本情况",
        "一、部门职责",
        "负责全区民政工作。",
        "第二部分 部门整体支出",
        "一、预算收入",
        "收入20,077.00万元。",
    )
    assert marker_of("第二部分 部门整体支出") == ("division", "第二部分")
    assert path_of(document, "收入20,077.00万元") == "第二部分部门整体支出 > 一、预算收入"


def test_an_annex_is_a_section_of_its_own() -> None:
    document = doc(
        "六、评价结果应用", "公开自评结果。", "附件：2022年度部门整体支出绩效自评表", "一级指标 | 分值", "产出指标 | 50"
    )
    assert paths(document)[-1] == "附件：2022年度部门整体支出绩效自评表"


def test_the_odd_short_item_of_a_list_of_sentences_is_a_list_item() -> None:
    document = doc(
        "一、部门职责",
        "1.负责组织起草全区民政工作的政策措施。",
        "2.负责全区社会救助体系建设。",
        "3.完成区委区政府交办的其他事项",
        "二、机构设置",
    )
    assert paths(document) == ["一、部门职责", "二、机构设置"]


def test_a_numbered_line_that_does_not_begin_a_run_at_one_is_not_a_heading() -> None:
    document = doc("六、其他需要说明的情况", "附件：1.2024年度项目支出绩效自评表", "2.满意度调查结果汇总表")
    assert "2.满意度调查结果汇总表" not in paths(document)[-1]


def test_a_heading_style_outranks_the_conventional_order_of_markers() -> None:
    # This source nests （一） under 1. (levels 1, 2, 3), against the usual order; an unmarked （二） follows its kind.
    lines = (
        "一、总体情况",
        "1.预算收入",
        "（一）财政拨款",
        "收入19,836.42万元。",
        "（二）事业收入",
        "收入268.40万元。",
    )
    document = doc(*lines, marks={0: 1, 1: 2, 2: 3})
    assert path_of(document, "收入19,836.42万元") == "一、总体情况 > 1.预算收入 > （一）财政拨款"
    assert path_of(document, "收入268.40万元") == "一、总体情况 > 1.预算收入 > （二）事业收入"


def test_a_marked_line_above_every_numbered_heading_is_the_title_not_a_section() -> None:
    document = doc("桐川市民政局2023年度绩效自评报告", "一、基本情况", "负责全区民政工作。", marks={0: 1, 1: 2})
    assert paths(document) == ["一、基本情况"]


def test_pdf_font_sizes_mark_headings_and_the_title_stays_out_of_the_outline(tmp_path: Path) -> None:
    from index.loaders import load_document

    items = [
        Heading("岚江市交通运输局绩效自评报告", 22),
        Heading("一、基本情况", 14),
        Heading("(一)单位概况", 13),
        "岚江市交通运输局为市人民政府工作部门，负责全市公路、水路和城市客运等行业的规划建设与监督管理。",
        Heading("二、综合评价", 14),
        "4个项目平均得分94.46分。",
    ]
    document = load_document(report_pdf(tmp_path / "fonts.pdf", items))
    assert [m.level for m in document.headings] == [1, 2, 3, 2]
    assert paths(document) == ["一、基本情况", "一、基本情况 > (一)单位概况", "二、综合评价"]
