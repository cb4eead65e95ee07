"""Tests of the offline extractive answerer over the real e5 index of the seed, with questions that are not in
seeds/dev.jsonl: figures quoted and verified, remaining budgets computed, refusals, English frames, audit notes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

import pytest
from conftest import SEEDS_DIR, make_settings

from assistant.records import AnswerRecord
from assistant.service import build_assistant

if TYPE_CHECKING:
    from assistant.corpus import Corpus

Ask = Callable[[str], AnswerRecord]
_MARKER = re.compile(r"\[(\d+)\]")

ANSWERED = [  # question, what the answer must say, the figure that must be verified
    ("“三公”经费中基本支出的预算安排是多少？", "基本支出预算安排6.28万元", "6.28万元"),
    ("三公经费基本支出预算安排多少", "基本支出预算安排6.28万元", "6.28万元"),
    ("管理效能自评得了多少分？", "自评得分为45分", "45分"),
    ("产出指标中有多少个数量指标？", "20个数量指标", "20个"),
    ("公务用车运行维护费实际支出多少？", "支出3.52万元", "3.52万元"),
    ("全区全年受理业务多少宗？", "受理业务157.83万宗", "157.83万宗"),
    ("区政数局在编人员有多少人？", "在编人员17人", "17人"),
    ("因公出国（境）经费的预算是多少？", "因公出国（境）经费预算0.00万元", "0.00万元"),
    ("基本支出中商品和服务支出是多少？", "商品和服务支出81.33万元", "81.33万元"),
    ("电子公务科属于哪个单位的内设机构？", "区政数局内设机构共5个", "5个"),
]
ENGLISH = [
    ("What was the completion rate of the government procurement budget?", ["100.00%"]),
    ("How many people are on the bureau's staff?", ["17人"]),
    ("What was the reception expenses budget?", ["1.21万元"]),
]
DERIVED = [
    ("公务接待费的预算还剩多少没有花？", "0.70万元", "1.21万元 − 0.51万元 = 0.70万元"),
    ("部门职能类项目还有多少预算没花完？", "2,383.62万元", "15,279.26万元 − 12,895.64万元 = 2,383.62万元"),
    ("“数字政府”建设专项资金还有多少预算没用完？", "79.20万元", "507.74万元 − 428.54万元 = 79.20万元"),
]
REFUSED = [
    ("区政务服务中心的主任是谁？", "报告未提及“主任”是谁"),
    ("区政数局的财务科长叫什么名字？", "报告未提及“财务科长”是谁"),
    ("2021年“三公”经费支出是多少？", "报告未提及2021年的相关情况"),
    ("2022年全区受理业务多少宗？", "报告未提及2022年的相关情况"),
    ("Who is the director of the bureau?", "The report does not mention"),
    ("What was the bureau's budget in 2021?", "The report does not mention"),
    ("政务地图集成的16个镇街便民服务中心分别是哪些？", "报告未提及16个镇街便民服务中心的具体名单"),
]
AUDITED = [
    ("机关运行经费一般公共预算安排了多少？", "65.85万元 ÷ 56.40万元 = 116.76%"),
    ("机关运行经费超支了吗？", "65.85万元 ÷ 56.40万元 = 116.76%"),
    ("项目支出的年度预算是多少？", "支出17,865.48元的单位疑为笔误"),
    ("对个人和家庭的补助支出多少钱？", "年度预算1,180.85元的单位疑为笔误"),
]
NOT_REFUSED = [q for q, *_ in ANSWERED + ENGLISH + DERIVED + AUDITED]


@pytest.fixture(scope="module")
def ask(seed_corpus_e5: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Ask:
    """Ask the extractive assistant over the e5 index of the seed; each question is answered once per module."""
    settings = make_settings(tmp_path_factory.mktemp("extractive"), embedding={"backend": "e5"})
    assistant = build_assistant(settings, corpus=seed_corpus_e5)
    return cache(lambda question: assistant.ask(question, mode="extractive"))


@pytest.mark.parametrize("question_set", sorted(p.name for p in SEEDS_DIR.glob("*.jsonl")))
def test_none_of_these_questions_is_taken_from_a_shipped_question_set(question_set: str) -> None:
    lines = (SEEDS_DIR / question_set).read_text(encoding="utf-8").splitlines()
    shipped = {json.loads(line)["question"] for line in lines if line.strip()}
    asked = NOT_REFUSED + [q for q, _ in REFUSED]
    assert [q for q in asked if q in shipped] == []


@pytest.mark.parametrize(("question", "statement", "figure"), ANSWERED)
def test_a_figure_asked_for_is_quoted_from_the_report_and_verified(
    ask: Ask, question: str, statement: str, figure: str
) -> None:
    record = ask(question)
    assert not record.refused and record.mode == "extractive"
    assert record.answer.startswith("根据报告，") and statement in record.answer
    assert figure in {f.text for f in record.figures if f.status == "verified"}


@pytest.mark.parametrize(("question", "expected"), ENGLISH)
def test_an_english_question_gets_an_english_frame_around_the_report_s_words(
    ask: Ask, question: str, expected: list[str]
) -> None:
    record = ask(question)
    assert not record.refused
    assert record.answer.startswith("According to the report") and "The report says:" in record.answer
    for text in expected:
        assert text in record.answer


@pytest.mark.parametrize(("question", "result", "formula"), DERIVED)
def test_a_remaining_budget_is_computed_and_labelled_with_its_formula(
    ask: Ask, question: str, result: str, formula: str
) -> None:
    record = ask(question)
    assert record.answer.startswith("根据报告数字计算（计算得出）：")
    assert formula in record.answer
    derived = [f for f in record.figures if f.status == "derived" and f.text == result]
    assert derived and formula in derived[0].source
    assert record.citations, "the computation cites the sentence its figures come from"


@pytest.mark.parametrize(("question", "refusal"), REFUSED)
def test_a_question_the_report_is_silent_on_is_refused(ask: Ask, question: str, refusal: str) -> None:
    record = ask(question)
    assert record.refused
    assert record.answer.startswith(refusal)
    assert record.citations == [] and record.figures == []
    assert len(record.retrieved) >= 10, "the passages looked at are still reported"


@pytest.mark.parametrize(("question", "finding"), AUDITED)
def test_an_answer_resting_on_an_inconsistent_figure_carries_the_audit_warning(
    ask: Ask, question: str, finding: str
) -> None:
    record = ask(question)
    assert not record.refused
    assert any(finding in w for w in record.warnings)
    assert "⚠ 注意：报告数字不一致：" in record.answer and finding in record.answer


def test_counted_items_the_report_does_list_are_answered_not_refused(ask: Ask) -> None:
    record = ask("区政数局的5个内设机构分别是什么？")
    assert not record.refused
    assert all(name in record.answer for name in ("办公室", "审批改革科", "数据管理科"))


@pytest.mark.parametrize("question", NOT_REFUSED)
def test_no_figure_in_an_extractive_answer_is_mismatched_or_unverified(ask: Ask, question: str) -> None:
    record = ask(question)
    assert record.figures
    flagged = [(f.text, f.status, f.note) for f in record.figures if f.status not in ("verified", "derived")]
    assert flagged == []


@pytest.mark.parametrize("question", NOT_REFUSED)
def test_every_marker_of_an_extractive_answer_has_a_citation_with_its_quote(ask: Ask, question: str) -> None:
    record = ask(question)
    markers = list(dict.fromkeys(_MARKER.findall(record.answer)))
    assert markers == [c.marker for c in record.citations] == [str(n) for n in range(1, len(markers) + 1)]
    assert all(c.quote in c.text for c in record.citations)


# -- answers that were once wrong: stated shares, stated rates, English computations, the overall score --
def test_a_share_the_report_states_is_quoted_not_recomputed(ask: Ask) -> None:
    record = ask("公务接待费占“三公”经费支出总额的比例是多少？")
    assert "12.66%" in record.answer
    assert [f.text for f in record.figures if f.status == "derived"] in ([], ["12.66%"])


def test_a_completion_rate_the_report_states_is_not_replaced_by_another_item_s_ratio(ask: Ask) -> None:
    record = ask("“三公”经费项目支出完成预算的比例是多少？")
    assert "3.60万元 ÷ 6.28万元" not in record.answer


def test_an_english_remaining_budget_question_is_computed(ask: Ask) -> None:
    record = ask("How much of the official reception budget was left unspent?")
    assert "0.70万元" in record.answer


def test_an_english_question_about_the_overall_score_finds_it(ask: Ask) -> None:
    record = ask("What is the overall self-evaluation score?")
    assert "94.4分" in record.answer
