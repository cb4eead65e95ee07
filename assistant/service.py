"""The composition root: `build_assistant(settings)` wires corpus, answerers and chain into one Assistant."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from assistant.answerers.base import Answerer
from assistant.chain import AnswerChain, QuestionError, StreamEvent, Turn
from assistant.corpus import Corpus, open_corpus
from assistant.figures.review import Show, review
from assistant.knowledge import Knowledge, KnowledgeCache, build_knowledge
from assistant.records import AnswerRecord, ChatTurn, FindingView
from assistant.settings import Settings
from index.models import Document
from index.sentences import SentenceVectors

__all__ = ["Assistant", "QuestionError", "StreamEvent", "build_assistant"]


class Assistant:
    """Answers questions about the indexed reports; shared by CLI, web chat, HTTP API and eval."""

    def __init__(self, settings: Settings, corpus: Corpus, answerers: dict[str, Answerer]) -> None:
        self.settings = settings
        self.corpus = corpus
        self.answerers = answerers
        self.knowledge = KnowledgeCache(lambda: corpus.catalog.versions(), self._build_knowledge)
        self.chain = AnswerChain(
            corpus,
            answerers,
            settings.answer_mode,
            settings.retrieval.top_k,
            settings.max_question_chars,
            self.knowledge.get,
        )

    def _build_knowledge(self) -> Knowledge:
        corpus = self.corpus
        catalog = corpus.catalog

        def sentences(document: Document) -> SentenceVectors | None:
            entry = catalog.find(document.id)
            return corpus.ingestor.sentence_vectors(entry) if entry is not None else None

        return build_knowledge(corpus.loaded_documents(), corpus.passages(), corpus.ingestor.facts.get, sentences)

    def findings(self) -> list[Any]:
        """Return the audit findings of the current corpus."""
        return list(self.knowledge.get().findings)

    def review(self, document_ids: Sequence[str] | None = None, show: Show = "failing") -> list[FindingView]:
        """Return the audit findings a reviewer reads (the 报告核查 view), with the passages they rest on."""
        return review(self.knowledge.get(), document_ids, show)

    def ask(
        self,
        question: str,
        history: Sequence[ChatTurn] = (),
        document_ids: set[str] | None = None,
        mode: str | None = None,
    ) -> AnswerRecord:
        """Answer one question (raises QuestionError for input that cannot be asked)."""
        return self.chain.invoke(Turn(question, history, document_ids, mode))

    def stream(
        self,
        question: str,
        history: Sequence[ChatTurn] = (),
        document_ids: set[str] | None = None,
        mode: str | None = None,
    ) -> Iterator[StreamEvent]:
        """Yield the answer text as it comes, then the checked record."""
        return self.chain.stream(Turn(question, history, document_ids, mode))

    def ensure_indexed(self) -> None:
        """Index the shipped reports when the corpus is empty."""
        if self.corpus.is_empty():
            from index.loaders import seed_reports

            self.corpus.ingest(seed_reports(self.settings.seeds_dir))


def build_answerers(settings: Settings, corpus: Corpus) -> dict[str, Answerer]:
    """Return the answerers the settings allow: extractive always, llm when an endpoint is configured."""
    from assistant.answerers.extractive import ExtractiveAnswerer

    answerers: dict[str, Answerer] = {"extractive": ExtractiveAnswerer()}
    if settings.llm.base_url:
        from assistant.answerers.llm import LLMAnswerer, build_chat_model

        answerers["llm"] = LLMAnswerer(build_chat_model(settings.llm))
    if settings.answer_mode == "fake":
        from assistant.answerers.fake import FakeAnswerer

        answerers["fake"] = FakeAnswerer()
    return answerers


def build_assistant(
    settings: Settings, corpus: Corpus | None = None, answerers: dict[str, Answerer] | None = None
) -> Assistant:
    """Wire the assistant from settings (components may be handed in, e.g. by tests)."""
    corpus = corpus or open_corpus(settings)
    return Assistant(settings, corpus, answerers or build_answerers(settings, corpus))
