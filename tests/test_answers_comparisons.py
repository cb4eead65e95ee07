"""Answers that compare: a change over years of the subject asked (never of another subject's earlier figure),
of the year the question names, of the measure the part before asked; the gap between a target and what was
achieved; an amount per unit of area; and what a report says it will do about a shortfall."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import cached_ask, indexed_assistant
from synthetic_comparisons import write_comparisons_report

from assistant.evaluation.metrics import answer_body
from assistant.records import AnswerRecord
from assistant.service import Assistant
from index.facts import Fact

Ask = Callable[[str], AnswerRecord]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    data = tmp_path_factory.mktemp("comparisons")
    built: Assistant = indexed_assistant(data, write_comparisons_report(data / "reports"))
    return built


@pytest.fixture(scope="module")
def ask(assistant: Assistant) -> Ask:
    asked: Ask = cached_ask(assistant)
    return asked


@pytest.fixture(scope="module")
def facts(assistant: Assistant) -> list[Fact]:
    knowledge = assistant._build_knowledge()
    return [f for table in knowledge.fact_tables.values() for f in table.facts]


def test_a_by_year_table_reads_each_row_s_unit_from_its_unit_column(facts: list[Fact]) -> None:
    rows = {(f.subject, f.year): f for f in facts if f.in_table and f.year}
    spent = rows[("部门实际支出", "2023")]
    assert (spent.text, spent.unit, spent.family, spent.role, spent.period) == (
        "2,380.00",
        "万元",
        "money",
        "spending",
        "previous",
    )
    patrols = rows[("森林防火巡查", "2024")]
    assert (patrols.unit, patrols.family, patrols.period) == ("人次", "count", "current")
    assert not any(f.subject in ("万元", "人次", "万株") for f in facts)  # the unit cell is no row label


def test_a_budget_stage_named_before_the_subject_is_that_stage(facts: list[Fact]) -> None:
    initial = next(f for f in facts if f.text.startswith("2,400.00") and not f.in_table)
    assert initial.role == "initial_budget"


def test_the_change_the_part_before_asked_of_is_the_stated_amount(ask: Ask) -> None:
    record = ask("调整后的预算是多少？比上年多了多少？")
    body = answer_body(record.answer)
    assert "2,760.00万元" in body and "260.00万元" in body
    assert "2,622.00" not in body  # the spending is not the budget asked


def test_a_change_between_two_named_years_takes_the_earlier_year_named(ask: Ask) -> None:
    record = ask("2024年实际支出比2023年多花了多少？涨了百分之几？")
    body = answer_body(record.answer)
    assert "242.00万元" in body and "10.17%" in body  # 2,622.00 − 2,380.00; ÷ 2,380.00
    assert "2,210.00" not in body


def test_last_year_is_the_year_before_the_report_s_in_a_by_year_table(ask: Ask) -> None:
    record = ask("部门实际支出比上年增长了百分之几？")
    body = answer_body(record.answer)
    assert "10.17%" in body and "2,210.00" not in body


def test_an_earlier_figure_of_another_subject_is_never_the_earlier_value_of_the_one_asked(ask: Ask) -> None:
    record = ask("部门调整后预算比上年增长了百分之几？")
    body = answer_body(record.answer)
    assert "10.40%" in body and "2,500.00万元" in body
    assert "10.00万元" not in body


def test_the_gap_to_a_target_is_the_target_less_what_was_achieved(ask: Ask) -> None:
    record = ask("林木良种覆盖比例离目标还差多少？")
    assert "2.5个百分点" in answer_body(record.answer)  # to the precision of 57.5%


def test_an_amount_per_unit_of_area_divides_by_the_area(ask: Ask) -> None:
    record = ask("高标准苗圃平均每亩实际花了多少钱？")
    body = answer_body(record.answer)
    assert "300.00元" in body  # 360.00万元 ÷ 1.20万亩; 标准 in the project's name states no average


def test_what_will_be_done_about_a_shortfall_is_quoted_from_the_remedies(ask: Ask) -> None:
    record = ask("林农满意度没达标，下一步怎么改？")
    assert not record.refused
    assert "林业科技服务小分队8支" in answer_body(record.answer)


def test_a_remedy_asked_after_a_reason_is_quoted_to_the_end_of_its_step(ask: Ask) -> None:
    record = ask("林农满意度为什么没达标？打算怎么改？")
    body = answer_body(record.answer)
    assert "上门技术指导次数不足" in body  # the reason, from the problems
    assert "力争林农满意度达到90%以上" in body and "轮训" not in body  # the step, not the next one after ；


def test_the_problem_behind_a_shortfall_is_quoted_from_the_problems(ask: Ask) -> None:
    record = ask("林农满意度没达标，问题出在哪？")
    assert not record.refused
    assert "上门技术指导次数不足" in answer_body(record.answer)


def test_an_everyday_word_the_report_never_writes_does_not_hide_the_subject_it_names(ask: Ask) -> None:
    record = ask("本局退休的老同志一共多少位？")
    assert not record.refused and "31人" in answer_body(record.answer)
