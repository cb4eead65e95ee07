"""The entry points the CLI calls: run a question set, score it, write the answers, metrics and report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.evaluation.metrics import DEFAULT_K_VALUES, Failure, blank_outcome, score_record, score_retrieval
from assistant.evaluation.questions import load_questions
from assistant.evaluation.report import write_report
from assistant.evaluation.results import EvalResult, RetrievalResult, build_result
from assistant.evaluation.runner import AnswerFn, RetrieveFn, read_answers, run_questions, run_retrievals

Baseline = EvalResult | str | Path | None


def run_eval(
    questions_path: str | Path,
    answer_fn: AnswerFn,
    answers_out: str | Path | None = None,
    report_out: str | Path | None = None,
    baseline: Baseline = None,
    progress: bool = True,
    metrics_out: str | Path | None = None,
    k_values: Sequence[int] = DEFAULT_K_VALUES,
) -> EvalResult:
    """Answer every question, score the records and write whichever outputs are asked for."""
    questions = load_questions(questions_path)
    items = run_questions(questions, answer_fn, answers_out=answers_out, progress=progress)
    outcomes = [
        score_record(item.question, item.record, error=item.error, wall_ms=item.wall_ms, k_values=k_values)
        for item in items
    ]
    result = build_result(outcomes, questions_path=str(questions_path), k_values=k_values, baseline=baseline)
    _write_outputs(result, metrics_out, report_out)
    return result


def score_answers_file(
    questions_path: str | Path,
    answers_path: str | Path,
    report_out: str | Path | None = None,
    baseline: Baseline = None,
    metrics_out: str | Path | None = None,
    k_values: Sequence[int] = DEFAULT_K_VALUES,
) -> EvalResult:
    """Score an answers JSONL written earlier, without answering again (a missing id counts as an error)."""
    questions = load_questions(questions_path)
    answers = read_answers(answers_path)
    outcomes = []
    for question in questions:
        record, error = answers.get(question.id, (None, "答案文件中没有这道题 (no record for this id)"))
        wall_ms = record.latency_ms if record is not None else None
        outcomes.append(score_record(question, record, error=error, wall_ms=wall_ms, k_values=k_values))
    result = build_result(outcomes, questions_path=str(questions_path), k_values=k_values, baseline=baseline)
    _write_outputs(result, metrics_out, report_out)
    return result


def run_retrieval_eval(
    questions_path: str | Path,
    retrieve_fn: RetrieveFn,
    k_values: Sequence[int] = DEFAULT_K_VALUES,
    baseline: Baseline = None,
    progress: bool = True,
    metrics_out: str | Path | None = None,
    report_out: str | Path | None = None,
) -> RetrievalResult:
    """Retrieve for every question and score hit@k and MRR, overall and per type."""
    questions = load_questions(questions_path)
    outcomes = []
    for item in run_retrievals(questions, retrieve_fn, progress=progress):
        outcome = blank_outcome(item.question)
        outcome.wall_ms = item.wall_ms
        if item.error is not None:
            outcome.error = item.error
            outcome.failures.append(_error_failure(item.error))
        score_retrieval(item.question, item.passages, outcome, k_values)
        outcomes.append(outcome)
    result = build_result(
        outcomes, kind="retrieval", questions_path=str(questions_path), k_values=k_values, baseline=baseline
    )
    assert isinstance(result, RetrievalResult)
    _write_outputs(result, metrics_out, report_out)
    return result


def _error_failure(error: str) -> Failure:
    """Describe a question that raised."""
    return Failure(metric="error", detail=f"运行出错：{error}")


def _write_outputs(result: EvalResult, metrics_out: str | Path | None, report_out: str | Path | None) -> None:
    """Write the metrics JSON and the HTML report where asked."""
    if metrics_out is not None:
        result.write_json(metrics_out)
    if report_out is not None:
        write_report(result, report_out)
