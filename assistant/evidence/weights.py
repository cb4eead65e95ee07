"""Inverse document frequency of bigrams over the sentences of a corpus (how telling a word is)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from index.models import Passage
from index.text import bigrams, normalise, sentences


class TermWeights:
    """Bigram IDF over every sentence of the indexed passages, and the corpus vocabulary."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        counts: dict[str, int] = {}
        total = 0
        for passage in passages:
            for sentence in sentences(passage.text):
                total += 1
                for gram in bigrams(sentence.text):
                    counts[gram] = counts.get(gram, 0) + 1
        self.total = max(total, 1)
        self.counts = counts
        self.vocabulary_text = normalise("\n".join(p.contextual_text() for p in passages))
        self._written: dict[str, bool] = {}

    def idf(self, gram: str) -> float:
        return math.log(1 + self.total / (1 + self.counts.get(gram, 0)))

    def weight(self, grams: Iterable[str]) -> float:
        """Return the summed IDF of some bigrams."""
        return sum(self.idf(g) for g in grams)

    def coverage(self, term_grams: frozenset[str], text_grams: frozenset[str] | set[str]) -> float:
        """Return the IDF-weighted share of a term's bigrams found in a text (0 when the term has none)."""
        total = self.weight(term_grams)
        return self.weight(term_grams & text_grams) / total if total else 0.0

    def known_coverage(self, term_grams: frozenset[str], text_grams: frozenset[str] | set[str]) -> float:
        """Return the IDF-weighted share of a term's bigrams found in a text, counting only bigrams the corpus
        uses: everyday words the report never uses cannot be matched, the report's own words must be. A term
        none of whose bigrams occur in the corpus is not about the report (0)."""
        known = frozenset(g for g in term_grams if g in self.counts)
        if not known:
            return 0.0
        return self.weight(known & text_grams) / self.weight(known)

    def in_corpus(self, term: str) -> bool:
        """Tell whether the corpus writes a term (remembered: answering asks it of the same words often)."""
        known = self._written.get(term)
        if known is None:
            known = self._written[term] = normalise(term) in self.vocabulary_text
        return known
