"""What every answerer receives and returns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.figures import AuditFinding
from assistant.question import QuestionAnalysis
from assistant.records import AnswerMode
from index.models import Document, Passage, ScoredPassage

REFUSAL_PREFIX = "报告未提及"
ENGLISH_REFUSAL_PREFIX = "The report does not mention"


@dataclass
class AnswerContext:
    """Everything an answerer may use: the question, the ranked passages, the corpus and its audit."""

    question: QuestionAnalysis
    hits: Sequence[ScoredPassage]
    documents: Sequence[Document]
    passages: Sequence[Passage]
    findings: Sequence[AuditFinding]


@dataclass
class Draft:
    """An answer draft: text whose [n] markers index `hits` (1-based), the quotes used, and notes."""

    text: str
    quotes: dict[int, str] = field(default_factory=dict)
    refused: bool = False
    warnings: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    mode: AnswerMode = "extractive"


class Answerer(Protocol):
    """Drafts an answer; `stream` yields text pieces and returns the final draft."""

    mode: str

    def answer(self, context: AnswerContext) -> Draft: ...

    def stream(self, context: AnswerContext) -> Iterator[str | Draft]: ...
