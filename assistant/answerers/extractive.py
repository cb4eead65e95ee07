"""The offline answerer: plans from the fact table and the report's own sentences, then writes the plan out.

It never writes a figure that is not in the report or computed by the planner from resolved facts, and it
refuses (报告未提及…) when no span holds what the question asks, saying what the report does state.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence

from assistant.answerers.base import ENGLISH_REFUSAL_PREFIX, REFUSAL_PREFIX, AnswerContext, Draft
from assistant.answerers.compose import compose_chinese, compose_english
from assistant.evidence.meaning import EXTRA, with_similarity
from assistant.evidence.sentences import PASSAGES, by_sentence
from assistant.evidence.spans import Span, collect_spans, passage_spans
from assistant.planner.model import Plan
from assistant.planner.plan import Planner
from assistant.planner.resolve import unfamiliar
from index.facts import Fact
from index.models import ScoredPassage


class ExtractiveAnswerer:
    """Answers from the report's own sentences and computed figures; never writes an unsupported figure."""

    mode = "extractive"

    def answer(self, context: AnswerContext) -> Draft:
        knowledge = context.knowledge
        frame = context.question
        documents = {d.id: d for d in knowledge.documents}
        used_docs = {h.passage.document_id for h in context.hits}
        facts_by_doc = {doc: knowledge.fact_tables[doc].facts for doc in used_docs if doc in knowledge.fact_tables}
        spans = collect_spans(context.hits, documents, facts_by_doc)
        near = knowledge.sentence_similarity(context.query_vector, used_docs)
        if near:
            # English ranks the sentences of the passages nearest in meaning (their words are not the report's);
            # Chinese in everyday words keeps every span, and the sentences nearest in meaning that retrieval
            # missed join them.
            nearest = {h.passage.id for h in sorted(context.hits, key=lambda h: -(h.dense or 0.0))[:PASSAGES]}
            spans = with_similarity(
                spans,
                near,
                knowledge.passage_at,
                lambda passage, rank: passage_spans(passage, rank, documents.get(passage.document_id), facts_by_doc),
                len(context.hits),
                only=nearest if frame.english else None,
                extra=EXTRA if not frame.english and unfamiliar(knowledge.weights, frame) else 0,
            )
        elif context.similarity is not None and frame.english:
            spans = by_sentence(context.asked, spans, context.similarity)
        report_year = next((knowledge.fact_tables[d].report_year for d in used_docs if d in knowledge.fact_tables), "")

        def locate(fact: Fact) -> Span | None:
            passage = knowledge.passage_at(fact.document_id, fact.start)
            if passage is None:
                return None
            rank = _rank_of(context.hits, passage.id)
            for span in passage_spans(passage, rank, documents.get(fact.document_id), facts_by_doc):
                if span.start <= fact.start < span.end:
                    return span
            return None

        units = tuple(u for d in used_docs if d in knowledge.fact_tables for u in knowledge.fact_tables[d].unit_names)
        pool = [f for facts in facts_by_doc.values() for f in facts]

        def sections(wanted: Callable[[tuple[str, ...]], bool]) -> list[Span]:
            found: list[Span] = []
            for passage in knowledge.passages:
                if passage.document_id in used_docs and wanted(passage.section_path):
                    document = documents.get(passage.document_id)
                    found.extend(passage_spans(passage, len(context.hits), document, facts_by_doc))
            return found

        planner = Planner(knowledge.weights, pool, report_year, locate, units, knowledge.children(used_docs), sections)
        plans = planner.plan(frame, spans)
        markers = _Markers(context.hits)
        if frame.english:
            text, refused = compose_english(frame, plans, markers.of)
        else:
            text, refused = compose_chinese(frame, plans, markers.of)
        warnings, notes = _audit_notes(plans)
        if notes and not refused:
            prefix = "⚠ Note — the report is inconsistent here: " if frame.english else "⚠ 注意："
            text += "\n" + "\n".join(prefix + n for n in notes)
        derived = {c.result: c.formula for p in plans for c in p.computations}
        quotes: dict[int, str] = {}
        for quote in (q for p in plans for q in p.quotes):
            with contextlib.suppress(KeyError):  # a quote the text does not cite has no marker
                quotes[markers.number(quote.span.passage.id)] = quote.span.text
        relied = [f for p in plans for f in p.relied]
        return Draft(
            text=text,
            quotes=quotes,
            refused=refused,
            warnings=warnings,
            computed=[c.formula for p in plans for c in p.computations],
            derived=derived,
            relied=relied,
            mode="extractive",
        )

    def stream(self, context: AnswerContext) -> Iterator[str | Draft]:
        draft = self.answer(context)
        for piece in re.split(r"(?<=[。\n；])", draft.text):
            if piece:
                yield piece
        yield draft


def _rank_of(hits: Sequence[ScoredPassage], passage_id: str) -> int:
    return next((i for i, h in enumerate(hits) if h.passage.id == passage_id), len(hits))


class _Markers:
    """Marker numbers of passages: their rank among the hits; a passage found through the fact table is
    appended to the hits, so that every marker points to a passage the record can cite."""

    def __init__(self, hits: list[ScoredPassage]) -> None:
        self.hits = hits

    def number(self, passage_id: str) -> int:
        for i, hit in enumerate(self.hits):
            if hit.passage.id == passage_id:
                return i + 1
        raise KeyError(passage_id)

    def of(self, span: Span) -> str:
        try:
            return f"[{self.number(span.passage.id)}]"
        except KeyError:
            self.hits.append(ScoredPassage(span.passage, 0.0))
            return f"[{len(self.hits)}]"


def _audit_notes(plans: Sequence[Plan]) -> tuple[list[str], list[str]]:
    """Return warnings for the failing audit relations that figures the answer relies on take part in."""
    warnings: list[str] = []
    for plan in plans:
        for fact in plan.relied:
            for claim in fact.inconsistent:
                message = f"报告数字不一致：{claim}"
                if message not in warnings:
                    warnings.append(message)
            if fact.correction and not fact.inconsistent:
                message = f"报告数字有误：{fact.correction}"
                if message not in warnings:
                    warnings.append(message)
    return warnings, list(warnings)


__all__ = ["ENGLISH_REFUSAL_PREFIX", "REFUSAL_PREFIX", "ExtractiveAnswerer"]
