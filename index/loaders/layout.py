"""Rebuild paragraphs and tables from positioned lines (a PDF's text layer, or OCR of a page image).

A line starts a new paragraph where the page says so: it is indented or centred, the line before it stopped
short of the right margin, the font size changes, or a gap wider than the line spacing lies between them; a
line that goes on from a full line at the left margin, on the same page or the next, is joined to it. Page
numbers and running headers are dropped; a table at the top of a page that continues the table that ended
the page before is joined to it; the short title line right above a table becomes its caption. Font sizes
larger than the body text mark headings, ranked largest first.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.loaders.base import Block, Grid, Para
from index.loaders.grid import continues, is_unit_line, join, looks_like_caption
from index.normalize import clean_inline, is_page_number, join_wrapped, starts_outline

_SENTENCE_END = tuple("。！？；!?;")
_PARAGRAPH_END = tuple("。！？；!?;：:")
_FIRST_WORD = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.,%％/\-]*[%％]?")
_MAX_MARKED = 60  # characters: a longer paragraph in a large font is emphasis, not a heading
_EDGE_ZONE = 0.08  # share of the page height at top and bottom where running headers and footers sit


@dataclass
class Line:
    """A line of text on a page, with its box (points from the top-left corner) and font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    ocr: bool = False


@dataclass
class PlacedTable:
    """A table read from a page, where it sits, and the x positions of its column edges."""

    grid: Grid
    top: float
    bottom: float
    page: int
    edges: tuple[float, ...] = ()


@dataclass
class PageLayout:
    """What one page holds: its lines and tables, and its height (for telling headers and footers)."""

    number: int
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[PlacedTable] = field(default_factory=list)
    ocr: bool = False


@dataclass(frozen=True)
class _Metrics:
    """The document's body text: its font size, left margin, right margin and line pitch."""

    size: float
    left: float
    right: float
    pitch: float

    @classmethod
    def of(cls, lines: Sequence[Line]) -> _Metrics:
        if not lines:
            return cls(12.0, 0.0, 0.0, 14.0)
        weights: Counter[float] = Counter()
        for line in lines:
            weights[round(line.size * 2) / 2] += len(line.text)
        size = weights.most_common(1)[0][0]
        body = [line for line in lines if abs(line.size - size) <= 0.6] or list(lines)
        left = Counter(round(line.x0) for line in body).most_common(1)[0][0]
        rights = sorted(line.x1 for line in body)
        right = rights[int(0.9 * (len(rights) - 1))]
        gaps = [b.top - a.top for a, b in itertools.pairwise(body) if a.page == b.page and 0 < b.top - a.top < 3 * size]
        pitch = statistics.median(gaps) if gaps else size * 1.5
        return cls(size, float(left), right, pitch)


def _strip_running_lines(pages: list[PageLayout]) -> None:
    """Drop page numbers and the headers/footers repeated at the same place on many pages."""
    seen: Counter[str] = Counter()
    for page in pages:
        keys = {_running_key(line.text) for line in page.lines if _in_edge_zone(line, page)}
        seen.update(keys)
    repeated = {key for key, count in seen.items() if count >= 3 and count * 2 >= len(pages)}
    for page in pages:
        page.lines = [
            line
            for line in page.lines
            if not is_page_number(line.text) and not (_in_edge_zone(line, page) and _running_key(line.text) in repeated)
        ]


def _in_edge_zone(line: Line, page: PageLayout) -> bool:
    return line.bottom < page.height * _EDGE_ZONE or line.top > page.height * (1 - _EDGE_ZONE)


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _starts_paragraph(prev: Line | None, line: Line, prev_is_first: bool, m: _Metrics) -> bool:
    """Decide whether a line begins a new paragraph rather than continuing the line before it."""
    if prev is None:
        return True
    tolerance = 0.8 * m.size
    if not (line.ocr or prev.ocr) and abs(line.size - prev.size) > 0.6:
        return True  # a font change (OCR box heights are too uneven to tell one)
    indented = line.x0 > m.left + tolerance
    if prev.x1 < m.right - 2 * max(prev.size, m.size) and not _pushed_down(prev, line, m, indented):
        return True  # the line before stopped short: its paragraph ended there
    if prev.text.rstrip().endswith(_PARAGRAPH_END) and starts_outline(line.text):
        return True  # a sentence ends the line and a numbered item opens the next
    if prev.page == line.page and line.top - prev.bottom > max(m.pitch, line.size) * 1.2:
        return True  # a blank line between them
    # A first-line indent or a centred line starts a paragraph; the lines of an indented block go on at its x0.
    return indented and (prev_is_first or abs(line.x0 - prev.x0) > 2)


