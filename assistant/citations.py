"""Turn a draft's [n] markers into citations: renumbered in order of use, dangling ones removed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.records import Citation
from index.models import ScoredPassage
from index.text import bigrams, sentences

_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True)
class Cited:
    """An answer text with its markers renumbered and the citations they point to."""

    text: str
    citations: list[Citation]
    dangling: list[str]


def best_quote(passage_text: str, claim: str) -> str:
    """Return the sentence of a passage that shares most with a claim."""
    found = [s.text for s in sentences(passage_text) if len(s.text) >= 4] or [passage_text]
    claim_grams = bigrams(claim)
    return max(found, key=lambda s: len(bigrams(s) & claim_grams))


def _claim_before(text: str, position: int) -> str:
    start = max(text.rfind(ch, 0, position) for ch in "。！？\n") + 1
    return text[start:position]


def resolve(text: str, hits: Sequence[ScoredPassage], quotes: dict[int, str] | None = None) -> Cited:
    """Renumber markers 1..m by first use and build a citation for each; drop markers that point nowhere."""
    quotes = quotes or {}
    numbering: dict[int, int] = {}
    citations: list[Citation] = []
    dangling: list[str] = []

    def replace(match: re.Match[str]) -> str:
        original = int(match.group(1))
        if not 1 <= original <= len(hits):
            dangling.append(match.group(0))
            return ""
        if original not in numbering:
            numbering[original] = len(numbering) + 1
            passage = hits[original - 1].passage
            quote = quotes.get(original) or best_quote(passage.text, _claim_before(text, match.start()))
            citations.append(
                Citation(
                    marker=str(numbering[original]),
                    passage_id=passage.id,
                    document=passage.document,
                    section=passage.section,
                    text=passage.text,
                    quote=quote,
                    page=passage.page,
                    ocr=passage.ocr,
                )
            )
        return f"[{numbering[original]}]"

    renumbered = _MARKER.sub(replace, text)
    renumbered = re.sub(r"(\[\d+\])(?:\1)+", r"\1", renumbered)
    return Cited(renumbered, citations, dangling)


class StreamingMarkers:
    """Renumber the [n] markers of streamed text by first use, as `resolve` will number the final record.

    A marker split across two pieces ("…87.19%[" + "1]") is held back until it is whole; markers that point
    to no passage are dropped.

    >>> markers = StreamingMarkers(passages=5)
    >>> markers.feed("支出18,977.96万元[3]，完成率87.19%[") + markers.feed("3][9]。") + markers.flush()
    '支出18,977.96万元[1]，完成率87.19%[1]。'
    """

    def __init__(self, passages: int | Sequence[object]) -> None:
        self._passages = passages
        self.numbering: dict[int, int] = {}
        self.pending = ""

    @property
    def passages(self) -> int:
        """How many passages markers may point to (a list given is read as it grows)."""
        return self._passages if isinstance(self._passages, int) else len(self._passages)

    def _replace(self, match: re.Match[str]) -> str:
        original = int(match.group(1))
        if not 1 <= original <= self.passages:
            return ""
        return f"[{self.numbering.setdefault(original, len(self.numbering) + 1)}]"

    def feed(self, text: str) -> str:
        """Return the part of the text so far that can be shown, markers renumbered."""
        buffer = self.pending + text
        partial = re.search(r"\[\d{0,3}$", buffer)
        self.pending = buffer[partial.start() :] if partial else ""
        ready = buffer[: partial.start()] if partial else buffer
        return _MARKER.sub(self._replace, ready)

    def flush(self) -> str:
        """Return whatever was held back at the end of the stream."""
        rest, self.pending = self.pending, ""
        return _MARKER.sub(self._replace, rest)
