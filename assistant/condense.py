"""Turn a follow-up question into a stand-alone one, using the chat history."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.question import content_terms
from assistant.records import ChatTurn

_FOLLOW_UP = re.compile(
    r"^(那|那么|还有|另外|其中|它|其|这个|这笔|这项|该|上述|以上|同时|and |what about |how about )|"
    r"(呢|的呢)[？?]?$|(它|其|这笔|这个|这项|该项|该)(的)?"
)


def is_follow_up(question: str) -> bool:
    """Tell whether a question leans on what was said before.

    >>> is_follow_up("那支出呢？"), is_follow_up("2023年政府采购预算是多少？")
    (True, False)
    """
    q = question.strip().lower()
    if _FOLLOW_UP.search(q):
        return True
    # A short question with no subject of its own ("完成率？") leans on what came before.
    return len(q) <= 12 and not any(len(term) >= 4 for term in content_terms(q))


def condense(question: str, history: Sequence[ChatTurn]) -> str:
    """Return the question, completed with the subject of the last user turn when it is a follow-up.

    >>> condense("那支出呢？", [ChatTurn(role="user", content="公务接待费预算是多少？")])
    '公务接待费预算是多少？ 那支出呢？'
    """
    previous = [t.content.strip() for t in history if t.role == "user" and t.content.strip()]
    if not previous or not is_follow_up(question):
        return question
    # Follow-ups in a row ("那支出呢？" then "完成率呢？") all lean on the last question that stood on its own.
    last = next((q for q in reversed(previous) if not is_follow_up(q)), previous[-1])
    if content_terms(question) and set(content_terms(question)) >= set(content_terms(last)):
        return question
    return f"{last} {question.strip()}"
