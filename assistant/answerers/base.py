"""What every answerer receives and returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from assistant.figures import AuditFinding
from assistant.frame import QuestionFrame
from assistant.records import AnswerMode
from index.facts import Fact
from index.models import Document, Passage, ScoredPassage

if TYPE_CHECKING:
    from assistant.knowledge import Knowledge

REFUSAL_PREFIX = "报告未提及"
ENGLISH_REFUSAL_PREFIX = "The report does not mention"


@dataclass
class AnswerContext:
    """Everything an answerer may use: the question's frame, the ranked passages, and what is known of the
    reports (documents, passages, fact tables, the audit). An answerer may append passages to `hits` (the
    passage of a fact it relies on that retrieval did not bring): markers index this list."""

    question: QuestionFrame
    hits: list[ScoredPassage]
    knowledge: Knowledge
    text: str = ""  # the stand-alone question as asked (the frame reads it without orders to the assistant)
    # The embedding similarity of texts to a question (sentence ranking across languages); None offline tests.
    similarity: Callable[[str, Sequence[str]], list[float]] | None = None
    # The question's embedding vector (the one retrieval used), to rank every sentence of the reports by meaning.
    query_vector: Sequence[float] | None = None

    @property
    def asked(self) -> str:
        return self.text or self.question.text

    @property
    def documents(self) -> Sequence[Document]:
        return self.knowledge.documents

    @property
    def passages(self) -> Sequence[Passage]:
        return self.knowledge.passages

    @property
    def findings(self) -> Sequence[AuditFinding]:
        return self.knowledge.findings


@dataclass
class Draft:
    """An answer draft: text whose [n] markers index `hits` (1-based), the quotes used, and notes."""

    text: str
    quotes: dict[int, str] = field(default_factory=dict)
    refused: bool = False
    warnings: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)  # computed result as written -> its formula
    relied: list[Fact] = field(default_factory=list)  # the report figures the answer rests on
    mode: AnswerMode = "extractive"


class Answerer(Protocol):
    """Drafts an answer; `stream` yields text pieces and returns the final draft."""

    mode: str

    def answer(self, context: AnswerContext) -> Draft: ...

    def stream(self, context: AnswerContext) -> Iterator[str | Draft]: ...
