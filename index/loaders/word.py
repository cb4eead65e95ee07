"""Read .docx reports with python-docx: heading styles as outline levels, tables from the document's grid.

Merged cells come from the table XML itself — `w:gridSpan` (across columns) and `w:vMerge` (down rows) —
never from comparing the texts of neighbouring cells, so two equal cells side by side stay two cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from index.loaders.base import Block, Grid, LoaderError, Para, ProgressFn
from index.loaders.grid import Cell, cell_text, is_unit_line, looks_like_caption, make_grid
from index.normalize import clean_inline

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_CAPTION_NAMES = ("caption", "题注")


def load(path: Path, data: bytes, progress: ProgressFn | None = None) -> list[Block]:
    """Return the paragraphs and tables of a Word document, in order."""
    from zipfile import BadZipFile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(BytesIO(data))
    except (BadZipFile, KeyError, ValueError) as exc:
        raise LoaderError(path, f"DOCX 文件已损坏或不是 Word 文档（{type(exc).__name__}）") from exc
    except Exception as exc:  # python-docx raises assorted errors for foreign content
        raise LoaderError(path, f"DOCX 文件无法解析（{type(exc).__name__}）") from exc
    blocks: list[Block] = []
    captions: set[int] = set()  # ids of the blocks written in a caption style
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = clean_inline(item.text.replace("\n", " "))
            if not text:
                continue
            blocks.append(Para(text, None, _outline_level(item)))
            if _style_name(item).lower() in _CAPTION_NAMES:
                captions.add(id(blocks[-1]))
        elif isinstance(item, Table):
            grid = make_grid(table_cells(item._tbl))
            if grid is None:
                continue
            if blocks and isinstance(blocks[-1], Para) and is_unit_line(blocks[-1].text):
                grid.preamble.insert(0, blocks.pop().text)  # type: ignore[union-attr]
            last = blocks[-1] if blocks else None
            if (
                not grid.caption
                and isinstance(last, Para)
                and last.level is None
                and (id(last) in captions or looks_like_caption(last.text))
            ):
                grid.caption = last.text
                blocks.pop()
            earlier = _continued(blocks, grid)
            if earlier is not None:
                # A table split by a note ("注：…接续如下") goes on under the header of the part before it.
                grid.header, grid.caption, grid.preamble = earlier.header, earlier.caption, list(earlier.preamble)
            blocks.append(grid)
    return blocks


_NOTES_BETWEEN = 2  # paragraphs (a note, a "续表" line) that may stand between a table and its continuation


def _continued(blocks: Sequence[Block], grid: Grid) -> Grid | None:
    """Return the table a header-less, caption-less table continues: the last table before it, with as many
    columns, when at most a short note stands between them."""
    if grid.header or grid.caption:
        return None
    for back, block in enumerate(reversed(blocks)):
        if isinstance(block, Grid):
            return block if block.header and block.columns == grid.columns else None
        if back >= _NOTES_BETWEEN or block.level is not None:
            return None  # a heading, or more than a note: a new table of its own
    return None


def _style_name(paragraph: Any) -> str:
    try:
        return str(paragraph.style.name or "")
    except (KeyError, AttributeError, ValueError):
        return ""


def _outline_level(paragraph: Any) -> int | None:
    """Return the outline level (1 = outermost) a paragraph's own format or style gives it, if any."""
    ppr = paragraph._p.pPr
    level = _outline_attr(ppr)
    style = None
    try:
        style = paragraph.style
    except (KeyError, AttributeError, ValueError):
        style = None
    seen = 0
    while level is None and style is not None and seen < 10:
        match = _HEADING_NAME.match(str(style.name or ""))
        if match:
            return int(match.group(1))
        level = _outline_attr(style.element.pPr)
        style = style.base_style
        seen += 1
    return level


def _outline_attr(ppr: Any) -> int | None:
    if ppr is None:
        return None
    node = ppr.find(f"{_W}outlineLvl")
    if node is None:
        return None
    value = node.get(f"{_W}val")
    if value is None or not value.isdigit() or int(value) >= 9:  # 9 is "body text"
        return None
    return int(value) + 1


def table_cells(tbl: Any) -> list[Cell]:
    """Return the cells of a Word table on its grid: gridSpan widens a cell, vMerge continues the one above."""
    cells: list[Cell] = []
    open_cells: dict[int, int] = {}  # grid column -> index in `cells` of the cell a vMerge continues
    row_index = 0
    for tr in tbl.findall(f"{_W}tr"):
        col = _grid_before(tr)
        placed = False
        for tc in tr.findall(f"{_W}tc"):
            tcpr = tc.find(f"{_W}tcPr")
            span = _int_val(tcpr, "gridSpan", 1)
            merge = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
            if merge is not None and merge.get(f"{_W}val") != "restart" and col in open_cells:
                above = cells[open_cells[col]]
                cells[open_cells[col]] = Cell(
                    above.row, above.col, row_index - above.row + 1, above.colspan, above.text
                )
            else:
                text = cell_text([_paragraph_text(p) for p in tc.iter(f"{_W}p")])
                cells.append(Cell(row_index, col, 1, span, text))
                for k in range(col, col + span):
                    open_cells.pop(k, None)
                open_cells[col] = len(cells) - 1
            col += span
            placed = True
        if placed:
            row_index += 1
    return cells


def _grid_before(tr: Any) -> int:
    trpr = tr.find(f"{_W}trPr")
    return _int_val(trpr, "gridBefore", 0)


def _int_val(parent: Any, tag: str, default: int) -> int:
    if parent is None:
        return default
    node = parent.find(f"{_W}{tag}")
    value = node.get(f"{_W}val") if node is not None else None
    return int(value) if value is not None and value.isdigit() else default


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for node in p.iter():
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag in (f"{_W}tab", f"{_W}br"):
            parts.append(" ")
    return "".join(parts)
