"""A scripted answerer for tests: replies from a queue, citing the passages it is told to."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from assistant.answerers.base import AnswerContext, Draft


class FakeAnswerer:
    """Returns queued replies in order, then repeats the last (or `default`); `[n]` markers index the hits."""

    mode = "fake"

    def __init__(self, replies: Iterable[str] = (), default: str = "根据报告，见段落[1]。") -> None:
        self.replies = deque(replies)
        self.last = default  # answered while nothing was ever queued
        self.seen: list[AnswerContext] = []

    def enqueue(self, *replies: str) -> None:
        self.replies.extend(replies)

    def answer(self, context: AnswerContext) -> Draft:
        self.seen.append(context)
        text = self.replies.popleft() if self.replies else self.last
        self.last = text
        return Draft(text=text, refused=text.startswith("报告未提及"), mode="fake")

    def stream(self, context: AnswerContext) -> Iterator[str | Draft]:
        draft = self.answer(context)
        for i in range(0, len(draft.text), 8):
            yield draft.text[i : i + 8]
        yield draft