def _pushed_down(prev: Line, line: Line, m: _Metrics, indented: bool) -> bool:
    """Tell whether a short line stopped short only because the number or Latin word opening the next line
    did not fit in the room left (a word processor never breaks inside one)."""
    word = _FIRST_WORD.match(line.text.strip())
    if word is None or indented or prev.text.rstrip().endswith(_PARAGRAPH_END):
        return False
    room = m.right - prev.x1
    return room < 0.6 * line.size * len(word.group(0)) + line.size


def _paragraphs(lines: list[Line], metrics: dict[bool, _Metrics]) -> list[list[Line]]:
    groups: list[list[Line]] = []
    for line in lines:
        prev = groups[-1][-1] if groups else None
        if prev is not None and prev.ocr != line.ocr:
            prev = None  # a scanned page next to a text page: their coordinates do not compare
        if prev is not None and not _starts_paragraph(prev, line, len(groups[-1]) == 1, metrics[line.ocr]):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _heading_levels(groups: list[list[Line]], m: _Metrics) -> dict[float, int]:
    """Rank the font sizes larger than the body's that short paragraphs use: the largest is level 1."""
    sizes = {
        round(g[0].size * 2) / 2
        for g in groups
        if g[0].size > m.size + 0.6 and not g[0].ocr and len("".join(line.text for line in g)) <= _MAX_MARKED
    }
    return {size: rank for rank, size in enumerate(sorted(sizes, reverse=True), start=1)}


def _para(group: list[Line], levels: dict[float, int]) -> Para:
    text = clean_inline(join_wrapped([line.text.strip() for line in group]))
    level = levels.get(round(group[0].size * 2) / 2)
    if level is not None and (len(text) > _MAX_MARKED or text.endswith(_SENTENCE_END)):
        level = None
    return Para(text, group[0].page, level, group[0].ocr)


def _take_caption(blocks: list[Block], grid: Grid) -> None:
    """Move the unit line and the caption right above a table from the paragraphs into the table."""
    if blocks and isinstance(blocks[-1], Para) and is_unit_line(blocks[-1].text):
        grid.preamble.insert(0, blocks.pop().text)  # type: ignore[union-attr]
    if not grid.caption and blocks and isinstance(blocks[-1], Para):
        last = blocks[-1]
        if last.page == grid.page and looks_like_caption(last.text) and last.level is None:
            grid.caption = last.text
            blocks.pop()


def blocks_from_pages(pages: list[PageLayout]) -> list[Block]:
    """Return the paragraphs and tables of laid-out pages, in reading order."""
    _strip_running_lines(pages)
    every = [line for page in pages for line in page.lines]
    metrics = {ocr: _Metrics.of([line for line in every if line.ocr == ocr]) for ocr in (False, True)}
    items: list[Line | PlacedTable] = []
    for page in pages:
        placed: list[tuple[float, int, Line | PlacedTable]] = [(line.top, 1, line) for line in page.lines]
        placed += [(table.top, 0, table) for table in page.tables]
        items.extend(item for _, _, item in sorted(placed, key=lambda x: (x[0], x[1])))
    # Group runs of lines into paragraphs; a table ends the paragraph before it.
    sequence: list[list[Line] | PlacedTable] = []
    run: list[Line] = []
    for item in items:
        if isinstance(item, Line):
            run.append(item)
            continue
        sequence.extend(_paragraphs(run, metrics))
        run = []
        sequence.append(item)
    sequence.extend(_paragraphs(run, metrics))
    levels = _heading_levels([s for s in sequence if isinstance(s, list)], metrics[False])
    blocks: list[Block] = []
    last_table: PlacedTable | None = None
    for entry in sequence:
        if isinstance(entry, list):
            blocks.append(_para(entry, levels))
            last_table = None
            continue
        if (
            last_table is not None
            and entry.page == last_table.page + 1
            and blocks
            and blocks[-1] is last_table.grid
            and _same_columns(last_table, entry)
            and continues(last_table.grid, entry.grid)
        ):
            joined = join(last_table.grid, entry.grid)
            blocks[-1] = joined
            last_table = PlacedTable(joined, entry.top, entry.bottom, entry.page, last_table.edges)
            continue
        _take_caption(blocks, entry.grid)
        blocks.append(entry.grid)
        last_table = entry
    return blocks


def _same_columns(a: PlacedTable, b: PlacedTable) -> bool:
    if not a.edges or not b.edges:
        return True
    if len(a.edges) != len(b.edges):
        return False
    width = max(a.edges[-1] - a.edges[0], 1.0)
    return all(abs(x - y) <= 0.02 * width for x, y in zip(a.edges, b.edges, strict=True))
