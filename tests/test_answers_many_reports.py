"""Two reports of the same shape indexed together: a figure is computed from one report's facts, never from
the figures of two."""

from __future__ import annotations

import re

import pytest
from conftest import indexed_assistant
from synthetic_tables import REPORT, REPORT_NAME, write_tables_report

from assistant.service import Assistant

# The same county's report a year later: other budgets and spendings for the same two projects.
LATER = (
    REPORT.replace("2024", "2025")
    .replace("本项目调整后预算800.00万元，实际支出760.00万元", "本项目调整后预算900.00万元，实际支出700.00万元")
    .replace("1 | 农村供水保障工程 | 800.00 | 760.00 | 95.00%", "1 | 农村供水保障工程 | 900.00 | 700.00 | 77.78%")
    .replace("合计 |  | 1,300.00 | 1,190.00 | 91.54%", "合计 |  | 1,400.00 | 1,130.00 | 80.71%")
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    data = tmp_path_factory.mktemp("two")
    reports = data / "reports"
    write_tables_report(reports)
    (reports / REPORT_NAME.replace("2024", "2025")).write_text(LATER, encoding="utf-8")
    built: Assistant = indexed_assistant(data, reports)
    assert len(built.corpus.documents()) == 2
    return built


@pytest.mark.parametrize(
    ("question", "either"),
    [
        ("农村供水保障工程的调整后预算还剩多少没有花？", {"40.00", "200.00"}),  # 800 − 760 or 900 − 700
        ("全年调整后预算和实际支出相差多少？", {"110.00", "270.00"}),  # 1,300 − 1,190 or 1,400 − 1,130
    ],
)
def test_a_computation_takes_all_its_operands_from_one_report(
    assistant: Assistant, question: str, either: set[str]
) -> None:
    record = assistant.ask(question)
    results = set(re.findall(r"=\s*([\d,]+\.\d{2})万元", record.answer))
    assert results, record.answer
    assert results <= either, record.answer  # the largest budget of one report less the largest spending of another
