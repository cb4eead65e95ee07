"""Find the outline of a Chinese official document (第X章, 一、 （一） 1. （1） ①) and each paragraph's heading path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.models import Document, Section

_CN_NUM = "一二三四五六七八九十百零〇两"
# Marker kinds in their conventional nesting order (outermost first).
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"^第[{_CN_NUM}\d]+章[ \u3000]*")),
    ("part", re.compile(rf"^第[{_CN_NUM}\d]+节[ \u3000]*")),
    ("cn", re.compile(rf"^[{_CN_NUM}]+[、.．][ \u3000]*")),
    ("paren_cn", re.compile(rf"^[（(][{_CN_NUM}]+[)）][ \u3000]*")),
    ("article", re.compile(rf"^第[{_CN_NUM}\d]+条[ \u3000]*")),
    ("num", re.compile(r"^\d{1,2}[.．、](?!\d)[ \u3000]*")),
    ("paren_num", re.compile(r"^[（(]\d{1,2}[)）][ \u3000]*")),
    ("circled", re.compile(r"^[①-⑳][ \u3000]*")),
)
_RANK = {kind: rank for rank, (kind, _) in enumerate(_MARKERS)}
_MAX_STANDALONE_HEADING = 40
_MAX_INLINE_HEADING = 24
_SENTENCE_END = re.compile(r"[。！？；;!?]")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the normalised text, with the heading path in force where it starts."""

    start: int
    end: int
    text: str
    path: tuple[str, ...]
    heading_only: bool


@dataclass(frozen=True)
class Outline:
    """The sections of a document and its paragraphs, each with its heading path."""

    sections: list[Section]
    paragraphs: list[Paragraph]


@dataclass
class _Candidate:
    index: int
    kind: str
    marker: str
    title: str
    standalone: bool
    inline_ok: bool


def marker_of(text: str) -> tuple[str, str] | None:
    """Return (kind, marker) when a paragraph starts with an outline marker.

    >>> marker_of("（三）部门整体收支情况")
    ('paren_cn', '（三）')
    >>> marker_of("2023年，我部门收入") is None
    True
    """
    for kind, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            return kind, match.group(0).strip()
    return None


def _candidate(index: int, text: str) -> _Candidate | None:
    found = marker_of(text)
    if found is None:
        return None
    kind, marker = found
    body = text[len(marker) :].strip()
    if not body:
        return None
    standalone = len(text) <= _MAX_STANDALONE_HEADING and not _SENTENCE_END.match(body[-1]) and body[-1] not in "：:，,"
    first = _SENTENCE_END.search(body)
    inline_ok = False
    title = body
    if not standalone and first is not None:
        head = body[: first.start()]
        rest = body[first.end() :].strip()
        inline_ok = 0 < len(head) <= _MAX_INLINE_HEADING and "，" not in head and "," not in head and bool(rest)
        title = head
    return _Candidate(index, kind, marker, title, standalone, inline_ok)


def _split_paragraphs(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((offset, offset + len(line), line))
        offset += len(line) + 1
    return spans


def _headings(paragraphs: list[tuple[int, int, str]]) -> dict[int, _Candidate]:
    """Pick the paragraphs that are headings; inline headings only where most siblings look alike."""
    candidates = {i: c for i, (_, _, text) in enumerate(paragraphs) if (c := _candidate(i, text)) is not None}
    headings = {i: c for i, c in candidates.items() if c.standalone}
    # Inline headings ("（1）推进政务服务全程标准化。一是…") versus list items ("1.负责…。"): judge each run of
    # same-kind markers together, since list items and headings rarely mix within one run.
    runs: list[list[_Candidate]] = []
    for i in sorted(candidates):
        c = candidates[i]
        if c.standalone:
            continue
        if (
            runs
            and runs[-1][-1].kind == c.kind
            and not any(
                j in headings and _RANK[headings[j].kind] <= _RANK[c.kind] for j in range(runs[-1][-1].index + 1, i)
            )
        ):
            runs[-1].append(c)
        else:
            runs.append([c])
    for run in runs:
        if sum(c.inline_ok for c in run) * 2 > len(run):
            headings.update({c.index: c for c in run if c.inline_ok})
    return headings


def parse_outline(document: Document) -> Outline:
    """Return the sections of a document and the heading path of every paragraph."""
    spans = _split_paragraphs(document.text)
    headings = _headings(spans)
    stack: list[tuple[int, str, int]] = []  # (rank, heading text, section index)
    open_sections: list[tuple[int, str, str, int, tuple[str, ...]]] = []
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    for i, (start, end, text) in enumerate(spans):
        heading = headings.get(i)
        if heading is not None:
            rank = _RANK[heading.kind]
            while stack and stack[-1][0] >= rank:
                stack.pop()
            label = f"{heading.marker}{heading.title}"
            stack.append((rank, label, len(open_sections)))
            path = tuple(label for _, label, _ in stack)
            open_sections.append((rank, heading.kind, heading.marker, start, path))
        path = tuple(label for _, label, _ in stack)
        paragraphs.append(Paragraph(start, end, text, path, heading is not None and heading.standalone))
    # Close each section where the next heading of the same or an outer rank starts.
    text_end = len(document.text)
    for n, (rank, _kind, marker, start, path) in enumerate(open_sections):
        end = text_end
        for later_rank, _, _, later_start, _ in open_sections[n + 1 :]:
            if later_rank <= rank:
                end = later_start
                break
        sections.append(
            Section(level=len(path), marker=marker, title=path[-1][len(marker) :], start=start, end=end, path=path)
        )
    return Outline(sections=sections, paragraphs=paragraphs)


def parse_sections(document: Document) -> list[Section]:
    """Return the outline sections of a document."""
    return parse_outline(document).sections
