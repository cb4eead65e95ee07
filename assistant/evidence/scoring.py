"""Rank spans against a question frame: IDF-weighted word overlap of the best clause run, heading and lead,
the passage's retrieval rank, and whether the span holds a figure of the kind asked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.evidence.fillers import FAMILIES
from assistant.evidence.spans import Span
from assistant.evidence.weights import TermWeights
from assistant.frame import QuestionFrame
from index.facts import Fact
from index.segment import segment
from index.text import bigrams

_MAX_WINDOW = 4  # clauses
ENGLISH_DENSE = 5.0  # weight of a sentence's embedding similarity in an English question's ranking


@dataclass(frozen=True)
class Scored:
    """A span with its score against a question and the clause run that matched best (indices)."""

    span: Span
    score: float
    window: tuple[int, int]

    @property
    def key(self) -> tuple[str, int]:
        return self.span.key


def frame_grams(frame: QuestionFrame) -> frozenset[str]:
    """Return the bigrams a good span shares with the question: its terms, entities and expansions."""
    grams: set[str] = set()
    for term in (*frame.terms, *frame.expansions, *frame.entities):
        grams |= bigrams(term)
    return frozenset(g for g in grams if len(g) >= 2)


def entity_grams(frame: QuestionFrame) -> frozenset[str]:
    """Return the bigrams of the question's head entity (all entities when it has no head)."""
    grams: set[str] = set()
    for term in [frame.head] if frame.head else frame.entities:
        grams |= bigrams(term)
    return frozenset(grams)


def all_entity_grams(frame: QuestionFrame) -> frozenset[str]:
    """Return the bigrams of every entity of the question."""
    grams: set[str] = set()
    for term in frame.entities:
        grams |= bigrams(term)
    return frozenset(grams)


def binding(weights: TermWeights, frame: QuestionFrame, fact: Fact) -> float:
    """Return how well a fact is bound to an entity of the question (0–1): found in the fact's subject and label,
    or (for less) in its heading and paragraph lead. Every entity must still be in the fact's span."""
    entities = [e for e in frame.entities if e != frame.asked_noun] or list(frame.entities)
    if not entities:
        return 0.5
    aliases = dict(frame.aliases)
    asked = [frame.head] if frame.head in entities else entities  # "受益人口里…留守老人": the figure is of the head
    if len(asked) == 1 and unwritten_word(weights, asked[0]):
        # The head is one everyday word the report never writes ("本局退下来的老同志"): the other entities name the subject.
        asked = [e for e in entities if e != asked[0]] or asked
    return max(fact_binding(weights, bigrams(name), fact) for e in asked for name in (e, *aliases.get(e, ())))


def unwritten_word(weights: TermWeights, entity: str) -> bool:
    """Tell whether an entity is one everyday word the report never writes ("老同志"): it names nothing the report
    can be searched for. A longer name the report does not write as such (a project asked in other words) is
    still the subject."""
    return not weights.in_corpus(entity) and len(segment(entity)) == 1


def entity_coverage(weights: TermWeights, frame: QuestionFrame, entity: str, text: frozenset[str] | set[str]) -> float:
    """Return how much of an entity a text carries, by its own words or by a register name of them."""
    names = dict(frame.aliases).get(entity, ())
    return max(weights.known_coverage(g, text) for g in (bigrams(entity), *(bigrams(n) for n in names)))


def fact_binding(weights: TermWeights, entity: frozenset[str], fact: Fact) -> float:
    """Return how well a fact is about an entity: named by its subject (1), by its subject and label (0.85),
    or only by its heading and paragraph lead (0.7)."""
    subject = bigrams(fact.subject)
    labelled = subject | bigrams(fact.label) | bigrams(counted_noun(fact))
    near = labelled | bigrams(f"{fact.context} {' '.join(fact.scope[-2:])}")
    return max(
        weights.known_coverage(entity, subject),
        0.85 * weights.known_coverage(entity, labelled),
        0.7 * weights.known_coverage(entity, near),
    )


_CLAUSE_END = re.compile(r"[，,。；;：:、（(]")


def counted_noun(fact: Fact) -> str:
    """Return what a count names after its measure word ("改造提升3个乡镇水厂，…" -> the words up to the
    clause's end): in Chinese the thing counted may follow the number as well as precede it."""
    if fact.family != "count" or not fact.after:
        return ""
    return _CLAUSE_END.split(fact.after, maxsplit=1)[0][:12]


def score_spans(
    frame: QuestionFrame, spans: Sequence[Span], weights: TermWeights, grams: frozenset[str] | None = None
) -> list[Scored]:
    """Score every span against the question, best first."""
    grams = frame_grams(frame) if grams is None else grams
    idf = {g: weights.idf(g) for g in grams}
    total = sum(idf.values()) or 1.0
    families = frozenset().union(*(FAMILIES[t] for t in frame.answer_types if t in FAMILIES))
    head = entity_grams(frame)
    scored: list[Scored] = []
    for span in spans:
        parts = [bigrams(c) for c in span.clause_texts()]
        best, window, seen = 0.0, (0, len(parts)), frozenset[str]()
        for lo in range(len(parts)):
            acc: set[str] = set()
            for hi in range(lo, min(len(parts), lo + _MAX_WINDOW)):
                acc |= parts[hi]
                value = sum(idf[g] for g in grams if g in acc)
                if value > best:
                    best, window, seen = value, (lo, hi + 1), frozenset(acc)
        context = bigrams(span.heading) | bigrams(span.lead)
        from_context = sum(idf[g] for g in grams if g in context and g not in seen)
        score = (best + 0.8 * from_context) / total
        if families:
            kinds = [f for f in span.facts if f.family in families]
            if kinds:
                bound = max(weights.coverage(head, bigrams(f"{f.subject} {f.label}")) for f in kinds) if head else 0.5
                score += 0.1 + 0.3 * bound
            else:
                score *= 0.75  # a figure was asked for and this span states none
        if frame.english:
            # English meets Chinese text only through the multilingual embedding: each sentence's own similarity
            # (assistant.evidence.sentences) decides, not the rank of its passage.
            score += ENGLISH_DENSE * span.dense
        else:
            score += 0.08 / (span.rank + 1)
        scored.append(Scored(span, score, window))
    scored.sort(key=lambda s: -s.score)
    return scored
