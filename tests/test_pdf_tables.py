"""PDF reports with drawn tables: rows as `cell | cell | …` with their cells and headers on the Document, merged
cells repeated, a table continued on the next page joined, captions kept, text re-joined around tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.loaders import load_document
from index.models import Document
from tests.documents import Drawn, Heading, report_pdf

INTRO = (
    "2023年，我部门预算总收入18,977.96万元，其中本年收入18,977.96万元，用事业基金弥补收支差额0万元，"
    "年初结转0万元；预算总支出18,977.96万元，全年预算数21766.40万元，预算完成率87.19%，"
    "主要用于保障全区政务服务体系正常运转和数字政府建设。"
)
FUNDS = Drawn(
    [
        ["序号", "项目名称", "调整后预算", "实际支出", "执行率"],
        ["1", "农村公路养护工程专项资金", "4,586.30", "4,412.68", "96.21%"],
        ["2", "城市公交运营补贴资金", "7,350.00", "7,132.56", "97.04%"],
        ["合计", "", "11,936.30", "11,545.24", "96.72%"],
    ],
    spans={(3, 0): (1, 2)},  # 合计 over 序号 and 项目名称
)
SCORES = Drawn(
    [
        ["一级指标", "二级指标", "三级指标", "分值", "得分"],
        ["产出指标", "数量指标", "日常养护里程", "8", "8"],
        ["", "", "危旧桥梁改造数量", "5", "5"],
        ["", "质量指标", "优良中等路比例", "8", "8"],
        ["效益指标", "社会效益指标", "农村公路列养率", "10", "10"],
        ["合计", "", "", "31", "31"],
    ],
    spans={(1, 0): (3, 1), (1, 1): (2, 1), (5, 0): (1, 3)},
)


def long_table(rows: int) -> Drawn:
    body = [[f"第{n}项指标", f"{n}.5", "5", "4"] for n in range(1, rows + 1)]
    return Drawn([["三级指标", "年度指标值", "分值", "得分"], *body])


@pytest.fixture(scope="module")
def funds_report(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("pdf") / "funds.pdf"
    items = [
        Heading("一、基本情况"),
        INTRO,
        "表1 2023年度项目资金安排及执行情况",
        FUNDS,
        "注：执行率=实际支出÷调整后预算×100%。",
        Heading("二、绩效指标完成情况"),
        "表2 绩效指标完成情况",
        SCORES,
        "经自评，两个项目的绩效目标均已完成。",
    ]
    return load_document(report_pdf(path, items))


def lines(document: Document) -> list[str]:
    return document.text.split("\n")


def test_a_drawn_table_comes_out_as_one_line_per_row(funds_report: Document) -> None:
    assert "1 | 农村公路养护工程专项资金 | 4,586.30 | 4,412.68 | 96.21%" in lines(funds_report)
    assert "2 | 城市公交运营补贴资金 | 7,350.00 | 7,132.56 | 97.04%" in lines(funds_report)


def test_a_label_merged_across_columns_is_written_once_in_its_first_column(funds_report: Document) -> None:
    assert "合计 |  | 11,936.30 | 11,545.24 | 96.72%" in lines(funds_report)


def test_a_cell_merged_down_rows_is_repeated_in_every_row_it_spans(funds_report: Document) -> None:
    text = lines(funds_report)
    assert "产出指标 | 数量指标 | 日常养护里程 | 8 | 8" in text
    assert "产出指标 | 数量指标 | 危旧桥梁改造数量 | 5 | 5" in text
    assert "产出指标 | 质量指标 | 优良中等路比例 | 8 | 8" in text


def test_table_rows_are_on_the_document_with_their_cells_and_column_headers(funds_report: Document) -> None:
    funds, scores = funds_report.tables
    assert funds.caption == "表1 2023年度项目资金安排及执行情况"
    assert funds.header == ("序号", "项目名称", "调整后预算", "实际支出", "执行率")
    assert funds.rows[0].cells == ("1", "农村公路养护工程专项资金", "4,586.30", "4,412.68", "96.21%")
    row = scores.rows[1]
    assert dict(zip(scores.header, row.cells, strict=True))["得分"] == "5"
    for table in (funds, scores):
        assert table.header_row is not None
        for r in (table.header_row, *table.rows):
            assert funds_report.text[r.start : r.end] == " | ".join(r.cells)
        assert funds_report.table_at(table.rows[-1].start) is table


def test_a_table_note_belongs_to_its_table_and_the_text_keeps_reading_order(funds_report: Document) -> None:
    text = lines(funds_report)
    assert text[:3] == ["一、基本情况", INTRO, "表1 2023年度项目资金安排及执行情况"]
    note = text.index("注：执行率=实际支出÷调整后预算×100%。")
    assert text[note - 1].startswith("合计 |")
    assert text[note + 1 : note + 3] == ["二、绩效指标完成情况", "表2 绩效指标完成情况"]
    assert text[-1] == "经自评，两个项目的绩效目标均已完成。"
    assert funds_report.tables[0].end == funds_report.text.index("×100%。") + len("×100%。")


def test_a_wrapped_paragraph_is_one_line_again_even_where_a_number_was_pushed_to_the_next_line(
    funds_report: Document,
) -> None:
    assert INTRO in lines(funds_report)


def test_table_passages_carry_the_caption_as_the_last_level_of_their_path(funds_report: Document) -> None:
    passages = chunk_document(funds_report)
    [row] = [p for p in passages if "危旧桥梁改造数量 | 5 | 5" in p.text]
    assert row.section_path == ("二、绩效指标完成情况", "表2 绩效指标完成情况")
    [text] = [p for p in passages if p.text.startswith("2023年，我部门") or "\n2023年，我部门" in p.text]
    assert text.section_path == ("一、基本情况",)


def test_a_table_continued_on_the_next_page_is_joined_and_its_repeated_header_dropped(tmp_path: Path) -> None:
    path = report_pdf(
        tmp_path / "long.pdf", [Heading("一、自评情况"), "表1 自评表", long_table(60), "以上为自评结果。"]
    )
    document = load_document(path)
    [table] = document.tables
    assert len(document.pages) >= 2 and document.page_at(table.rows[-1].start) == 1  # one table, from page 1
    assert [r.cells[0] for r in table.rows] == [f"第{n}项指标" for n in range(1, 61)]
    assert lines(document).count("三级指标 | 年度指标值 | 分值 | 得分") == 1
    assert lines(document)[-1] == "以上为自评结果。"


def test_a_long_table_is_chunked_by_whole_rows_with_caption_and_header_in_the_lead(tmp_path: Path) -> None:
    document = load_document(report_pdf(tmp_path / "long.pdf", [Heading("一、自评情况"), "表1 自评表", long_table(60)]))
    [table] = document.tables
    passages = [p for p in chunk_document(document, max_chars=200) if p.end > table.start and p.start < table.end]
    assert len(passages) >= 4
    row_lines = {document.text[r.start : r.end] for r in table.rows}
    for n, passage in enumerate(passages):
        assert passage.text == document.text[passage.start : passage.end]
        body = [line for line in passage.text.split("\n") if " | " in line and line.startswith("第")]
        assert body and all(line in row_lines for line in body), "a passage never splits a row"
        if n:
            assert passage.lead == "表1 自评表\n三级指标 | 年度指标值 | 分值 | 得分"
            assert passage.contextual_text().count("三级指标 | 年度指标值") == 1
    assert passages[0].text.startswith("一、自评情况\n表1 自评表\n三级指标 | 年度指标值 | 分值 | 得分\n第1项指标")


def test_a_row_longer_than_a_passage_is_still_one_passage(tmp_path: Path) -> None:
    wordy = "为保障城乡困难群众基本生活，严格落实各项救助政策并按月足额发放救助资金"
    rows = [["指标", "说明"], *[[f"指标{n}", wordy] for n in range(1, 4)]]
    document = load_document(report_pdf(tmp_path / "wide.pdf", [Heading("一、说明"), Drawn(rows)]))
    passages = chunk_document(document, max_chars=80)
    for row in document.tables[0].rows:
        assert any(p.start <= row.start and row.end <= p.end for p in passages)
