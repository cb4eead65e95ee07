"""The fact table: every figure of a report as a typed record (value, unit, role, subject, scope, period, span)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from index.figures import Family, Figure

Role = Literal[
    "adjusted_budget",
    "initial_budget",
    "budget",
    "adjustment",
    "spending",
    "income",
    "rate",
    "share",
    "score",
    "weight",
    "target",
    "actual",
    "change",
    "count",
    "amount",
    "other",
]
BUDGET_ROLES: frozenset[str] = frozenset({"adjusted_budget", "initial_budget", "budget"})
Period = Literal["current", "previous", "other"]


@dataclass(frozen=True)
class Fact:
    """One figure of a report, typed.

    `value`/`unit`/`magnitude` are as written (18,977.96万元: 18977.96, 万元, 1e4); `corrected` is the value
    after the audit's unit correction (same unit), with the reason in `correction`. `role` says what the
    figure is (a budget, a spending, a rate…), `subject` what it is of (项目支出, 某专项资金…), `context`
    the words around that subject (heading, paragraph lead, a table row's parents and caption), `scope` the
    heading path. A table cell carries its row label as subject and its column header in `column`.
    """

    id: int
    document_id: str
    text: str
    value: float
    unit: str
    family: Family
    counter: str
    magnitude: float
    decimals: int
    start: int
    end: int
    role: Role
    role_word: str
    label: str
    subject: str
    context: str
    scope: tuple[str, ...]
    period: Period
    sentence_start: int
    sentence_end: int
    column: str = ""
    table: int = -1
    row: int = -1
    qualifier: str = ""
    approximate: bool = False
    year: str = ""
    window: str = ""
    after: str = ""
    generic: bool = False  # the label names no subject of its own: a figure of the reporting unit as a whole
    corrected: float | None = None
    correction: str = ""
    inconsistent: tuple[str, ...] = ()

    @property
    def base(self) -> float:
        """Return the value in the base unit of its family (元 for money), corrected where the audit says so."""
        return self.value_used * self.magnitude

    @property
    def in_table(self) -> bool:
        return self.table >= 0

    @property
    def value_used(self) -> float:
        """The value computations use: the corrected one where the audit corrected the report."""
        return self.value if self.corrected is None else self.corrected

    def figure(self, corrected: bool = False) -> Figure:
        """Return the parser's Figure for this fact, as written (or with the audit's correction applied)."""
        value = self.value_used if corrected else self.value
        return Figure(
            text=self.text,
            value=value,
            unit=self.unit,
            family=self.family,
            counter=self.counter,
            magnitude=self.magnitude,
            decimals=self.decimals,
            start=self.start,
            end=self.end,
            label=self.label,
            after=self.after,
            window=self.window,
            qualifier=self.qualifier,
            approximate=self.approximate,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Fact:
        data = dict(data)
        data["scope"] = tuple(data.get("scope", ()))
        data["inconsistent"] = tuple(data.get("inconsistent", ()))
        return Fact(**data)


@dataclass
class FactTable:
    """The facts of one document version, in text order."""

    document_id: str
    version: str
    facts: list[Fact] = field(default_factory=list)
    report_year: str = ""
    unit_names: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts)

    def __len__(self) -> int:
        return len(self.facts)

    def _by_start(self) -> tuple[list[int], list[Fact]]:
        """The facts sorted by offset with their offsets, built once per facts list (a lookup is a bisection)."""
        cached = self.__dict__.get("_sorted")
        if cached is None or cached[2] is not self.facts or cached[3] != len(self.facts):
            ordered = sorted(self.facts, key=lambda f: f.start)
            cached = ([f.start for f in ordered], ordered, self.facts, len(self.facts))
            self.__dict__["_sorted"] = cached
        return cached[0], cached[1]

    def in_span(self, start: int, end: int) -> list[Fact]:
        """Return the facts whose figure starts inside [start, end), in text order."""
        starts, ordered = self._by_start()
        return ordered[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]

    def at(self, start: int) -> Fact | None:
        """Return the fact whose figure starts at an offset."""
        starts, ordered = self._by_start()
        i = bisect.bisect_left(starts, start)
        return ordered[i] if i < len(starts) and starts[i] == start else None

    def with_updates(self, updates: dict[int, dict[str, Any]]) -> FactTable:
        """Return a copy with some facts' fields replaced (by fact id)."""
        facts = [replace(f, **updates[f.id]) if f.id in updates else f for f in self.facts]
        return FactTable(self.document_id, self.version, facts, self.report_year, self.unit_names)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "version": self.version,
            "report_year": self.report_year,
            "unit_names": list(self.unit_names),
            "facts": [f.to_dict() for f in self.facts],
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> FactTable:
        return FactTable(
            document_id=data["document_id"],
            version=data["version"],
            facts=[Fact.from_dict(f) for f in data.get("facts", [])],
            report_year=data.get("report_year", ""),
            unit_names=tuple(data.get("unit_names", ())),
        )


def facts_of(tables: Iterable[FactTable]) -> list[Fact]:
    """Return the facts of several tables in one list."""
    return [f for table in tables for f in table.facts]


def restatements(facts: Sequence[Fact], fact: Fact) -> list[Fact]:
    """Return the other places a report states the same figure of the same subject (a table row and the
    prose of the subject's own section): a figure in a failing relation is inconsistent wherever it appears."""
    if not fact.subject:
        return []
    out: list[Fact] = []
    for other in facts:
        if other.id == fact.id or other.family != fact.family or other.base != fact.base:
            continue
        if other.role != fact.role or other.period != fact.period:
            continue
        where = f"{other.subject} {other.label} {other.context} {' '.join(other.scope)}"
        if fact.subject in where:
            out.append(other)
    return out
