"""Rank a question's candidate sentences by meaning with the multilingual embedding: English (or everyday
Chinese) meets the report's words only there. Retrieval scores passages; this scores the sentences of the
best few, so that the sentence that answers is told from its neighbours."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.evidence.spans import Span

Similarity = Callable[[str, Sequence[str]], list[float]]

PASSAGES = 4  # the passages retrieval ranks best (by their own similarity) whose sentences are embedded
MAX_SENTENCES = 32  # bound on the work per question


def by_sentence(question: str, spans: Sequence[Span], similarity: Similarity) -> list[Span]:
    """Return the spans with `dense` set to each sentence's own similarity to the question (the spans of the
    passages not embedded get 0: they are not nearest)."""
    best: dict[str, float] = {}
    for span in spans:
        best[span.passage.id] = max(best.get(span.passage.id, 0.0), span.dense)
    keep = set(sorted(best, key=lambda pid: -best[pid])[:PASSAGES])
    chosen = [i for i, s in enumerate(spans) if s.passage.id in keep][:MAX_SENTENCES]
    if not chosen:
        return list(spans)
    try:
        scores = similarity(question, [spans[i].text for i in chosen])
    except Exception:
        return list(spans)
    by_index = dict(zip(chosen, scores, strict=True))
    return [replace(s, dense=by_index.get(i, 0.0)) for i, s in enumerate(spans)]
