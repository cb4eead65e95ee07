"""The sentences (and table rows) of retrieved passages, placed in their documents: the units of evidence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from index.facts import Fact, heading_title
from index.models import Document, Passage, ScoredPassage, Table
from index.sentences import sentence_units
from index.text import Span as TextSpan
from index.text import bigrams, clause_groups, clauses


@dataclass(frozen=True)
class Span:
    """A sentence or table row of a retrieved passage: its text, where it sits, and the facts inside it."""

    passage: Passage
    rank: int
    start: int
    end: int
    text: str
    heading: str
    lead: str
    facts: tuple[Fact, ...] = ()
    dense: float = 0.0  # the multilingual embedding's similarity to the question (the sentence's own, or its passage's)
    own_dense: bool = False  # whether `dense` is the sentence's own similarity (not its passage's)
    table: Table | None = field(default=None, compare=False)
    clause_spans: tuple[TextSpan, ...] = field(default=(), compare=False)
    group_spans: tuple[TextSpan, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.passage.document_id, self.start)

    @property
    def is_row(self) -> bool:
        return self.table is not None

    @property
    def context(self) -> str:
        """Heading and lead: what the span continues."""
        return f"{self.heading} {self.lead}".strip()

    @property
    def scope(self) -> str:
        """Every heading above the span: the subject a section's sentences speak of ("平台已与3个部门…" under the
        project's heading)."""
        return " ".join(heading_title(h) for h in self.passage.section_path)

    def grams(self) -> frozenset[str]:
        return bigrams(self.text)

    def clause_texts(self) -> list[str]:
        return [c.text for c in self.clause_spans] or [self.text]


_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|[①-⑳])")


def _heading(passage: Passage) -> str:
    return heading_title(passage.section_path[-1]) if passage.section_path else ""


def collect_spans(
    hits: Sequence[ScoredPassage], documents: dict[str, Document], facts: dict[str, list[Fact]]
) -> list[Span]:
    """Return the sentences and table rows of the hits, in rank order; sentences giving orders are left out."""
    spans: list[Span] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits):
        found = passage_spans(hit.passage, rank, documents.get(hit.passage.document_id), facts, seen)
        dense = hit.dense or 0.0
        spans.extend(replace(s, dense=dense) for s in found)
    return spans


def passage_spans(
    passage: Passage,
    rank: int,
    document: Document | None,
    facts: dict[str, list[Fact]],
    seen: set[tuple[str, int]] | None = None,
) -> list[Span]:
    """Return the spans of one passage (rank: its place among the hits)."""
    seen = set() if seen is None else seen
    heading = _heading(passage)
    document_facts = facts.get(passage.document_id, [])
    out: list[Span] = []
    line_lead, line_now = passage.lead, -1
    for unit, in_table, line in sentence_units(passage, document):
        if line != line_now:
            # The first line with evidence continues the passage's lead; a later paragraph leads with its own
            # first clause.
            line_lead = passage.lead if line_now < 0 else ""
            line_now = line
        table = document.table_at(unit.start) if in_table and document is not None else None
        item = table is None and _ITEM.match(unit.text) is not None
        if item:
            line_lead = ""  # "四是…": an item of an enumeration opens a topic of its own
        key = (passage.document_id, unit.start)
        if key in seen:
            continue
        seen.add(key)
        inside = tuple(f for f in document_facts if unit.start <= f.start < unit.end)
        out.append(
            Span(
                passage=passage,
                rank=rank,
                start=unit.start,
                end=unit.end,
                text=unit.text,
                heading=heading,
                lead=_table_lead(table) if table is not None else line_lead,
                facts=inside,
                table=table,
                clause_spans=tuple(_shift(c, unit.start) for c in clauses(unit.text)),
                group_spans=tuple(_shift(g, unit.start) for g in clause_groups(unit.text)),
            )
        )
        if table is None and (not line_lead or item):
            # What follows "一是上线时间滞后。" within the paragraph is about that item.
            first = clauses(unit.text)
            line_lead = first[0].text[:40] if first else ""
    return out


def _shift(span: TextSpan, offset: int) -> TextSpan:
    return TextSpan(span.start + offset, span.end + offset, span.text)


def _table_lead(table: Table) -> str:
    header = " ".join(table.header)
    return f"{table.caption} {header}".strip()
