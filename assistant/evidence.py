"""Sentences of retrieved passages, scored against a question: the raw material of extractive answers."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.normalise import normalise
from assistant.question import QuestionAnalysis
from index.models import Passage, ScoredPassage

_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?](?![0-9])[”’）)]?|$)")
_CLAUSE_SPLIT = re.compile(r"(?<=[，,：:；;])")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage, where it sits and how well it answers the question."""

    text: str
    passage: Passage
    rank: int
    start: int
    score: float
    lead: str = ""
    window: tuple[int, int] = (0, 0)  # the clauses (first, last+1) that matched best

    @property
    def key(self) -> tuple[str, int]:
        return (self.passage.id, self.start)

    @property
    def focus(self) -> str:
        """Return the matched run of clauses (the whole sentence when nothing narrower matched)."""
        parts = clauses(self.text)
        lo, hi = self.window
        if hi <= lo or (lo == 0 and hi >= len(parts)):
            return self.text
        return "".join(parts[lo:hi])


def bigrams(text: str) -> frozenset[str]:
    """Return the CJK bigrams (and Latin/digit words) of a text."""
    return _bigrams(text)


@lru_cache(maxsize=16384)
def _bigrams(text: str) -> frozenset[str]:
    text = normalise(text)
    grams: set[str] = set()
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", text):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(re.findall(r"[A-Za-z]{2,}\d*|\d+[A-Za-z]+", text))
    return frozenset(grams)


def split_sentences(passage: Passage) -> list[tuple[int, str, str]]:
    """Split a passage into (offset, sentence, lead) triples; lead is the opening clause of the paragraph.

    Heading lines are not sentences; a sentence that does not open its paragraph carries the paragraph's lead.
    """
    sentences: list[tuple[int, str, str]] = []
    offset = 0
    headings = set(passage.section_path)
    for number, paragraph in enumerate(passage.text.split("\n")):
        base = offset
        offset += len(paragraph) + 1
        if paragraph.strip() in headings:
            continue
        opening = passage.lead if number == 0 and passage.lead else ""
        for match in _SENTENCE.finditer(paragraph):
            text = match.group(0).strip()
            if len(text) < 4:
                continue
            start = base + match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
            if text.rstrip("。") in headings:
                opening = text  # an inline heading ("（2）项目支出。") introduces what follows
                continue
            if not opening:
                lead = ""
                opening = clauses(text)[0] if clauses(text) else ""
                opening = opening if len(opening) <= 40 else ""
            else:
                lead = opening
            sentences.append((start, text, lead))
    return sentences


class TermWeights:
    """Inverse document frequency of bigrams over the sentences of a corpus."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        counts: dict[str, int] = {}
        total = 0
        for passage in passages:
            for _, sentence, _ in split_sentences(passage):
                total += 1
                for gram in bigrams(sentence):
                    counts[gram] = counts.get(gram, 0) + 1
        self.total = max(total, 1)
        self.counts = counts
        self.vocabulary_text = normalise("\n".join(p.contextual_text() for p in passages))

    def idf(self, gram: str) -> float:
        return math.log(1 + self.total / (1 + self.counts.get(gram, 0)))

    def in_corpus(self, term: str) -> bool:
        return normalise(term) in self.vocabulary_text


def question_grams(question: QuestionAnalysis) -> set[str]:
    """Return the bigrams a good answer sentence shares with the question (glossary terms included)."""
    grams: set[str] = set()
    for term in question.search_terms:
        grams |= bigrams(term)
    return {g for g in grams if len(g) >= 2 or "\u4e00" <= g <= "\u9fff"}


def figure_kinds(text: str) -> set[str]:
    """Return which kinds of figure a sentence states (money, percent, score, count)."""
    return {family for family, _ in _figures_of(text) if family in _FIGURE_KINDS}


_MAX_WINDOW = 4  # clauses


@lru_cache(maxsize=8192)
def _figures_of(text: str) -> tuple[tuple[str, str], ...]:
    """Return (family, label) of the figures a text states."""
    from assistant.figures import parse_figures

    return tuple((f.family, f.label) for f in parse_figures(text) if f.family != "plain")


_FIGURE_KINDS = frozenset({"money", "percent", "score", "count"})  # the kinds of figure a question can ask for


def score_sentences(
    question: QuestionAnalysis,
    hits: Sequence[ScoredPassage],
    weights: TermWeights,
    grams: frozenset[str] | set[str] | None = None,
) -> list[Sentence]:
    """Score every sentence of the retrieved passages against the question, best first.

    A sentence scores by its best run of clauses (so long enumerations do not pile up matches), plus what its
    paragraph lead and heading add, plus how well the label of a figure of the wanted kind matches.
    """
    grams = question_grams(question) if grams is None else grams
    idf = {g: weights.idf(g) for g in grams}
    total = sum(idf.values()) or 1.0
    heads = listing_heads(question) if question.listing else []
    scored: list[Sentence] = []
    for rank, hit in enumerate(hits):
        heading = bigrams(hit.passage.section_path[-1] if hit.passage.section_path else "")
        for offset, text, lead in split_sentences(hit.passage):
            parts = clauses(text)
            part_grams = [bigrams(p) for p in parts]
            best, window, seen = 0.0, (0, len(parts)), frozenset[str]()
            for lo in range(len(parts)):
                acc: set[str] = set()
                for hi in range(lo, min(len(parts), lo + _MAX_WINDOW)):
                    acc |= part_grams[hi]
                    value = sum(idf[g] for g in grams if g in acc)
                    if value > best:
                        best, window, seen = value, (lo, hi + 1), frozenset(acc)
            from_heading = sum(idf[g] for g in grams if g in heading and g not in seen)
            from_lead = sum(idf[g] for g in grams if g in bigrams(lead) and g not in seen and g not in heading)
            score = (best + 0.8 * from_heading + 0.8 * from_lead) / total
            wanted = question.wants & _FIGURE_KINDS
            if wanted:
                labels = [label for family, label in _figures_of(text) if family in wanted]
                if labels:
                    score += 0.1 + 0.4 * max(sum(idf[g] for g in grams if g in bigrams(lb)) for lb in labels) / total
                else:
                    score *= 0.75  # a figure was asked for and this sentence states none
            if heads and any(text.count(h) >= 2 for h in heads):
                score += 0.3
            if question.target and question.target in lead + text + hit.passage.lead + hit.passage.section:
                score += 0.3
            score += 0.08 / (rank + 1)
            scored.append(Sentence(text, hit.passage, rank, offset, score, lead, window))
    scored.sort(key=lambda s: -s.score)
    return scored


def listing_heads(question: QuestionAnalysis) -> list[str]:
    """Return the head nouns of the things a listing question asks for (分中心 in 哪两个分中心)."""
    heads: list[str] = []
    for term in question.terms:
        for size in (3, 2):
            if len(term) > size:
                heads.append(term[-size:])
    return heads


@lru_cache(maxsize=4096)
def clauses(text: str) -> tuple[str, ...]:
    """Split a sentence into clauses at commas and colons."""
    return tuple(c for c in _CLAUSE_SPLIT.split(text) if c)
