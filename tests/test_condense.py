"""Tests of condensing a follow-up question into a stand-alone one with the chat history."""

from __future__ import annotations

import pytest

from assistant.condense import condense, is_follow_up
from assistant.records import ChatTurn


def _history(*user_questions: str) -> list[ChatTurn]:
    turns: list[ChatTurn] = []
    for question in user_questions:
        turns += [ChatTurn(role="user", content=question), ChatTurn(role="assistant", content="根据报告，……[1]。")]
    return turns


@pytest.mark.parametrize(
    "question",
    [
        "那支出呢？",
        "那么完成率是多少？",
        "其中项目支出有多少？",
        "这笔钱用来做什么？",
        "它的完成率是多少？",
        "该项目的实际支出是多少？",
        "机关运行经费的呢？",
        "What about the spending?",
        "and the rate?",
        "完成率？",
    ],
)
def test_questions_that_lean_on_the_conversation_are_follow_ups(question: str) -> None:
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "2023年政府采购预算财政拨款是多少？",
        "区政数局在编人员和行政编制分别有多少人？",
        "How many 5G base stations were built in 2023?",
    ],
)
def test_self_contained_questions_are_not_follow_ups(question: str) -> None:
    assert not is_follow_up(question)


@pytest.mark.parametrize(
    ("history", "question", "standalone"),
    [
        (("公务接待费预算是多少？",), "那支出呢？", "公务接待费支出是多少？"),
        (("三公经费是多少？", "公务接待费预算是多少？"), "那支出呢？", "公务接待费支出是多少？"),
        (("公务接待费预算是多少？",), "  那支出呢？  ", "公务接待费支出是多少？"),
        (("基本支出的年度预算是多少？",), "那项目支出呢？", "项目支出的年度预算是多少？"),
        (("公务用车运行维护费预算是多少？",), "它的完成率是多少？", "公务用车运行维护费的完成率是多少？"),
        (("公务接待费预算是多少？",), "2023年政府采购预算财政拨款是多少？", "2023年政府采购预算财政拨款是多少？"),
        ((), "那支出呢？", "那支出呢？"),
        (("   ",), "那支出呢？", "那支出呢？"),
    ],
)
def test_a_follow_up_fills_the_missing_slots_of_the_last_question(
    history: tuple[str, ...], question: str, standalone: str
) -> None:
    assert condense(question, _history(*history)) == standalone


def test_assistant_turns_are_never_borrowed() -> None:
    history = [ChatTurn(role="assistant", content="公务接待费预算1.21万元[1]。")]
    assert condense("那支出呢？", history) == "那支出呢？"


def test_a_follow_up_that_already_names_everything_the_last_question_did_is_left_alone() -> None:
    history = _history("公务接待费支出是多少？")
    assert condense("公务接待费支出呢？", history) == "公务接待费支出呢？"


def test_follow_ups_in_a_row_each_lean_on_the_stand_alone_question_before_them() -> None:
    history = _history("公务接待费预算是多少？", "那支出呢？")
    assert condense("完成率呢？", history) == "公务接待费完成率是多少？"
