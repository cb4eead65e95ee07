"""What the planner decides: quote these spans, compute this from these facts, or refuse saying what is stated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.evidence.spans import Span
from assistant.frame import Operation, QuestionFrame
from index.facts import Fact

PlanKind = Literal["answer", "refuse", "cannot_compute"]


@dataclass(frozen=True)
class Quote:
    """A run of a span quoted as evidence: from the clause that answers to the end of its clause group."""

    span: Span
    text: str
    facts: tuple[Fact, ...] = ()
    prefix: str = ""


@dataclass(frozen=True)
class Computation:
    """A figure the planner computed from resolved facts, with its formula."""

    operation: Operation
    label: str
    formula: str
    result: str
    operands: tuple[Fact, ...]
    notes: tuple[str, ...] = ()


@dataclass
class Plan:
    """The planned answer to one question (or one part of a compound question)."""

    frame: QuestionFrame
    kind: PlanKind
    quotes: list[Quote] = field(default_factory=list)
    computations: list[Computation] = field(default_factory=list)
    missing: str = ""
    notes: list[str] = field(default_factory=list)
    subject: str = ""  # the entity the answer names (the member a "which" question picked), for a later 它

    @property
    def relied(self) -> list[Fact]:
        """The facts the answer relies on (the figures that get badges)."""
        facts: list[Fact] = []
        for c in self.computations:
            facts.extend(c.operands)
        for q in self.quotes:
            facts.extend(q.facts)
        return list({(f.document_id, f.start): f for f in facts}.values())
