"""BM25 over CJK characters and bigrams (numbers normalised, Latin words lower-cased)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence

from rank_bm25 import BM25Okapi

_NUMBER = re.compile(r"\d[\d,，]*(?:\.\d+)?")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|\d+(?:\.\d+)?%?|[a-z][a-z0-9\-]*")
_STOP_CHARS = set("的了和与及或在为是有我其中等对于从把被之以而也都将这那个")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return _NUMBER.sub(lambda m: m.group(0).replace(",", "").replace("，", ""), text)


def tokenize(text: str) -> list[str]:
    """Split text into CJK characters, CJK bigrams, numbers and Latin words.

    >>> tokenize("预算完成率87.19%，支出18,977.96万元")[:6]
    ['预', '算', '完', '成', '率', '预算']
    >>> "18977.96" in tokenize("支出18,977.96万元")
    True
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(_normalise(text)):
        run = match.group(0)
        if not ("\u3400" <= run[0] <= "\u9fff"):
            tokens.append(run)
            if run.endswith("%"):
                tokens.append(run[:-1])
            continue
        tokens.extend(c for c in run if c not in _STOP_CHARS)
        tokens.extend(a + b for a, b in itertools.pairwise(run))
    return tokens


class LexicalIndex:
    """A BM25 index over passages; rebuilt in milliseconds from passage texts."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        corpus = [tokenize(t) for t in texts]
        self._bm25 = BM25Okapi(corpus) if corpus else None

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Return up to k (passage id, score) pairs, best first; only ids in `allowed` when given."""
        if self._bm25 is None:
            return []
        tokens = tokenize(query)
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        order = sorted(range(len(self.ids)), key=lambda i: -scores[i])
        results: list[tuple[str, float]] = []
        for i in order:
            if scores[i] <= 0:
                break
            if allowed is not None and self.ids[i] not in allowed:
                continue
            results.append((self.ids[i], float(scores[i])))
            if len(results) >= k:
                break
        return results
