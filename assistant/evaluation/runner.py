"""Run every question through an answer (or retrieve) function, surviving failures, and save the records."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.evaluation.questions import Question
from assistant.records import AnswerRecord, RetrievedPassage

AnswerFn = Callable[[str], AnswerRecord]
RetrieveFn = Callable[[str], Sequence[RetrievedPassage]]


@dataclass
class RunItem:
    """What running one question produced: a record, or the error raised in its place."""

    question: Question
    record: AnswerRecord | None
    error: str | None
    wall_ms: float


@dataclass
class RetrievalItem:
    """What retrieving for one question produced: passages in rank order, or the error raised."""

    question: Question
    passages: list[RetrievedPassage]
    error: str | None
    wall_ms: float


@contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[], None]]:
    """Yield a function that advances a progress bar (a no-op when disabled)."""
    if not enabled:
        yield lambda: None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # stderr, so that a progress bar never mixes into JSON written to stdout.
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _describe(exc: BaseException) -> str:
    """Name an exception for the report."""
    return f"{type(exc).__name__}: {exc}"


def run_questions(
    questions: Sequence[Question],
    answer_fn: AnswerFn,
    *,
    answers_out: str | Path | None = None,
    progress: bool = True,
) -> list[RunItem]:
    """Answer every question; an exception is kept as that question's error and the run goes on."""
    items: list[RunItem] = []
    with _open_answers(answers_out) as sink, _progress(progress, len(questions), "评测中") as advance:
        for question in questions:
            start = time.perf_counter()
            record: AnswerRecord | None = None
            error: str | None = None
            try:
                produced = answer_fn(question.question)
                record = AnswerRecord.model_validate(produced).model_copy(update={"id": question.id})
            except Exception as exc:
                error = _describe(exc)
            wall_ms = (time.perf_counter() - start) * 1000
            item = RunItem(question=question, record=record, error=error, wall_ms=wall_ms)
            items.append(item)
            if sink is not None:
                sink.write(json.dumps(_answer_line(item), ensure_ascii=False) + "\n")
                sink.flush()
            advance()
    return items


def run_retrievals(
    questions: Sequence[Question], retrieve_fn: RetrieveFn, *, progress: bool = True
) -> list[RetrievalItem]:
    """Retrieve for every question; an exception is kept as that question's error and the run goes on."""
    items: list[RetrievalItem] = []
    with _progress(progress, len(questions), "检索评测中") as advance:
        for question in questions:
            start = time.perf_counter()
            passages: list[RetrievedPassage] = []
            error: str | None = None
            try:
                passages = [RetrievedPassage.model_validate(p) for p in retrieve_fn(question.question)]
            except Exception as exc:
                error = _describe(exc)
            wall_ms = (time.perf_counter() - start) * 1000
            items.append(RetrievalItem(question=question, passages=passages, error=error, wall_ms=wall_ms))
            advance()
    return items


def _answer_line(item: RunItem) -> dict[str, object]:
    """Return the JSON line of one answer; a failed question gets an empty record plus its error."""
    if item.record is not None:
        return item.record.model_dump(mode="json")
    placeholder = AnswerRecord(id=item.question.id, question=item.question.question, answer="", latency_ms=item.wall_ms)
    return {**placeholder.model_dump(mode="json"), "error": item.error}


@contextmanager
def _open_answers(path: str | Path | None) -> Iterator[IO[str] | None]:
    """Open the answers JSONL for writing, or yield None when no file is wanted."""
    if path is None:
        yield None
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        yield handle


def read_answers(path: str | Path) -> dict[str, tuple[AnswerRecord | None, str | None]]:
    """Read an answers JSONL written by a run: per id, the record (None if it failed) and its error."""
    answers: dict[str, tuple[AnswerRecord | None, str | None]] = {}
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            data = json.loads(line)
            error = data.pop("error", None)
            record = None if error else AnswerRecord.model_validate(data)
            answers[str(data["id"])] = (record, error)
    return answers
