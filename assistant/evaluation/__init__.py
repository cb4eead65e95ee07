"""Evaluation: load a question set, run it through the assistant (or the retriever), score and report.

The CLI needs one call, e.g. ``print_summary(run_eval(path, assistant.answer, report_out="reports/eval.html"))``.
"""

from __future__ import annotations

from assistant.evaluation.api import run_eval, run_retrieval_eval, score_answers_file
from assistant.evaluation.metrics import DEFAULT_K_VALUES, Failure, MetricSummary, QuestionOutcome, score_record
from assistant.evaluation.normalise import normalise
from assistant.evaluation.questions import QUESTION_TYPES, Question, QuestionSetError, load_questions
from assistant.evaluation.report import render_report, write_report
from assistant.evaluation.results import Comparison, EvalResult, MetricDelta, RetrievalResult, compare, load_result
from assistant.evaluation.table import print_summary, summary_table

__all__ = [
    "DEFAULT_K_VALUES",
    "QUESTION_TYPES",
    "Comparison",
    "EvalResult",
    "Failure",
    "MetricDelta",
    "MetricSummary",
    "Question",
    "QuestionOutcome",
    "QuestionSetError",
    "RetrievalResult",
    "compare",
    "load_questions",
    "load_result",
    "normalise",
    "print_summary",
    "render_report",
    "run_eval",
    "run_retrieval_eval",
    "score_answers_file",
    "score_record",
    "summary_table",
    "write_report",
]
