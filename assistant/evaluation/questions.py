"""Load and validate a question set (JSONL), reporting each bad line by its number."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

QuestionType = Literal[
    "lookup",
    "numeric",
    "derived",
    "paraphrase",
    "multi_hop",
    "list",
    "unanswerable",
    "english",
    "inconsistency",
]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)

TYPE_LABELS: dict[str, str] = {
    "lookup": "查找",
    "numeric": "数值",
    "derived": "推算",
    "paraphrase": "口语改写",
    "multi_hop": "多段推理",
    "list": "列举",
    "unanswerable": "无答案",
    "english": "英文提问",
    "inconsistency": "前后矛盾",
}

_STRING_FIELDS = ("id", "question", "type", "answer", "section")
_LIST_FIELDS = ("must_include", "evidence")


class Question(BaseModel):
    """One question of a set, with what a correct answer must contain and where the evidence is."""

    model_config = ConfigDict(frozen=True)

    id: str
    question: str
    type: QuestionType
    answer: str
    must_include: list[str]
    evidence: list[str]
    section: str

    @property
    def answerable(self) -> bool:
        """Tell whether the report holds the answer."""
        return self.type != "unanswerable"


@dataclass(frozen=True)
class LineError:
    """What is wrong with one line of a question set."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source} 第{self.line}行: {self.message}"


class QuestionSetError(ValueError):
    """A question set holds malformed lines; every one is listed with its line number."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def load_questions(path: str | Path) -> list[Question]:
    """Read a JSONL question set, skipping blank lines; raise QuestionSetError on any bad line."""
    path = Path(path)
    with path.open(encoding="utf-8-sig") as handle:
        return parse_questions(handle, source=path.name)


def parse_questions(lines: Iterable[str], source: str = "<questions>") -> list[Question]:
    """Parse JSONL lines into questions; raise QuestionSetError listing every bad line."""
    questions: list[Question] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        problem = _check_line(line)
        if isinstance(problem, str):
            errors.append(LineError(source, number, problem))
            continue
        question = problem
        if question.id in seen:
            message = f'重复的 id "{question.id}"，第{seen[question.id]}行已出现 (duplicate id)'
            errors.append(LineError(source, number, message))
            continue
        seen[question.id] = number
        questions.append(question)
    if not questions and not errors:
        errors.append(LineError(source, 0, "问题集为空 (empty question set)"))
    if errors:
        raise QuestionSetError(errors)
    return questions


def _check_line(line: str) -> Question | str:
    """Return the question a line holds, or a bilingual message saying what is wrong with it."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"不是合法的 JSON (invalid JSON: {exc.msg}, column {exc.colno})"
    if not isinstance(data, dict):
        return f"应为 JSON 对象，实为 {type(data).__name__} (expected a JSON object)"
    for name in (*_STRING_FIELDS, *_LIST_FIELDS):
        if name not in data:
            return f'缺少字段 "{name}" (missing field "{name}")'
    for name in _STRING_FIELDS:
        if not isinstance(data[name], str):
            return f'字段 "{name}" 应为字符串 (field "{name}" must be a string)'
    for name in _LIST_FIELDS:
        value = data[name]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return f'字段 "{name}" 应为字符串列表 (field "{name}" must be a list of strings)'
    for name in ("id", "question"):
        if not data[name].strip():
            return f'字段 "{name}" 不能为空 (field "{name}" must not be empty)'
    if data["type"] not in QUESTION_TYPES:
        allowed = ", ".join(QUESTION_TYPES)
        return f'未知题型 "{data["type"]}"，应为 {allowed} (unknown type "{data["type"]}")'
    return Question.model_validate({name: data[name] for name in (*_STRING_FIELDS, *_LIST_FIELDS)})
