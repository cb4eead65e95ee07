"""Answers over a synthetic report: lookups by lookup, computations from resolved facts under checks, refusals
that say what the report does state, honest figure statuses, English, follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import cached_ask, indexed_assistant, make_settings
from synthetic import write_report

from assistant.records import AnswerRecord, ChatTurn
from assistant.service import Assistant, build_assistant

Ask = Callable[..., AnswerRecord]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    data = tmp_path_factory.mktemp("answers")
    # The real multilingual model: English questions meet the Chinese report only through it.
    built: Assistant = indexed_assistant(data, write_report(data / "reports"), embedding={"backend": "e5"})
    return built


@pytest.fixture(scope="module")
def ask(assistant: Assistant) -> Ask:
    asked: Ask = cached_ask(assistant)
    return asked


def statuses(record: AnswerRecord) -> dict[str, str]:
    return {f.text: f.status for f in record.figures}


def test_a_lookup_is_answered_by_lookup_and_quotes_the_figure_with_its_marker(ask: Ask) -> None:
    record = ask("全域旅游推广经费的调整预算是多少？")
    assert not record.refused and "350.00万元" in record.answer and "=" not in record.answer
    assert record.citations and statuses(record)["350.00万元"] == "verified"


def test_several_measures_of_a_table_row_are_read_from_the_row(ask: Ask) -> None:
    record = ask("乡村文化站提升工程的年初预算、调整预算和实际支出分别是多少？")
    for figure in ("400.00", "500.00", "460.00"):
        assert figure in record.answer
    assert "全域旅游" not in record.answer  # the look-alike row of another project is not borrowed


def test_what_is_left_is_computed_from_the_adjusted_budget_and_the_spending_with_its_formula(ask: Ask) -> None:
    record = ask("全域旅游推广经费的调整预算还剩多少没有花？")
    assert "350.00万元 − " in record.answer and "280.00万元 = 70.00万元" in record.answer
    assert statuses(record)["70.00万元"] == "derived"


def test_what_is_left_at_year_end_of_the_unit_s_budget_is_its_budget_less_its_spending(ask: Ask) -> None:
    record = ask("部门全年调整预算到年底有多少钱没有花出去？")
    assert "1,500.00万元 − " in record.answer and "1,350.00万元 = 150.00万元" in record.answer


def test_one_measure_as_a_percentage_of_another_takes_the_part_before_xiangdangyu(ask: Ask) -> None:
    record = ask("年中追加的金额相当于年初预算的百分之多少？")
    assert "300.00万元 ÷ " in record.answer and "1,200.00万元 ≈ 25.00%" in record.answer


def test_a_share_divides_the_part_by_the_whole_it_belongs_to(ask: Ask) -> None:
    record = ask("基本支出占全年实际支出的比重是多少？")
    assert "450.00万元 ÷ " in record.answer and "1,350.00万元 ≈ 33.33%" in record.answer


def test_a_share_the_report_states_is_quoted_not_recomputed(ask: Ask) -> None:
    record = ask("旅游综合收入占全县GDP的比重是多少？")
    assert "6.80%" in record.answer and "≈" not in record.answer


def test_a_growth_rate_is_set_beside_the_rate_the_report_states(ask: Ask) -> None:
    record = ask("全年调整预算比上年增长了百分之几？")
    assert "(1,500.00万元 − 1,250.00万元) ÷ 1,250.00万元 ≈ 20.00%" in record.answer
    assert "与报告所写20.00%一致" in record.answer


def test_a_sum_the_report_states_is_checked_against_its_parts(ask: Ask) -> None:
    record = ask("两个重点项目的调整预算合计是多少？")
    assert "850.00万元" in record.answer and "500.00万元 + 350.00万元 = 850.00万元" in record.answer


def test_a_per_unit_average_divides_an_amount_by_a_count_of_the_same_subject(ask: Ask) -> None:
    record = ask("乡村文化站提升工程平均每个文化站花了多少钱？")
    assert "460.00万元 ÷ 36个 ≈ 12.78万元" in record.answer


def test_a_detail_the_report_never_gives_is_refused_saying_what_it_does_state(ask: Ask) -> None:
    record = ask("乡村文化站提升工程的施工合同金额是多少？")
    assert record.refused and record.answer.startswith("报告未提及")
    record = ask("乡村文化站提升工程的施工单位是哪家公司？")
    assert record.refused


def test_a_year_the_report_does_not_cover_is_refused(ask: Ask) -> None:
    record = ask("2021年全域旅游推广经费实际支出多少？")
    assert record.refused


def test_a_goal_is_not_given_for_what_was_achieved(ask: Ask) -> None:
    record = ask("全年完成了多少个乡村文化站改造？")
    assert "36个" in record.answer and not record.answer.startswith("计划")


def test_only_the_figures_the_answer_relies_on_get_a_status(ask: Ask) -> None:
    record = ask("全域旅游推广经费的执行率是多少？")
    assert "80.00%" in statuses(record) and all(f.status in ("verified", "derived") for f in record.figures)
    assert set(statuses(record)) <= {"80.00%", "280.00万元", "350.00万元", "300.00万元"}


def test_an_english_question_gets_an_english_answer_around_the_figure_asked(ask: Ask) -> None:
    record = ask("What was the execution rate of the rural cultural station project?")
    assert record.answer.startswith(("According to the report", "The report", "The "))
    assert not record.refused


def test_a_follow_up_keeps_the_measure_and_swaps_the_entity(assistant: Assistant) -> None:
    history = [ChatTurn(role="user", content="乡村文化站提升工程的实际支出是多少？")]
    record = assistant.ask("那全域旅游推广经费呢？", history=history)
    assert record.standalone == "全域旅游推广经费的实际支出是多少？"
    assert "280.00" in record.answer


def test_a_report_figure_in_a_failing_relation_is_shown_inconsistent_not_green(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "某局2024年度部门整体支出绩效自评报告.txt"
    report.parent.mkdir(parents=True)
    report.write_text(
        "某局2024年度部门整体支出绩效自评报告\n一、预算执行情况\n"
        "2024年，机关运行经费预算50.00万元，实际支出40.00万元，执行率85.00%。\n",
        encoding="utf-8",
    )
    built = build_assistant(make_settings(tmp_path / "data", seeds_dir=tmp_path / "none"))
    built.corpus.ingest([report])
    record = built.ask("机关运行经费的执行率是多少？")
    assert statuses(record)["85.00%"] == "inconsistent"
    assert any("40.00万元 ÷ 50.00万元" in w for w in record.warnings)
    assert "⚠ 注意" in record.answer and "80.00%" in record.answer  # the text says so too, with the recomputed rate


def test_how_much_a_budget_was_adjusted_is_the_adjusted_less_the_initial_budget(ask: Ask) -> None:
    record = ask("乡村文化站提升工程年中预算调增了多少？")
    assert "500.00万元" in record.answer and "400.00万元 = 100.00万元" in record.answer
