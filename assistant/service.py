"""The composition root: `build_assistant(settings)` wires corpus, answerers and chain into one Assistant."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from assistant.answerers.base import Answerer
from assistant.chain import AnswerChain, QuestionError, StreamEvent, Turn, findings_cache
from assistant.corpus import Corpus, open_corpus
from assistant.evidence import TermWeights
from assistant.records import AnswerRecord, ChatTurn
from assistant.settings import Settings

__all__ = ["Assistant", "QuestionError", "StreamEvent", "build_assistant"]


class _Weights:
    """Term weights of the current corpus, rebuilt when its documents change."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._key: tuple[str, ...] = ()
        self._weights: TermWeights | None = None

    def get(self) -> TermWeights:
        key = tuple(self.corpus.catalog.versions())
        if self._weights is None or key != self._key:
            self._weights = TermWeights(self.corpus.passages())
            self._key = key
        return self._weights


class _LiveExtractive:
    """The extractive answerer over whatever the corpus holds right now."""

    mode = "extractive"

    def __init__(self, weights: _Weights) -> None:
        self.weights = weights

    def _current(self) -> Any:
        from assistant.answerers.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(self.weights.get())

    def answer(self, context: Any) -> Any:
        return self._current().answer(context)

    def stream(self, context: Any) -> Any:
        return self._current().stream(context)


class Assistant:
    """Answers questions about the indexed reports; shared by CLI, web chat, HTTP API and eval."""

    def __init__(self, settings: Settings, corpus: Corpus, answerers: dict[str, Answerer]) -> None:
        self.settings = settings
        self.corpus = corpus
        self.answerers = answerers
        self.findings = findings_cache(corpus)
        self.chain = AnswerChain(
            corpus,
            answerers,
            settings.answer_mode,
            settings.retrieval.top_k,
            settings.max_question_chars,
            self.findings,
        )

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
    answerers: dict[str, Answerer] = {"extractive": _LiveExtractive(_Weights(corpus))}
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
