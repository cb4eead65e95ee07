"""What the audit rules read of one report: its facts by sentence, clause group, paragraph and table row.

The rules relate facts through the fact table's roles, subjects, scopes and periods; this view gives them the
places facts stand in (a sentence, a paragraph and its outline, a table row and its label) and collects what
they find: findings, and the unit slips that a relation reveals.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from assistant.figures.relations import (
    AuditFinding,
    FindingKind,
    Outcome,
    Severity,
    shown,
    unit_name,
)
from index.facts import BUDGET_ROLES, Fact, FactTable
from index.facts.roles import strip_trailing
from index.lexicon import load
from index.models import SECTION_SEPARATOR, Document, Section
from index.structure import Outline, Paragraph, marker_of, parse_outline
from index.text import Span, clause_groups, clauses

MONEY_ROLES = frozenset({*BUDGET_ROLES, "spending", "income", "adjustment", "amount", "actual"})
_RANK = {"cn": 0, "paren_cn": 1, "num": 2, "paren_num": 3, "circled": 4}
_EMPTY = frozenset({"", "—", "-", "－", "/", "——", "无", "－－"})
_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def lexicon(table: str, key: str) -> tuple[str, ...]:
    """Return one list of the audit lexicon (index/lexicon/audit.toml), longest words first."""
    data: dict[str, dict[str, list[str]]] = load("audit")
    return tuple(sorted(data[table][key], key=len, reverse=True))


def has_word(text: str, table: str, key: str) -> bool:
    """Tell whether a text contains a word of one list of the audit lexicon."""
    return any(w in text for w in lexicon(table, key))


def ends_with_word(text: str, table: str, key: str) -> bool:
    """Tell whether a text ends with a word of one list of the audit lexicon."""
    return any(text.endswith(w) for w in lexicon(table, key))


def starts_with_word(text: str, table: str, key: str) -> bool:
    """Tell whether a text starts with a word of one list of the audit lexicon."""
    return any(text.startswith(w) for w in lexicon(table, key))


def is_deduction(fact: Fact) -> bool:
    """Tell whether a score figure is points taken off (扣0.5分), not a score given."""
    return ends_with_word(strip_trailing(fact.label), "scores", "deduction")


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


@dataclass
class Row:
    """A body row of a table: its label (the last label cell), outline rank, and its facts by column."""

    table: int
    index: int
    label: str
    rank: int | None
    facts: list[Fact]

    @property
    def name(self) -> str:
        """The label without its outline marker or 其中 (for claims)."""
        return _bare(self.label)

    @property
    def is_part(self) -> bool:
        return starts_with_word(self.label, "breakdown", "row_part")

    @property
    def is_total(self) -> bool:
        bare = _bare(self.label)
        return not self.is_average and (
            starts_with_word(bare, "totals", "total") or ends_with_word(bare, "totals", "total")
        )

    @property
    def is_subtotal(self) -> bool:
        return self.is_total and has_word(_bare(self.label), "totals", "subtotal")

    @property
    def is_average(self) -> bool:
        return starts_with_word(_bare(self.label), "totals", "average")

    def cell(self, column: str) -> Fact | None:
        return next((f for f in self.facts if f.column == column), None)


def _bare(label: str) -> str:
    label = _bare_part(label)
    found = marker_of(label)
    return label[len(found[1]) :].strip() if found else label


def _bare_part(label: str) -> str:
    for word in lexicon("breakdown", "row_part"):
        if label.startswith(word):
            return label[len(word) :].lstrip("：:")
    return label


@dataclass(frozen=True)
class Slip:
    """A money figure written in the wrong unit, shown by the relations that hold once it is corrected."""

    fact: Fact
    magnitude: float
    formulas: tuple[str, ...]


@dataclass
class ReportView:
    """One document's facts with where they stand, and what the rules found in them."""

    document: Document
    table: FactTable
    outline: Outline = field(init=False)
    findings: list[AuditFinding] = field(default_factory=list)
    slips: dict[int, Slip] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.outline = parse_outline(self.document)
        self.text = self.document.text
        self.facts: list[Fact] = list(self.table.facts)
        self._ordered = sorted(self.facts, key=lambda f: f.start)
        self._fact_starts = [f.start for f in self._ordered]
        self._paragraphs = [p for p in self.outline.paragraphs if p.end > p.start]
        self._starts = [p.start for p in self._paragraphs]
        money = [f for f in self.facts if f.family == "money"]
        counts: dict[float, int] = {}
        for f in money:
            counts[f.magnitude] = counts.get(f.magnitude, 0) + 1
        self.money_magnitude = max(counts, key=lambda m: counts[m]) if counts else 1e4
        self.money_magnitudes = tuple(sorted(counts, key=lambda m: -counts[m]))
        self._sentences: dict[int, list[Fact]] = {}
        self._rows: dict[tuple[int, int], list[Fact]] = {}
        for f in self.facts:
            if f.in_table:
                self._rows.setdefault((f.table, f.row), []).append(f)
            else:
                self._sentences.setdefault(f.sentence_start, []).append(f)
        self._groups: dict[int, list[Span]] = {}
        self._scores_by_scope: dict[tuple[str, ...], list[Fact]] | None = None
        self._children: dict[tuple[str, ...], list[Section]] | None = None

    # -- places ----------------------------------------------------------------------------------------
    def sentences(self) -> list[list[Fact]]:
        """Return the prose facts sentence by sentence, in text order."""
        return [self._sentences[k] for k in sorted(self._sentences)]

    def sentence_of(self, fact: Fact) -> list[Fact]:
        return self._sentences.get(fact.sentence_start, []) if not fact.in_table else []

    def group_of(self, fact: Fact) -> Span:
        """Return the clause group (the text between semicolons) a prose fact stands in."""
        groups = self._groups.get(fact.sentence_start)
        if groups is None:
            groups = clause_groups(self.text, fact.sentence_start, fact.sentence_end)
            self._groups[fact.sentence_start] = groups
        return next(
            (g for g in groups if g.start <= fact.start < g.end + 1), Span(fact.sentence_start, fact.sentence_end, "")
        )

    def clause_of(self, fact: Fact) -> Span:
        """Return the clause (the text between commas) a prose fact stands in."""
        spans = clauses(self.text, fact.sentence_start, fact.sentence_end)
        return next((c for c in spans if c.start <= fact.start < c.end + 1), Span(fact.start, fact.end, ""))

    def paragraph_of(self, fact: Fact) -> Paragraph | None:
        return self.paragraph_at(fact.start)

    def paragraph_at(self, offset: int) -> Paragraph | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return None
        p = self._paragraphs[i]
        return p if p.start <= offset <= p.end else None

    def path_at(self, offset: int) -> tuple[str, ...]:
        """Return the heading path in force at an offset."""
        paragraph = self.paragraph_at(offset)
        return paragraph.path if paragraph is not None else ()

    def paragraph_index(self, fact: Fact) -> int:
        return bisect.bisect_right(self._starts, fact.start) - 1

    @property
    def paragraphs(self) -> list[Paragraph]:
        return self._paragraphs

    def facts_in(self, start: int, end: int, prose: bool = True) -> list[Fact]:
        """Return the facts whose figure starts inside [start, end) (prose only by default), in text order."""
        found = self._ordered[bisect.bisect_left(self._fact_starts, start) : bisect.bisect_left(self._fact_starts, end)]
        return [f for f in found if not prose or not f.in_table]

    def children(self, section: Section) -> list[Section]:
        """Return the sections directly under a section, in order."""
        if self._children is None:
            grouped: dict[tuple[str, ...], list[Section]] = {}
            for s in self.outline.sections:
                if s.path:
                    grouped.setdefault(s.path[:-1], []).append(s)
            self._children = grouped
        return self._children.get(section.path, [])

    def prose_scores(self, scope: tuple[str, ...]) -> list[Fact]:
        """Return the score facts of the prose directly under a heading path, in text order."""
        if self._scores_by_scope is None:
            grouped: dict[tuple[str, ...], list[Fact]] = {}
            for f in self.facts:
                if not f.in_table and f.family == "score":
                    grouped.setdefault(f.scope, []).append(f)
            self._scores_by_scope = grouped
        return self._scores_by_scope.get(scope, [])

    def section(self, fact: Fact) -> str:
        return SECTION_SEPARATOR.join(fact.scope)

    def rows(self, table: int) -> list[Row]:
        """Return the body rows of a table that carry facts, with their labels and outline ranks."""
        out: list[Row] = []
        source = self.document.tables[table]
        for r, row in enumerate(source.rows):
            facts = self._rows.get((table, r), [])
            label = _row_label(row.cells, source.header, facts)
            found = marker_of(_bare_part(label))
            rank = _RANK.get(found[0]) if found else None
            out.append(Row(table, r, label, rank, facts))
        return out

    # -- what a fact is ----------------------------------------------------------------------------------
    def is_target(self, fact: Fact) -> bool:
        """Tell whether a fact states a goal (a target role, a goals paragraph, a label naming a plan)."""
        if fact.role == "target" or fact.qualifier:
            return True
        if fact.in_table:
            return False
        if has_word(fact.label, "targets", "lead") and not has_word(fact.label, "targets", "results"):
            return True
        paragraph = self.paragraph_of(fact)
        if paragraph is None:
            return False
        body = paragraph.text
        found = marker_of(body)
        if found:
            body = body[len(found[1]) :]
        lead = re.split(r"[：:。]", body, maxsplit=1)[0]
        if len(lead) > 40:
            return False
        lead = strip_trailing(lead.rstrip("为是有如下"))
        for word in lexicon("breakdown", "announce"):  # "年度目标主要包括：…"
            if lead.endswith(word) and len(lead) > len(word):
                lead = lead[: -len(word)].removesuffix("主要")
                break
        return ends_with_word(lead, "targets", "lead") and not has_word(lead, "targets", "results")

    def entity(self, fact: Fact) -> str:
        """Return the thing a fact's section is about: its deepest heading that names one, not a topic."""
        from index.facts import heading_title

        for heading in reversed(fact.scope):
            title = heading_title(heading)
            if title and not ends_with_word(title, "headings", "topic") and not title.startswith("表"):
                return title
        return ""

    def name_of(self, fact: Fact) -> str:
        """Return what a fact is, for a claim: its label with its subject when the label leaves it out."""
        if fact.in_table:
            return f"{fact.subject}{fact.column}"
        label = strip_trailing(fact.label) or fact.subject
        for word in lexicon("breakdown", "partial"):
            label = label.removeprefix(word).lstrip("：:")
        if not fact.generic and fact.subject and fact.subject not in label:
            label = f"{fact.subject}{label}"
        return label

    def unit_level(self, fact: Fact) -> bool:
        """Tell whether a fact is the reporting unit's own (我局全年支出, 凤栖分局部门预算总收入)."""
        if not fact.generic:
            return False
        label = fact.label
        return has_word(label, "reporting_unit", "self") or any(n and n in label for n in self.table.unit_names)

    # -- findings --------------------------------------------------------------------------------------
    def add(
        self,
        kind: FindingKind,
        claim: str,
        formula: str,
        stated: str,
        computed: str,
        holds: bool,
        facts: Sequence[Fact],
        severity: Severity | None = None,
        section: str | None = None,
    ) -> None:
        """Record a finding; its section is that of its last fact unless given."""
        last = facts[-1] if facts else None
        self.findings.append(
            AuditFinding(
                claim=claim,
                formula=formula,
                stated=stated,
                computed=computed,
                holds=holds,
                kind=kind,
                section=section if section is not None else self.section(last) if last is not None else "",
                document_id=self.document.id,
                figures=tuple(f.figure() for f in facts),
                severity=severity or ("成立" if holds else "不一致"),
            )
        )

    def report(
        self,
        kind: FindingKind,
        claim: str,
        formula: str,
        stated: Fact,
        outcome: Outcome,
        computed: str,
        facts: Sequence[Fact],
        slipped: Fact | None = None,
        magnitude: float | None = None,
    ) -> None:
        """Record a recomputed relation: holds, holds within rounding (提示), or fails; note a unit slip."""
        if slipped is not None and magnitude is not None:
            unit = unit_name(magnitude)
            claim += f"（{shown(slipped)}按{unit}计成立）"
            formula += f"（{shown(slipped)}按{unit}计）"
            self.slip(slipped, magnitude, formula)
        if not outcome.holds:
            claim = (
                claim.replace("等于", "不等于", 1) + f"（复算为{computed}）"
                if "等于" in claim
                else f"{claim}，复算为{computed}"
            )
        if outcome.verdict == "rounding":
            self.add(kind, claim + "（末位差异在舍入范围内）", formula, shown(stated), computed, True, facts, "提示")
        else:
            self.add(kind, claim, formula, shown(stated), computed, outcome.holds, facts)

    def slip(self, fact: Fact, magnitude: float, formula: str) -> None:
        """Note that a relation holds once a money figure is read in another unit."""
        known = self.slips.get(fact.id)
        formulas = (*known.formulas, formula) if known else (formula,)
        self.slips[fact.id] = Slip(fact, magnitude, formulas)

    def suspects(self, facts: Iterable[Fact]) -> list[Fact]:
        """Return the money facts of a relation written in a unit the report rarely uses (slip candidates)."""
        return [f for f in facts if f.family == "money" and f.magnitude != self.money_magnitude]


def _row_label(cells: Sequence[str], header: Sequence[str], facts: Sequence[Fact]) -> str:
    """Return the label of a table row: its last non-empty cell before the first cell that holds a fact."""
    columns = [header.index(f.column) for f in facts if f.column in header]
    first = min(columns) if columns else len(cells)
    label = ""
    for column, cell in enumerate(cells[:first]):
        text = cell.strip()
        if text in _EMPTY or (column == 0 and text.isdigit()):
            continue
        label = text
    return label


__all__ = [
    "MONEY_ROLES",
    "ReportView",
    "Row",
    "Slip",
    "cjk_count",
    "ends_with_word",
    "has_word",
    "lexicon",
    "starts_with_word",
]
