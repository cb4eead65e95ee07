"""Turn the cells of a drawn table (with their row and column spans) into header and body rows.

Every format that knows a table's grid (PDF ruling lines, Word's gridSpan/vMerge, Excel's merged ranges, the
ruling lines of a scanned page) describes it as `Cell`s and gets rows back from here, so merged cells are
resolved one way: a cell spanning several rows is repeated in each; a header cell spanning several columns
names each of them; a body cell spanning several columns is written once, in its first column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.loaders.base import Grid
from index.normalize import clean_inline, join_wrapped
from index.structure import marker_of

_NUMBER = re.compile(r"^[\s\-+−—–≥≤<>%％.,\d]*\d[\s\-+−—–%％.,\d]*$")
_UNIT_LINE = re.compile(r"^[（(]?\s*(?:金额|计量)?单位\s*[:：]")
_SENTENCE_END = tuple("。；;！!？?：:")
MAX_CAPTION = 60


@dataclass(frozen=True)
class Cell:
    """A cell of a table's grid: where it starts, how many rows and columns it spans, its text."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""


def cell_text(lines: Sequence[str] | str) -> str:
    """Join the wrapped lines of a cell into one clean line (no space inside Chinese text or numbers).

    >>> cell_text("养护工程交工验收合格\\n率")
    '养护工程交工验收合格率'
    >>> cell_text(["Budget", "execution"]), cell_text(["1,2", "34.5万元"])
    ('Budget execution', '1,234.5万元')
    """
    if isinstance(lines, str):
        lines = lines.split("\n")
    parts = [part.strip() for part in lines if part and part.strip()]
    return clean_inline(join_wrapped(parts)).replace("\n", " ") if parts else ""


def _is_label(text: str) -> bool:
    return bool(text) and not _NUMBER.match(text)


def header_rows(cells: Sequence[Cell], n_rows: int) -> int:
    """Tell how many of a table's first rows are its header: a first-row cell spanning rows, or a first-row
    cell spanning columns that the next row names part by part, makes the header taller."""
    if n_rows < 2:
        return 0
    first = [c for c in cells if c.row == 0]
    if not first or not all(_is_label(c.text) or not c.text for c in first):
        return 0
    height = max(c.rowspan for c in first)
    if height == 1 and any(c.colspan > 1 for c in first):
        below = [c for c in cells if c.row == 1]
        under_wide = [c for c in below if any(w.col <= c.col < w.col + w.colspan and w.colspan > 1 for w in first)]
        if under_wide and all(_is_label(c.text) for c in under_wide):
            height = max(2, max(1 + c.rowspan for c in below))
    return min(height, n_rows - 1)


def resolve(cells: Sequence[Cell]) -> tuple[list[list[str]], list[list[str]]]:
    """Return (header rows, body rows) of a grid, each row one string per column, merges resolved."""
    if not cells:
        return [], []
    n_rows = max(c.row + c.rowspan for c in cells)
    n_cols = max(c.col + c.colspan for c in cells)
    height = header_rows(cells, n_rows)
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for c in cells:
        for r in range(c.row, min(c.row + c.rowspan, n_rows)):
            for k in range(c.col, min(c.col + c.colspan, n_cols)):
                if k == c.col or r < height:
                    grid[r][k] = c.text
    return grid[:height], grid[height:]


def column_names(header: Sequence[Sequence[str]], columns: int) -> list[str]:
    """Name each column from the header rows, joining a multi-row header per column with "/".

    >>> column_names([["项目", "预算数", "预算数"], ["项目", "年初", "调整"]], 3)
    ['项目', '预算数/年初', '预算数/调整']
    """
    names: list[str] = []
    for k in range(columns):
        parts: list[str] = []
        for row in header:
            text = row[k] if k < len(row) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        names.append("/".join(parts))
    return names


def looks_like_caption(text: str) -> bool:
    """Tell whether a paragraph right before a table can be its caption: a short title, not a sentence or heading."""
    text = text.strip()
    return 0 < len(text) <= MAX_CAPTION and not text.endswith(_SENTENCE_END) and marker_of(text) is None


def is_unit_line(text: str) -> bool:
    """Tell whether a line states the unit of the table below it ("单位：万元")."""
    return bool(_UNIT_LINE.match(text.strip())) and len(text) <= 30


def make_grid(
    cells: Sequence[Cell], caption: str = "", preamble: Sequence[str] = (), page: int | None = None, ocr: bool = False
) -> Grid | None:
    """Build a Grid from cells; a first row that is one cell across the table becomes the caption."""
    header, rows = resolve(cells)
    n_cols = max((len(r) for r in [*header, *rows]), default=0)
    everything = [*header, *rows]
    # A title row: one cell across the whole table, above the header (common in Excel sheets).
    while everything and n_cols > 1 and sum(1 for x in everything[0] if x) == 1 and everything[0][0]:
        spans_all = any(c.row == 0 and c.colspan == n_cols for c in cells)
        if not spans_all:
            break
        title = everything[0][0]
        if is_unit_line(title):
            preamble = [*preamble, title]
        elif not caption:
            caption = title
        else:
            preamble = [*preamble, title]
        cells = [Cell(c.row - 1, c.col, c.rowspan, c.colspan, c.text) for c in cells if c.row > 0]
        header, rows = resolve(cells)
        everything = [*header, *rows]
    rows = [row for row in rows if any(row)]
    if not rows and not header:
        return None
    return Grid(header=header, rows=rows, caption=caption, preamble=list(preamble), page=page, ocr=ocr)


def continues(first: Grid, second: Grid) -> bool:
    """Tell whether a table at the top of a page continues the one that ended the page before."""
    if first.columns != second.columns or second.caption:
        return False
    if not second.header:
        return True
    return second.header == first.header


def join(first: Grid, second: Grid) -> Grid:
    """Join a table continued on the next page to its first part; its repeated header is dropped."""
    rows = list(second.rows)
    if not second.header and first.header and rows and rows[0] == first.header[-1]:
        rows = rows[1:]
    return Grid(
        header=first.header,
        rows=first.rows + rows,
        caption=first.caption,
        preamble=first.preamble,
        page=first.page,
        ocr=first.ocr or second.ocr,
    )


def _clusters(values: Sequence[float], tolerance: float = 2.0) -> list[float]:
    """Return sorted positions with near-equal values merged."""
    out: list[float] = []
    for value in sorted(values):
        if out and value - out[-1] <= tolerance:
            continue
        out.append(value)
    return out


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def grid_cells(
    boxes: Sequence[tuple[tuple[float, float, float, float], str]], tolerance: float = 2.0
) -> tuple[list[Cell], list[float]]:
    """Place cell boxes (x0, top, x1, bottom) on the grid their edges make; return the cells and column edges."""
    xs = _clusters([b[0] for b, _ in boxes] + [b[2] for b, _ in boxes], tolerance)
    ys = _clusters([b[1] for b, _ in boxes] + [b[3] for b, _ in boxes], tolerance)
    cells: list[Cell] = []
    for (x0, top, x1, bottom), text in boxes:
        col, end_col = _index(xs, x0), _index(xs, x1)
        row, end_row = _index(ys, top), _index(ys, bottom)
        if end_col <= col or end_row <= row:
            continue
        cells.append(Cell(row, col, end_row - row, end_col - col, text))
    return cells, xs
