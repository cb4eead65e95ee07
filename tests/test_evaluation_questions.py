"""Loading question sets: the shipped dev set loads; malformed lines are reported by line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.questions import QUESTION_TYPES, QuestionSetError, load_questions, parse_questions

DEV_SET = Path(__file__).resolve().parents[1] / "seeds" / "dev.jsonl"

GOOD = {
    "id": "q-1",
    "question": "全年预算数是多少？",
    "type": "lookup",
    "answer": "21,766.40万元",
    "must_include": ["21,766.40万元"],
    "evidence": ["全年预算数 21766.40万元"],
    "section": "一、基本情况",
}


def line(**changes: object) -> str:
    """Return the good question as a JSON line, with fields changed (None removes a field)."""
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)


def test_the_dev_set_loads_with_every_question_type() -> None:
    questions = load_questions(DEV_SET)
    assert len(questions) == 45
    assert {q.type for q in questions} == set(QUESTION_TYPES)
    assert all(q.must_include == [] for q in questions if q.type == "unanswerable")


def test_blank_lines_are_skipped() -> None:
    questions = parse_questions(["", line(), "   \n", line(id="q-2"), "\n"])
    assert [q.id for q in questions] == ["q-1", "q-2"]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"id": "q-9", "question": ', "不是合法的 JSON (invalid JSON"),
        ('["a list"]', "应为 JSON 对象"),
        (line(question=None), '缺少字段 "question" (missing field "question")'),
        (line(evidence=None), '缺少字段 "evidence"'),
        (line(must_include="21,766.40万元"), '字段 "must_include" 应为字符串列表'),
        (line(evidence=["ok", 3]), '字段 "evidence" 应为字符串列表'),
        (line(id=7), '字段 "id" 应为字符串 (field "id" must be a string)'),
        (line(question="  "), '字段 "question" 不能为空'),
        (line(type="trivia"), '未知题型 "trivia"'),
        (line(id="q-1"), '重复的 id "q-1"，第1行已出现'),
    ],
)
def test_a_malformed_line_is_reported_with_its_line_number(bad_line: str, message: str) -> None:
    with pytest.raises(QuestionSetError) as caught:
        parse_questions([line(), "", bad_line], source="dev.jsonl")
    assert str(caught.value).startswith("dev.jsonl 第3行: ")
    assert message in str(caught.value)
    assert caught.value.errors[0].line == 3


def test_every_bad_line_is_listed_not_only_the_first(tmp_path: Path) -> None:
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join([line(), line(id="q-2", question=None), "oops", line(id="q-4", type="x")]), "utf-8")
    with pytest.raises(QuestionSetError) as caught:
        load_questions(path)
    assert [error.line for error in caught.value.errors] == [2, 3, 4]
    assert 'dev.jsonl 第2行: 缺少字段 "question"' in str(caught.value)


def test_an_empty_question_set_is_an_error() -> None:
    with pytest.raises(QuestionSetError, match="问题集为空"):
        parse_questions(["", "\n"])
