"""Read PDF reports with pdfplumber (MIT): drawn tables as rows, running text re-joined, scanned pages OCR'd."""

from __future__ import annotations

import statistics
from io import BytesIO
from pathlib import Path
from typing import Any

from index.loaders.base import Block, LoaderError, ProgressFn
from index.loaders.grid import cell_text, grid_cells, make_grid
from index.loaders.layout import Line, PageLayout, PlacedTable, blocks_from_pages

MIN_TEXT_CHARS = 5  # a page with fewer characters in its text layer is read as an image
OCR_SCALE = 2.0  # render scanned pages at 144 dpi for OCR


def load(path: Path, data: bytes, progress: ProgressFn | None = None) -> list[Block]:
    """Return the paragraphs and tables of a PDF; pages without a text layer are read by OCR."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    layouts: list[PageLayout] = []
    scanned: list[int] = []
    try:
        with pdfplumber.open(BytesIO(data)) as pdf:
            if _encrypted(pdf):
                raise LoaderError(path, "PDF 已加密，无法读取")
            for number, page in enumerate(pdf.pages, start=1):
                layout = read_text_page(page, number)
                if layout is None:
                    scanned.append(number)
                    layouts.append(PageLayout(number, float(page.height), ocr=True))
                else:
                    layouts.append(layout)
    except LoaderError:
        raise
    except PDFPasswordIncorrect as exc:
        raise LoaderError(path, "PDF 已加密，无法读取") from exc
    except Exception as exc:  # pdfminer raises assorted errors for damaged files
        if any(isinstance(arg, PDFPasswordIncorrect) for arg in exc.args):  # pdfplumber wraps pdfminer's errors
            raise LoaderError(path, "PDF 已加密，无法读取") from exc
        raise LoaderError(path, f"PDF 文件已损坏或格式不正确（{type(exc).__name__}）") from exc
    if not layouts:
        raise LoaderError(path, "PDF 文件已损坏或格式不正确（没有页面）")
    if scanned:
        _ocr_pages(path, data, layouts, scanned, progress)
    if not any(layout.lines or layout.tables for layout in layouts):
        raise LoaderError(path, "PDF 没有文字层，文字识别也没有读出文字（可能是空白页或图像过于模糊）")
    return blocks_from_pages(layouts)


def _encrypted(pdf: Any) -> bool:
    return bool(getattr(pdf.doc, "encryption", None))


def read_text_page(page: Any, number: int) -> PageLayout | None:
    """Return the lines and tables of a page's text layer; None when it has none (a scanned page)."""
    chars = [c for c in page.chars if c["text"].strip()]
    if len(chars) < MIN_TEXT_CHARS:
        return None
    page = page.dedupe_chars()
    tables = [t for t in page.find_tables() if _is_table(t)]
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = [
        Line(
            text=raw["text"],
            x0=float(raw["x0"]),
            x1=float(raw["x1"]),
            top=float(raw["top"]),
            bottom=float(raw["bottom"]),
            size=statistics.median(float(c["size"]) for c in raw["chars"]) if raw["chars"] else 0.0,
            page=number,
        )
        for raw in text_page.extract_text_lines(return_chars=True)
        if raw["text"].strip()
    ]
    placed = [p for t in tables if (p := _placed(t, number)) is not None]
    return PageLayout(number, float(page.height), lines, placed)


def _is_table(table: Any) -> bool:
    xs = {round(c[0]) for c in table.cells} | {round(c[2]) for c in table.cells}
    return len(xs) >= 3 and len(table.cells) >= 2  # two columns at least; a framed paragraph is text


def _placed(table: Any, number: int) -> PlacedTable | None:
    boxes: list[tuple[tuple[float, float, float, float], str]] = []
    for row, texts in zip(table.rows, table.extract(), strict=False):
        for bbox, text in zip(row.cells, texts, strict=False):
            if bbox is not None:
                boxes.append((tuple(float(v) for v in bbox), cell_text(text or "")))  # type: ignore[arg-type]
    cells, edges = grid_cells(boxes)
    grid = make_grid(cells, page=number)
    if grid is None:
        return None
    _x0, top, _x1, bottom = table.bbox
    return PlacedTable(grid, float(top), float(bottom), number, tuple(edges))


def _ocr_pages(
    path: Path, data: bytes, layouts: list[PageLayout], scanned: list[int], progress: ProgressFn | None
) -> None:
    """Render the pages without a text layer and read them by OCR, reporting pages done."""
    import pypdfium2 as pdfium

    from index.loaders.ocr import read_image

    try:
        document = pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium refuses what pdfminer half-read
        raise LoaderError(path, f"PDF 文件已损坏或格式不正确（{type(exc).__name__}）") from exc
    try:
        for done, number in enumerate(scanned):
            if progress:
                progress(f"文字识别 {path.name} 第{number}页", done, len(scanned))
            image = document[number - 1].render(scale=OCR_SCALE).to_pil()
            layouts[number - 1] = read_image(image, number, scale=OCR_SCALE)
        if progress:
            progress(f"文字识别 {path.name} 完成", len(scanned), len(scanned))
    finally:
        document.close()
