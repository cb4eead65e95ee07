"""Place each candidate sentence by its own meaning: its embedding similarity to the question, from the
sentence vectors made at ingest, and the sentences nearest in meaning that retrieval's passages did not bring.

Everyday words ("周末能去办事吗") share few words with the report's ("周末延时服务"); the multilingual embedding
places them near each other, so the few sentences of the report nearest to the question join the candidates
the lexical score ranks. English ranks the sentences of its nearest passages by this similarity alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.evidence.spans import Span
from index.models import Passage

EXTRA = 4  # nearest sentences added as candidates when retrieval's passages lack them


def with_similarity(
    spans: Sequence[Span],
    similarity: dict[tuple[str, int], float],
    passage_at: Callable[[str, int], Passage | None],
    spans_of: Callable[[Passage, int], list[Span]],
    rank: int,
    only: set[str] | None = None,
    extra: int = EXTRA,
) -> list[Span]:
    """Return the spans with their own similarity (`dense`) set, followed by the `extra` nearest sentences
    retrieval missed (spans of rank `rank`). With `only`, the spans of other passages get 0: they are not
    among the nearest passages."""
    if not similarity:
        return list(spans)

    def place(span: Span) -> Span:
        score = similarity.get(span.key)
        if only is not None and span.passage.id not in only:
            return replace(span, dense=0.0)
        return span if score is None else replace(span, dense=score, own_dense=True)

    out = [place(s) for s in spans]
    have = {s.key for s in out}
    added = 0
    for key, _ in sorted(similarity.items(), key=lambda item: -item[1]):
        if added >= extra:
            break
        if key in have:
            continue
        passage = passage_at(*key)
        found = next((s for s in spans_of(passage, rank) if s.key == key), None) if passage is not None else None
        if found is None:
            continue
        out.append(place(found))
        have.add(key)
        added += 1
    return out
