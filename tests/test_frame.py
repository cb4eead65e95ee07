"""Reading a question into a frame: answer type, measures, entities, operation, unit and parts."""

from __future__ import annotations

import pytest

from assistant.frame import build_frame
from assistant.planner.plan import without_unit


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("乡村文化站提升工程花了多少钱？", "amount"),
        ("全域旅游推广经费的执行率是多少？", "rate"),
        ("全年改造了多少个乡村文化站？", "count"),
        ("自评得了多少分？", "score"),
        ("施工单位是哪家公司？", "name"),
        ("项目是什么时候招标的？", "date"),
        ("局机关内设了哪些科室？", "list"),
        ("推广经费执行率为什么偏低？", "reason"),
        ("这笔经费是用来做什么的？", "purpose"),
        ("评价等级是什么？", "grade"),
        ("PM2.5年均浓度是多少？", "figure"),
        ("文化站里的留守儿童有多少？", "count"),  # the noun counted names its measure word (人)
        ("How many cultural stations were rebuilt?", "count"),
    ],
)
def test_the_answer_type_is_what_the_question_asks_for(question: str, answer_type: str) -> None:
    assert build_frame(question).answer_type == answer_type


@pytest.mark.parametrize(
    ("question", "operation"),
    [
        ("调整预算还剩多少没有花？", "remaining"),
        ("两个项目的实际支出相差多少？", "difference"),
        ("游客人次比上年增长了百分之几？", "growth"),
        ("基本支出占全部支出的比重是多少？", "share"),
        ("两个重点项目的调整预算合计是多少？", "sum"),
        ("平均每个文化站花了多少钱？", "average"),
        ("全域旅游推广经费的预算是多少？", "lookup"),
        ("游客接待量完成了年度目标的百分之多少？", "completion"),
        ("预算执行率比上年有所下降吗？", "lookup"),  # 比上年 without "how much" asks no computation
    ],
)
def test_the_operation_is_read_from_the_question_words(question: str, operation: str) -> None:
    assert build_frame(question).operation == operation


def test_measures_are_the_roles_the_question_names_in_order() -> None:
    frame = build_frame("全域旅游推广经费的年初预算、调整预算和实际支出分别是多少？")
    assert [m.role for m in frame.measures] == ["initial_budget", "adjusted_budget", "spending"]
    assert frame.entities == ("全域旅游推广经费",)


def test_a_rate_the_lexicon_does_not_list_is_a_rate_measure_by_its_own_word() -> None:
    frame = build_frame("图书馆的座位使用率是多少？")
    assert [(m.role, m.word) for m in frame.measures] == [("rate", "使用率")]
    assert [(m.role, m.word) for m in build_frame("公交出行分担率是多少？").measures] == [("rate", "分担率")]


def test_a_word_that_frames_questions_stays_inside_a_longer_word_of_the_entity() -> None:
    assert build_frame("9个报告书项目的总投资合计是多少？").head == "报告书项目"


def test_the_part_of_a_whole_is_named_by_its_category_not_by_the_word_part() -> None:
    assert build_frame("“三公”经费中由项目支出安排的部分，预算是多少？").head == "项目支出"


def test_a_role_word_inside_a_longer_name_names_no_measure() -> None:
    frame = build_frame("本次部门整体支出绩效自评的总得分是多少？")
    assert [m.role for m in frame.measures] == ["score"]


def test_a_date_part_of_a_compound_question_borrows_the_entity_of_the_first() -> None:
    frame = build_frame("文化站改造补助标准提高到了多少？从什么时候开始执行？")
    assert frame.parts[1].entities == frame.parts[0].entities and frame.parts[1].answer_type == "date"


def test_a_how_many_question_counts_in_the_measure_word_of_its_noun() -> None:
    frame = build_frame("参加培训的基层干部有多少？")
    assert frame.answer_type == "count" and frame.counter == "人"
    assert build_frame("专项资金有多少？").counter == ""


def test_an_everyday_money_verb_stands_for_spending_but_qualifies_no_entity() -> None:
    frame = build_frame("临时救助资金花了多少？")
    assert [m.role for m in frame.measures] == ["spending"] and frame.head == "临时救助资金"


def test_a_spending_category_stays_an_entity_and_a_fund_sheds_its_role_word() -> None:
    assert build_frame("基本支出中的工资福利支出是多少？").entities == ("基本支出", "工资福利支出")
    assert build_frame("公务接待费支出是多少？").entities == ("公务接待费",)


def test_figures_the_question_states_are_never_its_answer() -> None:
    frame = build_frame("居家养老服务补贴的3,418名对象里，失能老人有多少？")
    assert 3418.0 in frame.values and frame.head == "失能老人"


def test_a_compound_question_gets_one_frame_per_part_and_a_bare_part_borrows_the_entity() -> None:
    frame = build_frame("临时救助资金花了多少？执行率多少？")
    assert len(frame.parts) == 2 and frame.parts[1].head == "临时救助资金"


def test_a_which_question_names_the_noun_it_asks_for() -> None:
    assert build_frame("全县哪个地表水断面没有达到考核目标？").asked_noun == "断面"
    assert build_frame("监测站是什么性质的单位？").head == "监测站"


def test_the_reporting_unit_is_the_scope_of_every_figure_not_an_entity() -> None:
    frame = without_unit(build_frame("县文旅局下属的事业单位是哪一个？"), ("青禾县文化旅游局", "县文旅局"))
    assert all("文旅局" not in e for e in frame.entities)


