"""Cut a document into passages along its outline and sentence ends, never inside a number."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.models import CELL_SEPARATOR, Document, Passage, Table
from index.structure import Paragraph, marker_of, marker_rank, parse_outline

# Sentence ends; a full stop between digits (2.19) is not one.
_SENTENCE_END = re.compile(r"[。！？；!?;](?![0-9])[”’」』）)]?")
_CLAUSE_END = re.compile(r"[，、：,:](?![0-9])")
_MAX_LEAD = 40


@dataclass
class _Block:
    path: tuple[str, ...]
    spans: list[tuple[int, int]]
    table: Table | None = None


def _sentence_spans(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split text[start:end] at sentence ends; overlong sentences at clause ends."""
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.end()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    result: list[tuple[int, int]] = []
    for s, e in spans:
        while e - s > max_chars:
            cut = None
            # Search one character past the limit so the lookahead sees a digit after a separator ("18,|977"),
            # and only after the heading lines glued in front ("二、" is no clause end).
            body = max(s, text.rfind("\n", s, s + max_chars) + 1)
            for match in _CLAUSE_END.finditer(text, body, s + max_chars + 1):
                if match.end() <= s + max_chars:
                    cut = match.end()
            if cut is None or cut <= s:
                cut = _safe_cut(text, s, s + max_chars)
            result.append((s, cut))
            s = cut
        result.append((s, e))
    return [(s, e) for s, e in result if text[s:e].strip()]


def _safe_cut(text: str, start: int, limit: int) -> int:
    """Return a cut position at or before limit that does not fall inside a number."""
    cut = limit
    while cut > start + 1 and _inside_number(text, cut):
        cut -= 1
    return cut


def _inside_number(text: str, i: int) -> bool:
    """Tell whether cutting before text[i] would split a number such as 18,977.96 or 87.19%."""
    before, after = text[i - 1], text[i]
    if before.isdigit():
        return after.isdigit() or after == "%" or (after in ".," and i + 1 < len(text) and text[i + 1].isdigit())
    return before in ".," and after.isdigit() and i >= 2 and text[i - 2].isdigit()


def _blocks(paragraphs: list[Paragraph]) -> list[_Block]:
    """Group consecutive paragraphs under one heading path; heading-only paragraphs join what follows."""
    blocks: list[_Block] = []
    pending: list[tuple[int, int]] = []
    for para in paragraphs:
        span = (para.start, para.end)
        if blocks and not pending and blocks[-1].path == para.path and blocks[-1].table is para.table:
            blocks[-1].spans.append(span)
            continue
        pending.append(span)
        if para.heading_only:
            continue
        # Headings (and a table's caption and header) are glued to what they introduce: no passage is bare.
        blocks.append(_Block(para.path, [(pending[0][0], span[1])], para.table))
        pending = []
    if pending:
        if blocks:
            blocks[-1].spans.extend(pending)
        else:
            blocks.append(_Block((), pending))
    return blocks


def _lead_clause(text: str, start: int, end: int) -> str:
    """Return the opening clause of a paragraph (what a passage cut from its middle continues)."""
    start = text.rfind("\n", start, end) + 1 or start  # skip the heading lines glued in front
    match = re.search(r"[，。；：,;:]", text[start:end])
    stop = match.start() if match else end - start
    return text[start : start + min(stop, _MAX_LEAD)]


def _list_intro(text: str, spans: list[tuple[int, int]], index: int) -> str:
    """Return the sentence ending in a colon that introduces the list a paragraph belongs to."""
    if not marker_of(text[spans[index][0] : spans[index][1]]):
        return ""
    for start, end in reversed(spans[:index]):
        paragraph = text[start:end]
        if paragraph.endswith(("：", ":")):
            sentences = [s for s in re.split(r"(?<=[。；;])", paragraph) if s.strip()]
            return sentences[-1][-_MAX_LEAD:] if sentences else ""
        if not marker_of(paragraph):
            return ""
    return ""


