"""Documents the tests build: report PDFs with ruled tables (reportlab, CID font), image-only PDFs made by
rendering a PDF's pages, Word files with merged cells, Excel workbooks; and an OCR character-accuracy measure."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CJK_FONT = "STSong-Light"
PAGE_LEFT, PAGE_RIGHT, PAGE_TOP, PAGE_BOTTOM = 72.0, 523.0, 770.0, 72.0
BODY_SIZE, TABLE_SIZE = 12.0, 10.0
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


@dataclass(frozen=True)
class Heading:
    """A heading line in a larger font."""

    text: str
    size: float = 14


@dataclass(frozen=True)
class Drawn:
    """A ruled table: rows of cell texts; `spans` maps (row, col) to (rowspan, colspan), the covered cells
    left blank as a word processor draws a merged cell. A table too long for the page goes on on the next,
    its header row repeated."""

    rows: list[list[str]]
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


Item = str | Heading | Drawn  # a str is a body paragraph: wrapped, its first line indented two characters


def wrap(text: str, width: float, size: float = BODY_SIZE, indent: float = 0.0) -> list[str]:
    """Hard-wrap text at a physical width (the first line narrower by `indent`), never inside a number."""
    from reportlab.pdfbase import pdfmetrics

    _font()
    lines: list[str] = []
    current = ""
    for token in re.findall(r"[0-9.,%]+|.", text):
        room = width - (indent if not lines else 0.0)
        if current and pdfmetrics.stringWidth(current + token, CJK_FONT, size) > room:
            lines.append(current)
            current = token
        else:
            current += token
    return [*lines, current] if current else lines


def report_pdf(path: Path, items: Sequence[Item]) -> Path:
    """Write an A4 report PDF: headings, wrapped paragraphs and ruled tables flowing over the pages, with a
    "- n -" number at the foot of each page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    _font()
    width, _height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    state = {"y": PAGE_TOP, "page": 1}

    def new_page() -> None:
        pdf.setFont(CJK_FONT, 10)
        pdf.drawString(width / 2 - 10, 40, f"- {state['page']} -")
        pdf.showPage()
        state["page"] += 1
        state["y"] = PAGE_TOP

    def line(text: str, x: float, size: float, advance: float) -> None:
        if state["y"] - advance < PAGE_BOTTOM:
            new_page()
        pdf.setFont(CJK_FONT, size)
        pdf.drawString(x, state["y"] - size, text)
        state["y"] -= advance

    for item in items:
        if isinstance(item, Heading):
            line(item.text, PAGE_LEFT + 2 * BODY_SIZE, item.size, item.size + 12)
        elif isinstance(item, str):
            indent = 2 * BODY_SIZE
            for n, text in enumerate(wrap(item, PAGE_RIGHT - PAGE_LEFT, BODY_SIZE, indent)):
                line(text, PAGE_LEFT + (indent if n == 0 else 0.0), BODY_SIZE, BODY_SIZE + 9)
        else:
            style: list[Any] = [
                ("FONT", (0, 0), (-1, -1), CJK_FONT, TABLE_SIZE),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
            style += [("SPAN", (c, r), (c + cs - 1, r + rs - 1)) for (r, c), (rs, cs) in item.spans.items()]
            table: Any = Table(item.rows, style=TableStyle(style), repeatRows=1)
            while table is not None:
                available = state["y"] - PAGE_BOTTOM
                _, needed = table.wrapOn(pdf, PAGE_RIGHT - PAGE_LEFT, available)
                if needed <= available:
                    table.drawOn(pdf, PAGE_LEFT, state["y"] - needed)
                    state["y"] -= needed + 12
                    table = None
                    continue
                parts = table.split(PAGE_RIGHT - PAGE_LEFT, available)
                if len(parts) < 2:
                    if state["y"] == PAGE_TOP:
                        raise ValueError("a table taller than a page that cannot be split (a span across the cut)")
                    new_page()
                    continue
                _, used = parts[0].wrapOn(pdf, PAGE_RIGHT - PAGE_LEFT, available)
                parts[0].drawOn(pdf, PAGE_LEFT, state["y"] - used)
                new_page()
                table = parts[1]
    new_page()
    pdf.save()
    return path


def scanned_pdf(source: Path, target: Path, scale: float = 2.0, pages: Sequence[int] | None = None) -> Path:
    """Render pages of a PDF (all, or the 1-based `pages`) to images and write an image-only PDF of them."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    document = pdfium.PdfDocument(str(source))
    pdf = canvas.Canvas(str(target))
    for number in pages or range(1, len(document) + 1):
        page = document[number - 1]
        width, height = page.get_size()
        image = page.render(scale=scale).to_pil().convert("L")
        pdf.setPageSize((width, height))
        pdf.drawImage(ImageReader(image), 0, 0, width=width, height=height)
        pdf.showPage()
    pdf.save()
    document.close()
    return target


def has_cjk_font() -> bool:
    """Tell whether pdfium can draw Chinese text here: a PDF's CID font needs a CJK font installed (the CI
    installs fonts-wqy-zenhei); without one a rendered page shows no Chinese and cannot stand for a scan."""
    import pypdfium2 as pdfium
    from reportlab.pdfgen import canvas

    _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(200, 60))
    pdf.setFont(CJK_FONT, 20)
    pdf.drawString(10, 20, "中文字体")
    pdf.showPage()
    pdf.save()
    image = pdfium.PdfDocument(buffer.getvalue())[0].render(scale=1).to_pil().convert("L")
    return bool(min(image.getdata()) < 128)


def docx_table(
    path: Path,
    before: Sequence[str],
    rows: list[list[str]],
    merges: Sequence[tuple[int, int, int, int]] = (),
    after: Sequence[str] = (),
    caption: str = "",
) -> Path:
    """Write a DOCX: paragraphs (a "#"-prefixed one as a Heading 1, "##" Heading 2), a table whose cells in
    each (row, col, last_row, last_col) of `merges` are merged in Word's grid, then more paragraphs."""
    import docx

    document = docx.Document()

    def paragraph(text: str) -> None:
        level = len(text) - len(text.lstrip("#"))
        if level:
            document.add_heading(text.lstrip("#").strip(), level=level)
        else:
            document.add_paragraph(text)

    for text in before:
        paragraph(text)
    if caption:
        document.add_paragraph(caption, style="Caption")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    for text in after:
        paragraph(text)
    document.save(str(path))
    return path


def normalised(text: str) -> str:
    """Normalise as the evaluation does: NFKC, no whitespace, no thousands separators."""
    return _THOUSANDS.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def edit_distance(a: str, b: str) -> int:
    """Return the Levenshtein distance between two strings (numpy, row by row: fine for some 10k characters).

    >>> edit_distance("预算执行率", "预算完成率"), edit_distance("", "abc")
    (2, 3)
    """
    import numpy as np

    if not a or not b:
        return max(len(a), len(b))
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(b) + 1, dtype=np.int64)
    previous = index.copy()
    for i, ch in enumerate(a, start=1):
        row = np.empty_like(previous)
        row[0] = i
        row[1:] = np.minimum(previous[:-1] + (codes_b != ord(ch)), previous[1:] + 1)
        previous = np.minimum.accumulate(row - index) + index  # insertions along the row
    return int(previous[-1])


def char_accuracy(read: str, reference: str) -> float:
    """Return the share of characters right: 1 − edit distance / reference length, both sides normalised."""
    a, b = normalised(read), normalised(reference)
    return 1.0 - edit_distance(a, b) / max(len(b), 1)
