"""Scanned reports: pages without a text layer (and image files) are read by OCR, page numbers kept, ruled
tables read as rows, the passages and citations flagged as OCR'd, and their figures checked like any other."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.loaders import LoaderError, load_document
from index.models import Document
from tests.conftest import REPO
from tests.documents import Drawn, Heading, char_accuracy, has_cjk_font, report_pdf, scanned_pdf

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not has_cjk_font(), reason="rendering a scan needs a CJK font (apt-get install fonts-wqy-zenhei)"
    ),
]

BODY = (
    "本项目年初预算4,200.00万元。年中，省财政追加下达成品油税费改革转移支付资金386.30万元，调整后预算为"
    "4,586.30万元。截至2024年12月31日，资金实际到位4,586.30万元，实际支出4,412.68万元，预算执行率96.21%。"
)
TABLE = Drawn(
    [
        ["三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["日常养护里程", "3,412.6公里", "3,412.6公里", "8", "8"],
        ["养护工程年内完工率", "≥95%", "93.65%", "8", "6"],
    ]
)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, list[tuple[str, int, int]]]:
    folder = tmp_path_factory.mktemp("scan")
    source = report_pdf(folder / "source.pdf", [Heading("一、资金安排及使用情况"), BODY, "表1 绩效指标完成情况", TABLE])
    calls: list[tuple[str, int, int]] = []
    document = load_document(scanned_pdf(source, folder / "scan.pdf"), progress=lambda m, d, t: calls.append((m, d, t)))
    return document, calls


def test_a_page_without_a_text_layer_is_read_by_ocr(scanned: tuple[Document, list[tuple[str, int, int]]]) -> None:
    document, _ = scanned
    lines = document.text.split("\n")
    assert lines[0] == "一、资金安排及使用情况"
    assert char_accuracy(lines[1], BODY) >= 0.98
    assert "实际支出4,412.68万元" in document.text
    assert [(p.number, p.ocr) for p in document.pages] == [(1, True)]


def test_a_ruled_table_on_a_scanned_page_is_read_as_rows(scanned: tuple[Document, list[tuple[str, int, int]]]) -> None:
    document, _ = scanned
    [table] = document.tables
    assert table.header == ("三级指标", "年度指标值", "实际完成值", "分值", "得分")
    assert table.rows[-1].cells == ("养护工程年内完工率", "≥95%", "93.65%", "8", "6")


def test_ocr_reports_pages_done_through_the_progress_callback(
    scanned: tuple[Document, list[tuple[str, int, int]]],
) -> None:
    _, calls = scanned
    assert [(done, total) for _, done, total in calls] == [(0, 1), (1, 1)]
    assert "文字识别" in calls[0][0]


def test_passages_and_citations_say_they_came_from_ocr(scanned: tuple[Document, list[tuple[str, int, int]]]) -> None:
    from assistant.citations import resolve
    from index.models import ScoredPassage

    document, _ = scanned
    passages = chunk_document(document)
    assert passages and all(p.ocr for p in passages)
    cited = resolve("实际支出4,412.68万元[1]。", [ScoredPassage(passages[0], 1.0)])
    assert cited.citations[0].ocr is True and cited.citations[0].page == 1


def test_figures_in_ocr_text_are_checked_like_any_other(scanned: tuple[Document, list[tuple[str, int, int]]]) -> None:
    from assistant.figures.verify import check_figures

    document, _ = scanned
    passages = chunk_document(document)
    [right] = check_figures("实际支出4,412.68万元。", passages, [document])
    [wrong] = check_figures("实际支出4,421.68万元。", passages, [document])
    assert right.status == "verified" and wrong.status == "mismatch"


def test_a_text_layer_page_is_not_ocrd(tmp_path: Path) -> None:
    document = load_document(report_pdf(tmp_path / "text.pdf", [Heading("一、基本情况"), BODY]))
    assert not any(p.ocr for p in document.pages)


def test_an_image_file_is_read_by_ocr(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    source = report_pdf(tmp_path / "source.pdf", [Heading("一、基本情况"), BODY])
    image = pdfium.PdfDocument(str(source))[0].render(scale=2).to_pil()
    image.save(tmp_path / "扫描页.png")
    document = load_document(tmp_path / "扫描页.png")
    assert document.text.startswith("一、基本情况\n") and "预算执行率96.21%" in document.text
    assert document.pages[0].ocr


def test_a_blank_scan_is_refused_as_having_no_text(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "空白扫描.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=0)
    pdf.showPage()
    pdf.save()
    with pytest.raises(LoaderError, match="没有文字层"):
        load_document(path)


def test_a_scanned_corpus_report_is_read_with_98_percent_of_its_characters_right_within_10_s_a_page(
    tmp_path: Path,
) -> None:
    folder = REPO / "seeds" / "corpus" / "jiaotong-2024"
    scan = scanned_pdf(folder / "report.pdf", tmp_path / "scan.pdf")
    started = time.perf_counter()
    document = load_document(scan)
    seconds_per_page = (time.perf_counter() - started) / len(document.pages)
    accuracy = char_accuracy(document.text, (folder / "report.txt").read_text(encoding="utf-8"))
    assert accuracy >= 0.98, accuracy
    assert seconds_per_page <= 10, seconds_per_page
    assert len(document.pages) == 14 and all(p.ocr for p in document.pages)
    assert len(document.tables) == 6