def _item_groups(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """Return, per paragraph, the index of the first paragraph of the list item it belongs to.

    A numbered paragraph opens an item; the paragraphs after it belong to it until a paragraph numbered at
    its own or an outer level ("（2）项目支出。…" holds the ① ② ③ that follow it).
    """
    firsts: list[int] = []
    item_rank: int | None = None
    first = 0
    for index, (start, end) in enumerate(spans):
        body = text[max(start, text.rfind("\n", start, end) + 1) : end]  # past the heading lines glued in front
        found = marker_of(body)
        rank = marker_rank(found[0]) if found else None
        if rank is not None and (item_rank is None or rank <= item_rank):
            first, item_rank = index, rank
        elif rank is None and item_rank is None:
            first = index
        firsts.append(first)
    return firsts


@dataclass(frozen=True)
class _Unit:
    """A piece a passage is made of (a paragraph, a sentence run of a long one, a table row), with the lead a
    passage starting there carries and what a passage boundary before it costs."""

    start: int
    end: int
    lead: str
    cost: float  # 0 where a new item or paragraph starts; more where a boundary would cut one


_INSIDE_ITEM = 0.3  # boundary cost before a sub-item, away from the item it belongs to
_INSIDE_PARAGRAPH = 0.1  # boundary cost between two sentences of one paragraph


def _balance(units: list[_Unit], max_chars: int) -> list[tuple[int, int]]:
    """Cut a run of units into passages of at most max_chars that are as full and even as possible.

    Dynamic programming over boundaries: a passage costs its squared shortfall from max_chars (so no scraps
    are left) plus the cost of the boundary it starts at. A single unit longer than max_chars stands alone.
    """
    n = len(units)
    best = [0.0] + [float("inf")] * n
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            length = units[j - 1].end - units[i].start
            if length > max_chars and i < j - 1:
                break
            shortfall = max(0, max_chars - length) / max_chars
            cost = best[i] + shortfall**2 + (units[i].cost if i > 0 else 0.0)
            if cost < best[j]:
                best[j], cut[j] = cost, i
    spans: list[tuple[int, int]] = []
    j = n
    while j > 0:
        spans.append((cut[j], j))
        j = cut[j]
    return spans[::-1]


def _text_units(text: str, block: _Block, max_chars: int) -> list[_Unit]:
    """Return the units of a text block: whole paragraphs, and sentence runs of paragraphs too long for one."""
    firsts = _item_groups(text, block.spans)
    units: list[_Unit] = []
    for index, (p_start, p_end) in enumerate(block.spans):
        intro = _list_intro(text, block.spans, index)
        first = firsts[index]
        if first != index and not intro:
            intro = _lead_clause(text, *block.spans[first])  # a sub-item carries the item it belongs to
        cost = _INSIDE_ITEM if first != index else 0.0
        if p_end - p_start <= max_chars:
            units.append(_Unit(p_start, p_end, intro, cost))
            continue
        # A paragraph too long for one passage: runs of whole sentences, filled in reading order.
        opening = _lead_clause(text, p_start, p_end)
        runs: list[list[int]] = []
        for s, e in _sentence_spans(text, p_start, p_end, max_chars):
            if runs and e - runs[-1][0] <= max_chars:
                runs[-1][1] = e
            else:
                runs.append([s, e])
        for n, (s, e) in enumerate(runs):
            units.append(_Unit(s, e, intro if n == 0 else opening, cost if n == 0 else _INSIDE_PARAGRAPH))
    return units


def _pack(text: str, block: _Block, max_chars: int) -> list[tuple[int, int, str]]:
    """Pack a block into passages of at most max_chars, full and even: whole list items where they fit, else
    whole paragraphs, else sentences.

    Each passage comes with a lead: the clause or list intro it continues, for retrieval context.
    """
    units = _text_units(text, block, max_chars)
    return [(units[i].start, units[j - 1].end, units[i].lead) for i, j in _balance(units, max_chars)]


def table_lead(table: Table) -> str:
    """Return what a passage cut from the middle of a table carries: its caption and header line."""
    header = CELL_SEPARATOR.join(table.header) if table.header_row is not None else ""
    return "\n".join(part for part in (table.caption, header) if part)


def _pack_table(block: _Block, table: Table, max_chars: int) -> list[tuple[int, int, str]]:
    """Pack a table into passages of whole rows; those after the first carry caption and header as their lead."""
    lead = table_lead(table)
    units = [_Unit(start, end, lead, 0.0) for start, end in block.spans]
    return [(units[i].start, units[j - 1].end, units[i].lead if i > 0 else "") for i, j in _balance(units, max_chars)]


def chunk_document(document: Document, max_chars: int = 320) -> list[Passage]:
    """Return the passages of a document, in order, each with its heading path and span.

    A table row is never split: a table is packed by whole rows, its caption and header carried as the lead
    of each passage after the first.
    """
    outline = parse_outline(document)
    passages: list[Passage] = []
    for block in _blocks(outline.paragraphs):
        packed = (
            _pack_table(block, block.table, max_chars)
            if block.table is not None
            else _pack(document.text, block, max_chars)
        )
        for start, end, lead in packed:
            raw = document.text[start:end]
            start += len(raw) - len(raw.lstrip())
            end = start + len(raw.strip())
            passages.append(
                Passage(
                    id=f"{document.id}-{document.sha256[:8]}-{len(passages):04d}",
                    document_id=document.id,
                    document=document.name,
                    section_path=block.path,
                    text=document.text[start:end],
                    start=start,
                    end=end,
                    page=document.page_at(start),
                    lead=lead,
                    ocr=document.ocr_at(start),
                )
            )
    return passages
