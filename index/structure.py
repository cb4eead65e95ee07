"""Find the outline of a Chinese official document and each paragraph's heading path.

Markers in their conventional nesting order: 附件 (an annex stands apart from the body) / 第X部分 > 第X章 > 第X节 > 一、 > （一）/(一) > 第X条 > 1./1、 >
（1） > ①. Headings are told from numbered body paragraphs by the document's own evidence:
- a heading is short and stands alone: no sentence end before its body ("(3)满意度指标。通过…" is a
  numbered paragraph, not a heading);
- the source marks it: a Word heading style or a larger font in a PDF (`Document.headings`), which also
  gives each marker kind its level in this document;
- its siblings look alike: in a run of numbered paragraphs of one kind where most are sentences, the odd
  short one is a list item too, and a run of headings begins at 1 (a lone "2.…" is not a heading);
- table rows are never headings; a table's caption is the last level of its rows' path.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.models import Document, Section, Table

_CN_NUM = "一二三四五六七八九十百零〇两"
# Marker kinds in their conventional nesting order (outermost first).
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "annex",
        re.compile(rf"^附件(?:[ \u3000]*(?:\d+|[{_CN_NUM}]+)[ \u3000]*[:：]?|[ \u3000]*[:：]|[ \u3000]+|$)[ \u3000]*"),
    ),
    ("division", re.compile(rf"^第[{_CN_NUM}\d]+部分[ \u3000]*")),
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
_NUMBERED = {"cn", "paren_cn", "num", "paren_num", "circled"}  # kinds whose runs must begin at 1
_MAX_STANDALONE_HEADING = 40
_SENTENCE_END = re.compile(r"[。！？；;!?]")
_CN_DIGITS = {ch: n for n, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the normalised text, with the heading path in force where it starts."""

    start: int
    end: int
    text: str
    path: tuple[str, ...]
    heading_only: bool
    table: Table | None = None


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
    number: int | None
    level: int | None = None  # the level the source marks, if any


def marker_of(text: str) -> tuple[str, str] | None:
    """Return (kind, marker) when a paragraph starts with an outline marker.

    >>> marker_of("（三）部门整体收支情况")
    ('paren_cn', '（三）')
    >>> marker_of("第一部分 部门基本情况")
    ('division', '第一部分')
    >>> marker_of("2023年，我部门收入") is None
    True
    """
    for kind, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            return kind, match.group(0).strip()
    return None


def marker_rank(kind: str) -> int:
    """Return a marker kind's place in the conventional nesting order (0 = outermost).

    >>> marker_rank("cn") < marker_rank("paren_cn") < marker_rank("num")
    True
    """
    return _RANK[kind]


def marker_number(marker: str) -> int | None:
    """Return the number a marker counts (一 → 1, （十二） → 12, 3. → 3, ② → 2).

    >>> [marker_number(m) for m in ["一、", "（十二）", "3.", "②", "第二十部分"]]
    [1, 12, 3, 2, 20]
    """
    if marker and "①" <= marker[0] <= "⑳":
        return ord(marker[0]) - ord("①") + 1
    digits = re.search(r"\d+", marker)
    if digits:
        return int(digits.group(0))
    numeral = re.search(rf"[{_CN_NUM}]+", marker)
    if not numeral:
        return None
    total, current = 0, 0
    for ch in numeral.group(0):
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
    return total + current


def _candidate(index: int, text: str, level: int | None) -> _Candidate | None:
    found = marker_of(text)
    if found is None:
        if level is None:
            return None
        return _Candidate(index, "", "", text.strip(), True, None, level)
    kind, marker = found
    body = text[len(marker) :].strip()
    if not body and kind != "annex":
        return None
    standalone = not body or (
        len(text) <= _MAX_STANDALONE_HEADING and not _SENTENCE_END.match(body[-1]) and body[-1] not in "：:，,"
    )
    return _Candidate(index, kind, marker, body, standalone, marker_number(marker), level)


