"""Cut a document into passages along its outline and sentence ends, never inside a number."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.models import Document, Passage
from index.structure import Paragraph, parse_outline

# Sentence ends; a full stop between digits (2.19) is not one.
_SENTENCE_END = re.compile(r"[。！？；!?;](?![0-9])[”’」』）)]?")
_CLAUSE_END = re.compile(r"[，、：,:](?![0-9])")


@dataclass
class _Block:
    path: tuple[str, ...]
    spans: list[tuple[int, int]]


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
            for match in _CLAUSE_END.finditer(text, s, s + max_chars):
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
    while cut > start + 1 and (text[cut - 1].isdigit() or text[cut - 1] in ".,") and text[cut].isdigit():
        cut -= 1
    return cut


def _blocks(paragraphs: list[Paragraph]) -> list[_Block]:
    """Group consecutive paragraphs under one heading path; heading-only paragraphs join what follows."""
    blocks: list[_Block] = []
    pending: list[tuple[int, int]] = []
    for para in paragraphs:
        span = (para.start, para.end)
        if blocks and not pending and blocks[-1].path == para.path:
            blocks[-1].spans.append(span)
            continue
        pending.append(span)
        if para.heading_only:
            continue
        blocks.append(_Block(para.path, pending))
        pending = []
    if pending:
        if blocks:
            blocks[-1].spans.extend(pending)
        else:
            blocks.append(_Block((), pending))
    return blocks


def _pack(text: str, block: _Block, max_chars: int) -> list[tuple[int, int]]:
    """Pack a block's sentences into passages of at most max_chars, preferring paragraph ends."""
    pieces: list[tuple[int, int, bool]] = []  # (start, end, ends a paragraph)
    for start, end in block.spans:
        sentences = _sentence_spans(text, start, end, max_chars)
        pieces.extend((s, e, i == len(sentences) - 1) for i, (s, e) in enumerate(sentences))
    passages: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for s, e, _ in pieces:
        if current is None:
            current = (s, e)
        elif e - current[0] <= max_chars:
            current = (current[0], e)
        else:
            passages.append(current)
            current = (s, e)
    if current is not None:
        passages.append(current)
    # Fold a small tail into its predecessor rather than leaving a scrap.
    if len(passages) >= 2 and passages[-1][1] - passages[-1][0] < max_chars // 5:
        tail = passages.pop()
        passages[-1] = (passages[-1][0], tail[1])
    return passages


def chunk_document(document: Document, max_chars: int = 320) -> list[Passage]:
    """Return the passages of a document, in order, each with its heading path and span."""
    outline = parse_outline(document)
    passages: list[Passage] = []
    for block in _blocks(outline.paragraphs):
        for start, end in _pack(document.text, block, max_chars):
            raw = document.text[start:end]
            lead = len(raw) - len(raw.lstrip())
            start += lead
            end = start + len(raw.strip())
            passages.append(
                Passage(
                    id=f"{document.id}-{len(passages):04d}",
                    document_id=document.id,
                    document=document.name,
                    section_path=block.path,
                    text=document.text[start:end],
                    start=start,
                    end=end,
                    page=document.page_at(start),
                )
            )
    return passages