def test_a_year_and_a_month_are_slots_of_their_own() -> None:
    frame = build_frame("2023年12月份一共支出了多少钱？")
    assert frame.years == ("2023",) and frame.months and not any("12" in e for e in frame.entities)


def test_a_refusal_describes_what_was_asked_in_the_question_s_words() -> None:
    assert build_frame("2023年全区办理了多少件收养登记？").describe() == "“2023年全区办理的收养登记数量”"


def test_which_ones_of_several_asks_for_a_list_not_a_count() -> None:
    frame = build_frame("运行补助资金拨付给了哪几家供水企业？")
    assert frame.answer_type == "list" and frame.asked_noun == "企业"
    assert build_frame("哪两个项目执行率低于85%？").answer_type == "list"


def test_what_a_which_question_says_of_the_noun_it_asks_is_its_predicate_not_its_head() -> None:
    frame = build_frame("供水信息平台已经和哪些部门实现了数据共享？")
    assert frame.head == "供水信息平台" and "实现" in frame.predicate
    assert not any(e.endswith("已经") or "部门实现" in e for e in frame.entities)
    assert build_frame("哪两个重点项目执行率低于85%？").head == "重点项目"


def test_x_zhan_y_de_bili_is_a_share_and_zhan_ends_the_part() -> None:
    frame = build_frame("运行补助占农村供水保障工程实际支出的比例具体是多少？")
    assert frame.operation == "share" and frame.entities[:2] == ("运行补助", "农村供水保障工程")


def test_how_much_was_not_done_asks_what_remains_and_the_deed_is_no_entity() -> None:
    frame = build_frame("排查出的堤防渗漏点还有多少处没有修复？")
    assert frame.operation == "remaining" and frame.negated == ("修复",)
    assert frame.head.startswith("堤防渗漏") and not any("修复" in e or e.endswith("还") for e in frame.entities)


def test_a_negated_deed_in_a_question_that_asks_no_amount_stays_what_it_names() -> None:
    frame = build_frame("哪些项目没有达到年度目标？")
    assert frame.operation == "lookup" and "达到" in frame.entities


def test_any_word_of_a_rate_asks_for_a_rate() -> None:
    assert build_frame("服务评价问卷的有效回收率是多少？").answer_type == "rate"
    assert build_frame("年中追加相当于年初预算的百分之多少？").operation == "share"


def test_a_word_that_ends_in_a_cue_asks_what_the_cue_asks() -> None:
    assert build_frame("这次自评的总得分是多少？").answer_type == "score"
    assert build_frame("全县年末总人数是多少？").answer_type == "count"


def test_a_score_asked_in_everyday_words_is_a_score_whatever_spending_the_subject_names() -> None:
    assert build_frame("部门整体支出绩效自评打了多少分？").answer_type == "score"
    assert build_frame("这个项目为什么没花完？").operation == "lookup"


def test_a_word_that_names_no_subject_alone_is_no_entity() -> None:
    frame = build_frame("“三公”经费的预算是多少、完成了预算的百分之几？")
    assert frame.entities == ("三公经费",) and frame.operation == "lookup"


def test_a_locative_after_a_name_ends_the_name() -> None:
    frame = build_frame("县水务工程中心下面有哪几个二级单位？")
    assert "县水务工程中心" in frame.entities and not any("下面" in e for e in frame.entities)


def test_a_question_word_inside_a_question_ends_the_name_before_it() -> None:
    frame = build_frame("供水信息平台为什么上线时间滞后？")
    assert frame.entities[0] == "供水信息平台" and not any("为什么" in e for e in frame.entities)


def test_what_an_everyday_verb_asks_of_a_subject_is_not_the_head_the_figure_is_asked_of() -> None:
    frame = build_frame("职工宿舍一共能放多少张床？")
    assert frame.verbs == ("能放",) and frame.head == "职工宿舍"


def test_when_asked_as_which_day_names_no_entity() -> None:
    frame = build_frame("营业厅哪天起推行周末延时服务？")
    assert frame.entities[0] == "营业厅" and not any(e.startswith("天") for e in frame.entities)


def test_the_year_a_question_is_scoped_to_names_nothing_and_a_compound_counter_stays_whole() -> None:
    frame = build_frame("这一年检查了多少家次企业？")
    assert frame.entities == ("检查", "企业") and frame.counter == "家次"
    assert frame.describe() == "“这一年检查的企业数量”"


def test_a_measure_word_that_qualifies_a_noun_is_no_figure_asked_of_a_who_question() -> None:
    assert build_frame("营业厅满意度调查是委托哪家机构做的？").answer_types == ("name",)
    assert build_frame("营业厅满意度是多少？").answer_type == "rate"


def test_a_dictionary_noun_a_report_also_uses_as_a_subject_still_names_something() -> None:
    from index.segment import add_vocabulary, names_something

    add_vocabulary(["车辆", "按期完成"])
    assert names_something("车辆") and not names_something("按期完成")


def test_the_words_of_a_report_no_longer_asked_about_no_longer_shape_how_a_question_is_read() -> None:
    from index.segment import add_vocabulary, segment

    question = "苗圃项目效益指标得了多少分"
    add_vocabulary(frozenset({"苗圃项目"}))
    alone = [t.word for t in segment(question)]
    add_vocabulary(frozenset({"效益指标得", "苗圃项目"}))  # another report's odd word, taught and then taken back
    assert "效益指标得" in [t.word for t in segment(question)]
    add_vocabulary(frozenset({"苗圃项目"}))
    assert [t.word for t in segment(question)] == alone
