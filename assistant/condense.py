"""Turn a follow-up question into a stand-alone one: the follow-up fills the missing slots of the last frame.

"那项目支出呢？" after "公务接待费预算是多少？" keeps the measure and swaps the entity ("项目支出预算是多少？");
"那支出呢？" keeps the entity and swaps the measure ("公务接待费支出是多少？"); "它的完成率是多少？" puts the entity
in place of the pronoun. Follow-ups in a row each lean on the stand-alone question before them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.frame import QuestionFrame, build_frame
from assistant.records import ChatTurn
from index.text import is_mostly_chinese

_LEAD = re.compile(r"^(?:那么|那|还有|另外|其中|同时|and\s+|what about\s+|how about\s+)", re.IGNORECASE)
_TAIL = re.compile(r"(?:的呢|呢)?[？?。]*$")
_PRONOUN = re.compile(r"^(?:它的|它|其|这笔钱|这笔资金|这笔|这个项目|这个|这项|该项目|该项|该|上述)")
_FOLLOW_UP = re.compile(
    r"^(那|那么|还有|另外|其中|它|其|这个|这笔|这项|该|上述|以上|同时|and |what about |how about )|(呢|的呢)[？?]?$"
)
_QUESTION_WORD = re.compile(r"多少|几|什么|哪|谁|如何|怎么|是否|吗|\?|？")


def is_follow_up(question: str) -> bool:
    """Tell whether a question leans on what was said before.

    >>> is_follow_up("那支出呢？"), is_follow_up("2023年政府采购预算是多少？")
    (True, False)
    """
    q = question.strip().lower()
    if _FOLLOW_UP.search(q):
        return True
    # A short question with no subject of its own ("完成率？") leans on what came before.
    frame = build_frame(q, with_parts=False)
    return len(q) <= 12 and not any(len(entity) >= 3 for entity in frame.entities)


def _measure_words(frame: QuestionFrame) -> list[str]:
    """Return the measure words a frame asks for, leaving out those inside its entities (项目支出)."""
    return [m.word for m in frame.measures if m.word and not any(m.word in e for e in frame.entities)]


def fill(question: str, previous: str) -> str:
    """Return the follow-up `question` made stand-alone with the slots of the `previous` stand-alone question.

    >>> fill("那支出呢？", "公务接待费预算是多少？")
    '公务接待费支出是多少？'
    >>> fill("那项目支出呢？", "基本支出的年度预算是多少？")
    '项目支出的年度预算是多少？'
    >>> fill("它的完成率是多少？", "公务用车运行维护费预算是多少？")
    '公务用车运行维护费的完成率是多少？'
    """
    question, previous = question.strip(), previous.strip()
    if not is_mostly_chinese(question) or not is_mostly_chinese(previous):
        return f"{previous} {question}"
    core = _TAIL.sub("", _LEAD.sub("", question)).strip()
    asked = build_frame(question, with_parts=False)
    before = build_frame(previous, with_parts=False)
    subject = before.head
    if set(before.entities) <= set(asked.entities) and set(_measure_words(before)) <= set(_measure_words(asked)):
        return question  # it names everything the previous question did
    pronoun = _PRONOUN.match(core)
    if pronoun and subject:
        rest = core[pronoun.end() :]
        return f"{subject}的{rest}" + ("？" if _QUESTION_WORD.search(rest) else "是多少？")
    if asked.entities and not _measure_words(asked) and subject and subject in previous:
        # A new entity, nothing else asked: the previous question about it.
        entity = asked.head
        return previous.replace(subject, entity, 1)
    if not asked.entities and subject:
        old, new = _measure_words(before), _measure_words(asked)
        if len(old) == 1 and new and old[0] in previous:
            swapped = previous.replace(old[0], "、".join(new), 1)
            return re.sub(r"(支出|预算|收入)\1", r"\1", swapped)  # 项目支出 + 支出: said once
        return f"{subject}{core}" + ("？" if _QUESTION_WORD.search(core) else "是多少？")
    return f"{previous} {question}"


def condense(question: str, history: Sequence[ChatTurn]) -> str:
    """Return the question made stand-alone with the chat history (unchanged when it stands on its own).

    >>> condense("那支出呢？", [ChatTurn(role="user", content="公务接待费预算是多少？")])
    '公务接待费支出是多少？'
    """
    previous = [t.content.strip() for t in history if t.role == "user" and t.content.strip()]
    if not previous or not is_follow_up(question):
        return question
    standalone = previous[0]
    for earlier in previous[1:]:
        standalone = fill(earlier, standalone) if is_follow_up(earlier) else earlier
    return fill(question, standalone)