def _split_paragraphs(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((offset, offset + len(line), line))
        offset += len(line) + 1
    return spans


def _levels_of_kinds(candidates: list[_Candidate]) -> dict[str, float]:
    """Return the level each marker kind has in this document, from the headings its source marks."""
    seen: dict[str, Counter[int]] = {}
    for c in candidates:
        if c.kind and c.level is not None:
            seen.setdefault(c.kind, Counter())[c.level] += 1
    return {kind: float(counts.most_common(1)[0][0]) for kind, counts in seen.items()}


def _rank(c: _Candidate, levels: dict[str, float]) -> float:
    """Return a heading's nesting rank: the level its source marks, else its kind's level in this document,
    else between the levels of the nearest kinds the document does mark, else the conventional order."""
    if c.level is not None:
        return float(c.level)
    if not levels:
        return float(_RANK[c.kind])
    if c.kind in levels:
        return levels[c.kind]
    outer = [levels[k] for k in levels if _RANK[k] < _RANK[c.kind]]
    inner = [levels[k] for k in levels if _RANK[k] > _RANK[c.kind]]
    if outer:
        return max(outer) + 0.5
    return min(inner) - 0.5


def _headings(candidates: dict[int, _Candidate]) -> dict[int, _Candidate]:
    """Pick the headings among the candidates, judging each run of same-kind siblings together."""
    levels = _levels_of_kinds(list(candidates.values()))
    marked_marker_levels = [c.level for c in candidates.values() if c.kind and c.level is not None]
    chosen: dict[int, _Candidate] = {}
    for i, c in candidates.items():
        if c.level is not None:
            # An unnumbered paragraph marked above every numbered heading is the document's title.
            if not c.kind and marked_marker_levels and c.level < min(marked_marker_levels):
                continue
            chosen[i] = c
        elif c.standalone:
            chosen[i] = c
    # Sibling runs: same kind, no heading of an outer or equal rank in between.
    runs: list[list[_Candidate]] = []
    open_runs: dict[str, list[_Candidate]] = {}
    for i in sorted(candidates):
        c = candidates[i]
        if not c.kind:
            open_runs.clear()
            continue
        rank = _rank(c, levels)
        for kind in list(open_runs):
            if kind != c.kind and i in chosen and _rank(open_runs[kind][-1], levels) >= rank:
                del open_runs[kind]  # a heading of an outer or equal rank closes inner runs
        if c.kind in open_runs:
            open_runs[c.kind].append(c)
        else:
            open_runs[c.kind] = [c]
            runs.append(open_runs[c.kind])
    last_number: dict[str, int] = {}
    for run in runs:
        unmarked = [c for c in run if c.level is None]
        standalone = [c for c in unmarked if c.standalone]
        if len(run) >= 3 and len(standalone) * 2 < len(run):
            for c in standalone:  # the odd short item of a list of sentences
                chosen.pop(c.index, None)
        first = run[0]
        continued = first.number is not None and last_number.get(first.kind) == first.number - 1
        if first.kind in _NUMBERED and first.number not in (None, 1) and not continued:
            # A run of headings begins at 1 (or goes on from the run before): "2.满意度调查结果汇总表" alone
            # is a list item.
            for c in run:
                previous = [p.number for p in run if p.index < c.index]
                if c.level is None and (c.number or 0) > 1 and (c.number or 0) - 1 not in previous:
                    chosen.pop(c.index, None)
                else:
                    break
        if run[-1].number is not None:
            last_number[first.kind] = run[-1].number
    return chosen


def parse_outline(document: Document) -> Outline:
    """Return the sections of a document and the heading path of every paragraph."""
    spans = _split_paragraphs(document.text)
    marks = {h.start: h.level for h in document.headings}
    tables = sorted(document.tables, key=lambda t: t.start)
    in_table: dict[int, Table] = {}
    t = 0
    for i, (start, _end, _text) in enumerate(spans):
        while t < len(tables) and tables[t].end <= start:
            t += 1
        if t < len(tables) and tables[t].start <= start < tables[t].end:
            in_table[i] = tables[t]
    candidates = {
        i: c
        for i, (start, _, text) in enumerate(spans)
        if i not in in_table and (c := _candidate(i, text, marks.get(start))) is not None
    }
    headings = _headings(candidates)
    levels = _levels_of_kinds(list(candidates.values()))
    stack: list[tuple[float, str]] = []  # (rank, heading text)
    opened: list[tuple[float, str, int, tuple[str, ...]]] = []  # (rank, marker, start, path)
    paragraphs: list[Paragraph] = []
    for i, (start, end, text) in enumerate(spans):
        table = in_table.get(i)
        if table is not None:
            path = tuple(label for _, label in stack) + ((table.caption,) if table.caption else ())
            lead_line = not table.rows or start < table.rows[0].start
            paragraphs.append(Paragraph(start, end, text, path, lead_line, table))
            continue
        heading = headings.get(i)
        if heading is not None:
            rank = _rank(heading, levels) if heading.kind else float(heading.level or 0)
            while stack and stack[-1][0] >= rank:
                stack.pop()
            label = f"{heading.marker}{heading.title}"
            stack.append((rank, label))
            opened.append((rank, heading.marker, start, tuple(lab for _, lab in stack)))
        path = tuple(label for _, label in stack)
        paragraphs.append(Paragraph(start, end, text, path, heading is not None))
    # Close each section where the next heading of the same or an outer rank starts.
    sections: list[Section] = []
    text_end = len(document.text)
    for n, (rank, marker, start, path) in enumerate(opened):
        end = next((s for r, _, s, _ in opened[n + 1 :] if r <= rank), text_end)
        sections.append(
            Section(level=len(path), marker=marker, title=path[-1][len(marker) :], start=start, end=end, path=path)
        )
    return Outline(sections=sections, paragraphs=paragraphs)


def parse_sections(document: Document) -> list[Section]:
    """Return the outline sections of a document."""
    return parse_outline(document).sections
