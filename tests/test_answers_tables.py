"""Answers over a report told in tables: indicator rows read as the measure they name, score columns whose
header states the weight, figures found in the fact table when retrieval misses them, a stated result that
answers a part of a compound question, what is achieved over its target, and refusals for what is not there."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import cached_ask, indexed_assistant
from synthetic_tables import write_tables_report

from assistant.knowledge import Knowledge
from assistant.records import AnswerRecord
from assistant.service import Assistant
from index.facts import Fact
from index.sentences import document_units

Ask = Callable[[str], AnswerRecord]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    data = tmp_path_factory.mktemp("tables")
    built: Assistant = indexed_assistant(data, write_tables_report(data / "reports"))
    return built


@pytest.fixture(scope="module")
def ask(assistant: Assistant) -> Ask:
    asked: Ask = cached_ask(assistant)
    return asked


def nearest_in_meaning(assistant: Assistant, monkeypatch: pytest.MonkeyPatch, words: str) -> Knowledge:
    """Stand in for the embedding: the sentences holding `words` are the ones nearest the question."""
    knowledge = assistant.knowledge.get()

    def similarity(query: object, document_ids: object = None) -> dict[tuple[str, int], float]:
        return {
            (d.id, start): 0.9 if words in text else 0.7
            for d in knowledge.documents
            for start, text in document_units(d, knowledge.passages)
        }

    monkeypatch.setattr(knowledge, "sentence_similarity", similarity)
    return knowledge


@pytest.fixture(scope="module")
def facts(assistant: Assistant) -> list[Fact]:
    knowledge = assistant._build_knowledge()
    return [f for table in knowledge.fact_tables.values() for f in table.facts]


def test_an_indicator_row_s_actual_value_takes_the_role_the_row_names(facts: list[Fact]) -> None:
    rate = next(f for f in facts if f.in_table and f.column == "实际完成值" and f.subject == "预算执行率")
    assert rate.role == "rate" and rate.text.startswith("95.00")
    pipes = next(f for f in facts if f.in_table and f.column == "实际完成值" and f.subject == "新建供水管网")
    assert pipes.role == "actual"  # a row that names no role keeps the column's


def test_a_score_column_whose_header_states_its_weight_holds_scores(facts: list[Fact]) -> None:
    cell = next(f for f in facts if f.in_table and f.column == "效益指标(30分)" and f.subject == "农村供水保障工程")
    assert cell.family == "score" and cell.value == 27


def test_a_rate_stated_in_an_indicator_table_answers_with_its_caption(ask: Ask) -> None:
    record = ask("农村供水保障工程的预算执行率是多少？")
    assert not record.refused and "95.00%" in record.answer


def test_a_score_of_the_summary_table_is_read_by_row_and_weighted_column(ask: Ask) -> None:
    record = ask("河道清淤整治项目的产出指标得了多少分？")
    assert not record.refused and "45" in record.answer and "48" not in record.answer


def test_a_rate_its_own_figures_contradict_is_inconsistent_wherever_it_is_restated(ask: Ask) -> None:
    record = ask("河道清淤整治项目的执行率是多少？")
    assert "68.60%" in record.answer
    assert {f.status for f in record.figures if f.text == "68.60%"} == {"inconsistent"}
    assert any("86.00%" in w for w in record.warnings)


def test_what_was_achieved_over_its_target_is_computed_from_the_indicator_row(ask: Ask) -> None:
    record = ask("新建供水管网完成了年度目标的百分之多少？")
    assert "120公里 ÷ 100公里 ≈ 120.00%" in record.answer


def test_a_part_answered_by_the_sentence_another_part_quotes_is_not_refused(ask: Ask) -> None:
    record = ask("这次纳入自评的2个项目平均得了多少分？总体评价是什么等次？")
    assert not record.refused and "90.43分" in record.answer and "优" in record.answer
    assert "报告未提及" not in record.answer


def test_what_the_report_answers_comes_before_what_it_leaves_out(ask: Ask) -> None:
    record = ask("农村供水保障工程的施工单位是哪家公司？实际支出是多少？")
    assert not record.refused and record.answer.startswith(("760.00", "农村供水保障工程", "实际支出"))
    assert "760.00" in record.answer and "报告未提及" in record.answer


def test_a_change_from_a_year_the_report_does_not_give_is_neither_computed_nor_guessed(ask: Ask) -> None:
    record = ask("2023年河道清淤整治项目实际支出多少？2024年比上年多了多少？")
    assert record.answer.startswith("报告未提及")
    assert "≈" not in record.answer and " = " not in record.answer


def test_a_count_of_a_part_of_a_stated_whole_is_refused_when_the_report_does_not_split_it(ask: Ask) -> None:
    record = ask("受益的5.6万人里，留守老人有多少？")
    assert record.refused


def test_a_rate_the_report_never_states_is_refused_though_the_lexicon_does_not_list_it(ask: Ask) -> None:
    record = ask("河道清淤整治项目的淤泥资源化利用率是多少？")
    assert record.refused


def test_budget_less_spending_is_computed_when_the_question_names_both(ask: Ask) -> None:
    record = ask("河道清淤整治项目的调整后预算和实际支出相差多少？")
    assert "500.00万元 − " in record.answer and "430.00万元 = 70.00万元" in record.answer


def test_a_count_is_found_by_the_noun_that_follows_its_measure_word(ask: Ask) -> None:
    record = ask("改造提升了多少个乡镇水厂？")
    assert not record.refused and "3个" in record.answer


def test_a_bracketed_qualifier_stays_in_the_name_of_the_figure_it_precedes(facts: list[Fact]) -> None:
    pipes = next(f for f in facts if f.text.startswith("520.00"))
    assert "管网工程(含入户)" in pipes.label and pipes.role == "spending"


@pytest.mark.parametrize(
    ("nearest", "project", "other"),
    [
        ("河道清淤整治项目 | 6.86", "河道清淤整治项目", "农村供水保障工程"),
        ("农村供水保障工程 | 10 | 48", "农村供水保障工程", "河道清淤整治项目"),
    ],
)
def test_an_english_question_is_answered_from_the_sentence_nearest_in_meaning(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch, nearest: str, project: str, other: str
) -> None:
    # The embedding is what meets English with Chinese: here a stand-in that finds one sentence nearest.
    nearest_in_meaning(assistant, monkeypatch, nearest)
    record = assistant.ask("What was the project's overall self-evaluation score?")
    assert record.answer.startswith(("According", "The"))
    assert project in record.answer and other not in record.answer


def test_a_total_written_in_the_ordinal_column_labels_its_row(facts: list[Fact]) -> None:
    total = next(f for f in facts if f.in_table and f.text.startswith("1,190.00"))
    assert total.subject == "合计"


def test_which_member_is_lowest_is_answered_from_the_group_s_rows_and_it_names_that_member_later(ask: Ask) -> None:
    record = ask("2个项目里执行率最低的是哪个？它的自评得分是多少、是什么等次？")
    assert "最低的是河道清淤整治项目（68.60%）" in record.answer and "95.00%" in record.answer
    assert "86.86" in record.answer and "良" in record.answer


def test_a_share_of_a_part_listed_after_qizhong_needs_no_role_word(ask: Ask) -> None:
    record = ask("固定资产原值中专用设备占多大比例？")
    assert "150.00万元 ÷ " in record.answer and "600.00万元 ≈ 25.00%" in record.answer


def test_what_is_left_of_a_counted_whole_is_the_whole_less_the_part_done(ask: Ask) -> None:
    record = ask("排查出的堤防渗漏点还有多少处没有完成修复？")
    assert "40处 − " in record.answer and "32处 = 8处" in record.answer


def test_what_is_left_is_of_the_deed_the_question_says_was_not_done(ask: Ask) -> None:
    record = ask("排查出的堤防渗漏点还有多少处没修复？")
    assert "40处 − " in record.answer and "32处 = 8处" in record.answer


def test_a_rate_the_report_does_not_state_is_the_count_of_its_deed_over_the_count_it_is_of(ask: Ask) -> None:
    record = ask("营业厅服务评价问卷的有效回收率是多少？")
    assert "460份 ÷ 500份 ≈ 92.00%" in record.answer


def test_a_rate_whose_deed_no_count_of_the_report_names_is_not_made_up_from_other_counts(ask: Ask) -> None:
    record = ask("营业厅服务评价问卷的好评率是多少？")
    assert "≈" not in record.answer and "92.00%" not in record.answer


def test_a_list_the_report_counts_itself_of_the_kind_asked_answers_which_ones(ask: Ask) -> None:
    record = ask("营业厅业务分成哪几类？")
    assert "报装受理" in record.answer and "故障报修" in record.answer
    assert "服务态度" not in record.answer  # the 4个方面 of the assessment are no kinds of business


def test_a_counted_list_of_another_kind_is_not_the_list_asked(ask: Ask) -> None:
    record = ask("县水务局从哪几个方面考核营业厅？")
    assert "服务态度" in record.answer and "投诉处理" in record.answer and "报装受理" not in record.answer


def test_a_net_increase_is_what_came_in_less_what_went_out_in_one_sentence(ask: Ask) -> None:
    record = ask("补助的困难户一年净增加了多少户？")
    assert "35户 − " in record.answer and "12户 = 23户" in record.answer


def test_a_net_change_the_report_states_is_quoted_not_made_of_some_of_its_flows(ask: Ask) -> None:
    record = ask("县水务工程中心的在职职工净减少了几人？")
    assert "减少2人" in record.answer and "=" not in record.answer


def test_a_grade_stated_as_the_result_of_an_assessment_answers_what_grade(ask: Ask) -> None:
    record = ask("营业厅的年度服务考核是什么等级？")
    assert not record.refused and "良好" in record.answer


def test_an_average_per_thing_divides_the_amount_its_count_s_sentence_states(ask: Ask) -> None:
    record = ask("审核的村级供水工程平均每个工程核减了多少钱？")
    assert "48.00万元 ÷ 24个 ≈ 2.00万元" in record.answer


def test_why_money_was_left_asks_a_reason_not_the_sum_left(ask: Ask) -> None:
    record = ask("河道清淤整治项目的钱为什么没花完？")
    assert "未支出" not in record.answer and " − " not in record.answer and "进场推迟" in record.answer


def test_what_is_named_inside_zai_li_is_the_whole_of_a_share(ask: Ask) -> None:
    record = ask("管网工程在农村供水保障工程实际支出里占多大比例？")
    assert "520.00万元 ÷ " in record.answer and "760.00万元 ≈ 68.42%" in record.answer


def test_how_much_of_its_budget_was_completed_is_the_stated_execution_rate(ask: Ask) -> None:
    record = ask("农村供水保障工程的调整后预算是多少、实际支出多少、完成了预算的百分之几？")
    assert "800.00万元" in record.answer and "760.00万元" in record.answer and "95.00%" in record.answer
    assert "≈" not in record.answer


def test_the_portion_of_a_counted_whole_its_deed_names_is_a_ratio_of_the_two_counts(ask: Ask) -> None:
    record = ask("排查的堤防渗漏点中，完成修复的比例是多少？")
    assert "32处 ÷ 40处 ≈ 80.00%" in record.answer


def test_a_per_unit_standard_the_report_states_is_quoted_not_divided_again(ask: Ask) -> None:
    record = ask("困难户饮水补助标准是每户每月多少？")
    assert "30元" in record.answer and "≈" not in record.answer


def test_a_figure_whose_label_has_the_measure_word_answers_it(ask: Ask) -> None:
    record = ask("第三方审核核减了多少不合理支出？")
    assert not record.refused and "12.00万元" in record.answer


def test_items_quoted_one_after_another_are_a_list(ask: Ask) -> None:
    record = ask("农村供水保障工程重点推进了哪几项行动？")
    assert "农村饮水安全提升" in record.answer and "城乡供水一体化" in record.answer


def test_a_date_of_another_event_is_no_answer(ask: Ask) -> None:
    assert "2024年10月28日" in ask("农村供水保障工程是哪天通过竣工验收的？").answer
    assert ask("农村供水保障工程是哪天开工的？").refused


def test_a_sum_of_the_funds_table_restated_in_the_subject_s_prose_is_quoted_from_the_prose(ask: Ask) -> None:
    record = ask("农村供水保障工程的实际支出占2个项目实际支出合计的比重是多少？")
    assert "760.00万元 ÷ " in record.answer and "1,190.00万元 ≈ 63.87%" in record.answer
    assert any("本项目调整后预算800.00万元" in c.quote for c in record.citations)


def test_which_companies_are_named_from_the_sentence_that_lists_their_names(ask: Ask) -> None:
    record = ask("运行补助资金拨付给了哪几家供水企业？")
    assert not record.refused
    for name in ("白沙县自来水有限公司", "青石供水有限公司", "河口水务集团有限公司"):
        assert name in record.answer
    assert "季度考核" not in record.answer


def test_a_list_of_the_kind_asked_is_found_under_the_heading_that_names_the_subject(ask: Ask) -> None:
    record = ask("供水信息平台已经和哪些部门实现了数据共享？")
    assert not record.refused and "应急管理" in record.answer and "住房建设" in record.answer
    assert "管网巡检" not in record.answer  # the platform's subsystems are a list, but not of departments


def test_a_name_is_the_answer_only_in_a_sentence_that_says_what_is_asked_of_it(ask: Ask) -> None:
    assert ask("供水信息平台是哪家单位承建的？").refused  # the report names who runs it, not who built it
    record = ask("供水信息平台的日常运维由哪个单位负责？")
    assert not record.refused and "县水务工程中心" in record.answer


def test_the_general_measure_word_counts_places_as_well(ask: Ask) -> None:
    record = ask("全年处理了多少处管网漏损点？")
    assert not record.refused and "26个" in record.answer


def test_a_question_in_everyday_words_is_answered_by_the_one_sentence_nearest_in_meaning(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "上班族平时抽不出空，周末能去办事吗？"
    knowledge = nearest_in_meaning(assistant, monkeypatch, "周末延时服务")
    record = assistant.ask(question)
    assert not record.refused and "周末延时服务" in record.answer
    monkeypatch.setattr(knowledge, "sentence_similarity", lambda query, document_ids=None: {})
    # Without the embedding, a question none of whose words the report writes is not answered.
    assert assistant.ask("上班族平时抽不出空，歇班时能去吗？").refused


def test_why_an_item_went_wrong_is_answered_from_the_sentence_after_it_in_the_section_of_reasons(ask: Ask) -> None:
    record = ask("供水信息平台为什么上线时间滞后？")
    assert not record.refused and "接口适配耗时较长" in record.answer
    assert "操作培训" not in record.answer  # the next item's reason is another item's


def test_a_reason_asked_of_a_measure_asks_no_figure_of_it() -> None:
    from assistant.frame import build_frame
    from assistant.planner.resolve import slots_of

    assert [s.kind for s in slots_of(build_frame("河道清淤整治项目的执行率为什么偏低？"))] == ["reason"]


def test_a_date_answers_only_from_the_clause_that_states_the_event_asked(ask: Ask) -> None:
    record = ask("供水信息平台是什么时候完成招标采购的？")
    assert "2024年4月" in record.answer and "2025年6月" not in record.answer


def test_x_zhan_y_s_measure_is_a_share_whose_measure_names_the_whole(ask: Ask) -> None:
    record = ask("管网工程(含入户)占农村供水保障工程实际支出的比例是多少？")
    assert "520.00万元 ÷ " in record.answer and "760.00万元 ≈ 68.42%" in record.answer


def test_a_stated_share_is_quoted_with_the_part_it_is_the_share_of(ask: Ask) -> None:
    record = ask("营业厅运行经费占项目支出总额的比例是多少？")
    assert "1.51%" in record.answer and "营业厅运行经费" in record.answer


def test_what_is_left_of_the_money_paid_out_is_that_money_less_the_spending_not_the_budget(ask: Ask) -> None:
    record = ask("供水信息平台已经拨到位的钱，年底还有多少没花出去？")
    assert "300.00万元 − " in record.answer and "240.00万元 = 60.00万元" in record.answer
    assert "400.00万元 − " not in record.answer and "160.00万元" not in record.answer


def test_a_question_in_everyday_verbs_asks_the_figure_of_the_subject_it_names(ask: Ask) -> None:
    record = ask("职工宿舍一共能放多少张床？")
    assert not record.refused and "60张" in record.answer


def test_a_locative_after_a_name_ends_the_name(ask: Ask) -> None:
    record = ask("县水务工程中心下面有哪几个二级单位？")
    assert "管网所" in record.answer and "水质检测站" in record.answer


def test_a_figure_of_one_item_of_a_list_does_not_answer_for_the_whole(ask: Ask) -> None:
    record = ask("这一年检查了多少家次水厂？")
    assert "40家次" in record.answer and "6家次" not in record.answer


def test_a_figure_whose_words_name_no_subject_is_of_the_topic_its_sentence_opened_with(ask: Ask) -> None:
    record = ask("城乡供水一体化专项债项目的总投资是多少？")
    assert not record.refused and "3.20亿元" in record.answer


def test_the_topic_of_a_sentence_does_not_answer_for_a_part_of_it_the_sentence_never_names(ask: Ask) -> None:
    record = ask("城乡供水一体化专项债项目中水厂改造的总投资是多少？")
    assert "3.20亿元" not in record.answer.split("报告只提到")[0]


def test_the_value_of_the_year_before_is_the_value_stated_less_the_year_s_stated_increase(ask: Ask) -> None:
    record = ask("2023年底全县有多少个村级供水站点？")
    assert "58个 − " in record.answer and "6个 = 52个" in record.answer


def test_what_there_was_before_the_year_is_the_cumulative_count_less_what_the_year_added(ask: Ask) -> None:
    record = ask("2024年以前全县建成了多少个水质监测点？")
    assert "120个 − " in record.answer and "15个 = 105个" in record.answer
    assert "（推算）" in record.answer


def test_what_the_year_before_added_is_not_inferred_from_this_year_s_figures(ask: Ask) -> None:
    record = ask("2023年全县新建了多少个水质监测点？")
    assert "（推算）" not in record.answer and "105个" not in record.answer


def test_a_value_of_the_year_before_is_not_inferred_from_a_rate_of_change(ask: Ask) -> None:
    record = ask("2023年全县供水总量是多少？")
    assert "（推算）" not in record.answer and "1,260万吨 ÷" not in record.answer and "1,200" not in record.answer


def test_a_whole_the_question_names_by_its_figure_is_divided_into_the_part_its_sentence_says_the_deed_of(
    ask: Ask,
) -> None:
    record = ask("1.50亿元专项债资金里，已经支付出去的占多大比例？")
    assert "0.90亿元 ÷ " in record.answer and "1.50亿元 ≈ 60.00%" in record.answer


def test_who_was_commissioned_is_named_after_the_verb_not_the_unit_that_commissioned(ask: Ask) -> None:
    record = ask("供水管网普查是委托哪家公司做的？")
    assert not record.refused and "白沙工程咨询有限公司" in record.answer


def test_a_commissioned_body_the_report_does_not_name_is_refused_not_answered_with_the_unit(ask: Ask) -> None:
    record = ask("用水户满意度调查是委托哪家第三方机构做的？")
    assert record.refused


def test_a_count_of_the_thing_asked_is_of_the_subject_its_sentence_opened_with(ask: Ask) -> None:
    record = ask("县应急供水服务站一共能放多少张床？")
    assert not record.refused and "24张" in record.answer


def test_how_much_a_figure_fell_on_the_year_before_is_the_change_the_report_states_not_its_goal(ask: Ask) -> None:
    record = ask("全县水质投诉件数比上年降了多少？")
    assert "15.0%" in record.answer and "10%" not in record.answer and "报告未提及" not in record.answer


def test_every_figure_of_a_sentence_that_sets_goals_is_a_goal(facts: list[Fact]) -> None:
    goal = next(f for f in facts if f.text == "10%" and "投诉" in f.label)
    assert goal.role == "target"


def test_which_the_n_things_are_is_the_numbered_items_a_sentence_announces(ask: Ask) -> None:
    record = ask("2024年实施的3个水源保护项目分别是哪些？")
    for name in ("水源地隔离防护工程", "水源地标志设置工程", "水源地巡查能力建设"):
        assert name in record.answer
    assert "无人机" not in record.answer  # the items' titles, not their bodies


def test_which_members_are_below_a_bound_are_picked_from_the_group_s_rows_with_their_rates(ask: Ask) -> None:
    record = ask("哪个项目的执行率低于90%？")
    assert "河道清淤整治项目（68.60%）" in record.answer and "农村供水保障工程（" not in record.answer


def test_a_bound_no_member_passes_is_said_with_every_member_s_rate(ask: Ask) -> None:
    record = ask("哪些项目的执行率低于50%？")
    assert "没有低于50%的" in record.answer and "68.60%" in record.answer
