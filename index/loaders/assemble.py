"""Lay the paragraphs and tables a loader read into one Document: text, pages, tables and heading marks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from index.loaders.base import Block, Grid, Para
from index.loaders.grid import column_names
from index.models import CELL_SEPARATOR, Document, HeadingMark, PageSpan, Table, TableRow

# A note under a table ("注：执行率=实际支出÷调整预算") belongs to the table: it explains its figures.
_TABLE_NOTE = re.compile(r"^(?:注|备注|说明|资料来源|数据来源)\s*\d*\s*[:：]")


def document_id_for(name: str) -> str:
    """Return the stable id of a document, derived from its file name."""
    return "doc-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def row_line(cells: Sequence[str], separator: str = CELL_SEPARATOR) -> str:
    """Return the text line of a table row: its cells joined by " | " (a "|" inside a cell made full-width).

    >>> row_line(["合计", "", "15,300.00"]), row_line(["总分", "", "100"], " ")
    ('合计 |  | 15,300.00', '总分 100')
    """
    cells = [cell.replace("|", "｜").strip() for cell in cells]
    if separator.strip() == "":
        cells = [cell for cell in cells if cell]
    return separator.join(cells)


class _Writer:
    """Accumulates lines of text with their pages, OCR flags, tables and heading marks."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.offset = 0
        self.pages: list[PageSpan] = []
        self.tables: list[Table] = []
        self.headings: list[HeadingMark] = []

    def write(self, text: str, page: int | None, ocr: bool) -> tuple[int, int]:
        start = self.offset
        self.lines.append(text)
        self.offset += len(text) + 1
        if page is not None:
            if self.pages and self.pages[-1].number == page:
                last = self.pages[-1]
                self.pages[-1] = PageSpan(page, last.start, self.offset, last.ocr or ocr)
            else:
                self.pages.append(PageSpan(page, start, self.offset, ocr))
        return start, start + len(text)

    def paragraph(self, para: Para) -> None:
        start, _ = self.write(para.text, para.page, para.ocr)
        if para.level is not None:
            self.headings.append(HeadingMark(start, para.level))

    def note(self, para: Para) -> None:
        """Write a note right under the last table and widen the table's span over it."""
        _, end = self.write(para.text, para.page, para.ocr)
        last = self.tables[-1]
        self.tables[-1] = Table(last.caption, last.header, last.rows, last.start, end, last.header_row, last.page)

    def table(self, grid: Grid) -> None:
        columns = grid.columns
        pad = [*([""] * columns)]
        start: int | None = None
        for line in [grid.caption, *grid.preamble] if grid.caption else grid.preamble:
            if line:
                s, _ = self.write(line, grid.page, grid.ocr)
                start = s if start is None else start
        header_names = column_names(grid.header, columns) if grid.header else []
        header_row = None
        if any(header_names):
            s, e = self.write(row_line(header_names, grid.separator), grid.page, grid.ocr)
            header_row = TableRow(tuple(header_names), s, e)
            start = s if start is None else start
        rows: list[TableRow] = []
        for cells in grid.rows:
            cells = [*cells, *pad][:columns]
            line = row_line(cells, grid.separator)
            if not line.replace("|", "").strip():
                continue
            s, e = self.write(line, grid.page, grid.ocr)
            rows.append(TableRow(tuple(c.replace("|", "｜").strip() for c in cells), s, e))
            start = s if start is None else start
        if start is None or not (rows or header_row):
            return
        end = (rows[-1] if rows else header_row).end  # type: ignore[union-attr]
        self.tables.append(Table(grid.caption, tuple(header_names), tuple(rows), start, end, header_row, grid.page))


def assemble(blocks: Sequence[Block], name: str, source_path: str, data: bytes) -> Document:
    """Return the Document the blocks make, in order; empty paragraphs and empty rows are left out."""
    writer = _Writer()
    after_table = False
    for block in blocks:
        if isinstance(block, Grid):
            count = len(writer.tables)
            writer.table(block)
            after_table = len(writer.tables) > count
        elif block.text:
            if after_table and block.level is None and _TABLE_NOTE.match(block.text):
                writer.note(block)
                continue
            writer.paragraph(block)
            after_table = False
    return Document(
        id=document_id_for(name),
        name=name,
        text="\n".join(writer.lines),
        sha256=hashlib.sha256(data).hexdigest(),
        source_path=source_path,
        pages=writer.pages,
        tables=writer.tables,
        headings=writer.headings,
    )
