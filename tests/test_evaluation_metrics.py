"""Scoring hand-made answer records: normalisation, retrieval, citations, correctness, refusal, figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.evaluation.metrics import (
    evidence_ranks,
    is_refusal,
    percentile,
    score_record,
    summarise,
    summarise_by_type,
)
from assistant.evaluation.normalise import contains, normalise
from assistant.evaluation.questions import Question, load_questions
from assistant.records import AnswerRecord, Citation, FigureCheck, FigureStatus, RetrievedPassage


def question(
    type_: str = "numeric",
    must_include: tuple[str, ...] = ("18,977.96万元",),
    evidence: tuple[str, ...] = ("支出 18,977.96万元",),
    id_: str = "q-1",
) -> Question:
    """Build a question."""
    return Question.model_validate(
        {
            "id": id_,
            "question": "支出多少？",
            "type": type_,
            "answer": "支出18,977.96万元。",
            "must_include": list(must_include),
            "evidence": list(evidence),
            "section": "一、基本情况",
        }
    )


def passage(text: str, section: str = "一、基本情况") -> RetrievedPassage:
    """Build a retrieved passage."""
    return RetrievedPassage(passage_id=text[:8], section=section, text=text, score=1.0)


def citation(text: str) -> Citation:
    """Build a citation of a passage."""
    return Citation(marker="1", passage_id="p", document="d", section="s", text=text, quote=text)


def record(answer: str = "支出18,977.96万元[1]。", **fields: object) -> AnswerRecord:
    """Build an answer record."""
    return AnswerRecord.model_validate({"id": "x", "question": "支出多少？", "answer": answer, **fields})


def figure(text: str, status: FigureStatus) -> FigureCheck:
    """Build a figure check."""
    number = re.search(r"\d+(?:\.\d+)?", normalise(text))
    assert number is not None
    return FigureCheck(text=text, value=float(number.group()), unit="", status=status)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18,977.96万元", "18977.96万元"),
        ("1,234,567.8", "1234567.8"),
        ("支出 18,977.96 万元\n完成", "支出18977.96万元完成"),
        ("ＡＢＣ１２３％", "ABC123%"),  # full-width forms fold under NFKC
        ("预算　5.70万元", "预算5.70万元"),  # ideographic space
        ("1,2 项", "1,2项"),  # not a thousands group
        ("0.66万元，完成预算 100%", "0.66万元,完成预算100%"),
        ("12，345", "12345"),  # full-width comma folds to ASCII and groups three digits
    ],
)
def test_normalise_folds_width_whitespace_and_thousands_separators(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("evidence", "passage_text"),
    [
        ("支出 18,977.96万元", "本年支出18977.96万元，完成率87.19%"),
        ("支出18977.96万元", "本年支出 18,977.96 万元，完成率87.19%"),
        ("年初批复预算收入 15,094.71万元", "年初批复\n预算收入15,094.71万元"),
    ],
)
def test_evidence_matches_across_whitespace_and_thousands_separators(evidence: str, passage_text: str) -> None:
    assert contains(passage_text, evidence)
    assert evidence_ranks([evidence], [passage("无关"), passage(passage_text)]) == [2]


@pytest.mark.parametrize(
    ("ranked_texts", "hits", "reciprocal_rank"),
    [
        (["支出 18,977.96万元"], {1: True, 3: True, 5: True, 10: True}, 1.0),
        (["a", "b", "支出18977.96万元"], {1: False, 3: True, 5: True, 10: True}, 1 / 3),
        (["a", "b", "c", "d", "e", "支出18977.96万元"], {1: False, 3: False, 5: False, 10: True}, 1 / 6),
        (["a"] * 10 + ["支出18977.96万元"], {1: False, 3: False, 5: False, 10: False}, 1 / 11),
        (["a", "b"], {1: False, 3: False, 5: False, 10: False}, 0.0),
    ],
)
def test_hit_at_k_and_mrr_follow_the_rank_of_the_evidence(
    ranked_texts: list[str], hits: dict[int, bool], reciprocal_rank: float
) -> None:
    outcome = score_record(question(), record(retrieved=[passage(t) for t in ranked_texts]))
    assert outcome.hits == hits
    assert outcome.reciprocal_rank == pytest.approx(reciprocal_rank)
    assert any(f.metric == "retrieval" for f in outcome.failures) == (not hits[10])


def test_hit_needs_every_evidence_string_and_mrr_follows_the_first() -> None:
    two = question(evidence=("预算 21766.40万元", "支出 18,977.96万元"))
    outcome = score_record(
        two, record(retrieved=[passage("x"), passage("支出18977.96万元"), passage("预算21,766.40万元")])
    )
    assert outcome.evidence_ranks == [3, 2]
    assert outcome.hits == {1: False, 3: True, 5: True, 10: True}
    assert outcome.reciprocal_rank == pytest.approx(1 / 3)


def test_evidence_split_over_two_passages_is_not_retrieved() -> None:
    outcome = score_record(question(), record(retrieved=[passage("……支出 18,9"), passage("77.96万元……")]))
    assert outcome.hits[10] is False
    assert "「支出 18,977.96万元」未检索到" in outcome.failures[0].detail


def test_unanswerable_questions_are_left_out_of_retrieval_and_citation_scores() -> None:
    outcome = score_record(question("unanswerable", (), ()), record("报告未提及。", refused=True))
    assert outcome.reciprocal_rank is None and outcome.hits == {}
    assert outcome.citation_support is None
    summary = summarise([outcome])
    assert summary.values["hit@1"] is None and summary.values["mrr"] is None


@pytest.mark.parametrize(
    ("cited", "support"),
    [
        (["本年支出 18,977.96 万元", "全年预算数21766.40万元"], 1.0),
        (["本年支出 18,977.96 万元"], 0.5),
        (["无关段落"], 0.0),
        ([], 0.0),
    ],
)
def test_citation_support_is_the_share_of_evidence_in_cited_passages(cited: list[str], support: float) -> None:
    two = question(evidence=("支出 18,977.96万元", "全年预算数 21766.40万元"))
    outcome = score_record(two, record(citations=[citation(text) for text in cited]))
    assert outcome.citation_support == pytest.approx(support)
    assert any(f.metric == "citation_support" for f in outcome.failures) == (support < 1)


@pytest.mark.parametrize(
    ("answer", "correct", "missing"),
    [
        ("支出18,977.96万元[1]。", True, ""),
        ("支出 18977.96 万元。", True, ""),
        ("支出１８,９７７.９６万元。", True, ""),
        ("支出18,977万元。", False, "答案缺少：18,977.96万元"),
    ],
)
def test_correct_needs_every_must_include_string_after_normalising(answer: str, correct: bool, missing: str) -> None:
    outcome = score_record(question(), record(answer))
    assert outcome.correct is correct
    assert [f.detail for f in outcome.failures if f.metric == "correct"] == ([missing] if missing else [])


@pytest.mark.parametrize(
    ("answer", "flag", "refused"),
    [
        ("抱歉。", True, True),
        ("报告未提及局长的姓名。", False, True),
        ("报告 没有提到 公务接待的批次。", False, True),
        ("无法回答：报告只给出2023年数据。", False, True),
        ("The report does not mention it.", False, True),
        ("公务接待费支出0.51万元[1]。报告未提及接待批次。", False, False),
        ("局长是张三。", False, False),
    ],
)
def test_a_refusal_is_the_flag_or_a_clear_phrase_opening_the_answer(answer: str, flag: bool, refused: bool) -> None:
    assert is_refusal(record(answer, refused=flag)) is refused


@pytest.mark.parametrize(
    ("type_", "answer", "flag", "refusal_ok", "failure"),
    [
        ("unanswerable", "报告未提及局长姓名。", False, True, None),
        ("unanswerable", "……", True, True, None),
        ("unanswerable", "局长是张三[1]。", False, False, "refusal"),
        ("numeric", "支出18,977.96万元[1]。", False, True, None),
        ("numeric", "报告未提及相关支出。", False, False, "refusal"),
        ("numeric", "支出18,977.96万元。", True, False, "refusal"),
    ],
)
def test_refusal_is_right_on_unanswerable_and_wrong_on_answerable(
    type_: str, answer: str, flag: bool, refusal_ok: bool, failure: str | None
) -> None:
    q = question(type_, () if type_ == "unanswerable" else ("18,977.96万元",), ())
    outcome = score_record(q, record(answer, refused=flag))
    assert outcome.refusal_ok is refusal_ok
    assert outcome.correct is refusal_ok
    assert [f.metric for f in outcome.failures if f.metric == "refusal"] == ([failure] if failure else [])


def test_refusal_accuracy_and_false_refusal_rate_are_reported_separately() -> None:
    outcomes = [
        score_record(question("unanswerable", (), (), "u1"), record("报告未提及。")),
        score_record(question("unanswerable", (), (), "u2"), record("局长是张三。")),
        score_record(question(id_="a1"), record("报告未提及。")),
        score_record(question(id_="a2"), record()),
        score_record(question(id_="a3"), record()),
        score_record(question(id_="a4"), record()),
    ]
    values = summarise(outcomes).values
    assert values["refusal_accuracy"] == pytest.approx(0.5)
    assert values["false_refusal_rate"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("answer", "figures", "warnings", "clean"),
    [
        ("支出18,977.96万元。", [], [], True),
        ("完成率87.19%。", [("87.19%", "verified")], [], True),
        ("差额2,788.44万元。", [("2,788.44万元", "derived")], [], True),
        ("完成率85.65%。", [("85.65%", "mismatch")], [], False),
        ("完成率85.65%。", [("85.65%", "unverified")], [], False),
        ("完成率85.65%。", [("85.65%", "mismatch")], ["报告中完成预算 85.65% 与 65.85÷56.40 不符"], True),
        ("收入18,977.96万元。", [("18,977.96万元", "mismatch")], ["预算总收入前后不一致：18977.96万元"], True),
        ("完成率85.65%。", [("85.65%", "mismatch")], ["报告中预算总收入前后不一致"], False),
        ("完成率85.65%（与报告其他数字矛盾）。", [("85.65%", "mismatch")], [], True),
        ("完成率85.65%。另有数字不一致。", [("85.65%", "mismatch")], [], False),
        ("完成率85.65%，未核验。", [("85.65%", "unverified")], [], True),
        ("共3辆。", [("3辆", "unverified")], ["第3项指标未核验"], False),
    ],
)
def test_figures_are_clean_when_checked_or_visibly_flagged(
    answer: str, figures: list[tuple[str, FigureStatus]], warnings: list[str], clean: bool
) -> None:
    checked = [figure(text, status) for text, status in figures]
    outcome = score_record(question(must_include=()), record(answer, figures=checked, warnings=warnings))
    assert outcome.figures_clean is clean
    assert any(f.metric == "figures" for f in outcome.failures) == (not clean)


def test_an_error_counts_as_a_failure_with_only_the_error_listed() -> None:
    outcome = score_record(question(), None, error="RuntimeError: boom", wall_ms=5.0)
    assert [f.detail for f in outcome.failures] == ["运行出错：RuntimeError: boom"]
    assert outcome.correct is False and outcome.hits[10] is False and outcome.figures_clean is None
    assert summarise([outcome]).counts["errors"] == 1


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 50, None), ([7.0], 95, 7.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.5), ([float(i) for i in range(1, 21)], 95, 19.05)],
)
def test_percentile_interpolates_linearly(values: list[float], q: float, expected: float | None) -> None:
    assert percentile(values, q) == (pytest.approx(expected) if expected is not None else None)


def test_metrics_are_summarised_per_question_type() -> None:
    outcomes = [
        score_record(question(id_="n1"), record(retrieved=[passage("支出18977.96万元")], latency_ms=10.0)),
        score_record(question(id_="n2"), record("不知道", latency_ms=30.0)),
        score_record(question("unanswerable", (), (), "u1"), record("报告未提及。", latency_ms=20.0)),
    ]
    by_type = summarise_by_type(outcomes)
    assert list(by_type) == ["numeric", "unanswerable"]
    assert by_type["numeric"].values["correct"] == pytest.approx(0.5)
    assert by_type["numeric"].values["hit@1"] == pytest.approx(0.5)
    assert by_type["numeric"].values["refusal_accuracy"] is None
    assert by_type["unanswerable"].values["refusal_accuracy"] == 1.0
    overall = summarise(outcomes)
    assert overall.values["latency_p50_ms"] == pytest.approx(20.0)
    assert overall.counts == {
        "questions": 3,
        "failed": 2,  # n1 has no citations, n2 is wrong
        "errors": 0,
        "retrieval_scored": 2,
        "citation_scored": 2,
        "answerable": 2,
        "unanswerable": 1,
        "figures_scored": 3,
    }


def test_the_reference_answers_of_the_dev_set_score_as_correct() -> None:
    dev = load_questions(Path(__file__).resolve().parents[1] / "seeds" / "dev.jsonl")
    outcomes = [score_record(q, record(q.answer)) for q in dev]
    assert [o.id for o in outcomes if not o.correct] == []
    assert [o.id for o in outcomes if o.refused] == [q.id for q in dev if q.type == "unanswerable"]


def test_an_answer_three_times_the_reference_is_still_concise_and_longer_is_not() -> None:
    q = question()  # the reference answer has 13 characters: the 150-character floor applies
    assert score_record(q, record("支出18,977.96万元[1]。" + "说明" * 60)).concise is True
    outcome = score_record(q, record("支出18,977.96万元[1]。" + "说明" * 80))
    assert outcome.concise is False
    assert any(f.metric == "concise" for f in outcome.failures)


def test_the_warning_block_does_not_count_against_conciseness() -> None:
    outcome = score_record(question(), record("支出18,977.96万元[1]。\n⚠ 注意：" + "不一致" * 100))
    assert outcome.concise is True


def test_a_computed_result_the_reference_does_not_hold_is_a_wrong_computation() -> None:
    q = question(type_="derived")
    wrong = score_record(q, record("支出18,977.96万元[1]，0.63 ÷ 21,766.40 ≈ 0.00%。"))
    assert wrong.wrong_computations == ["0.00"]
    right = score_record(q, record("支出18,977.96万元[1]，合计 = 18,977.96万元。"))
    assert right.wrong_computations == []


def test_correct_and_concise_needs_both_and_counts_refused_unanswerables() -> None:
    outcomes = [
        score_record(question(id_="a"), record("支出18,977.96万元[1]。")),
        score_record(question(id_="b"), record("支出18,977.96万元[1]。" + "说明" * 80)),
        score_record(question(type_="unanswerable", must_include=(), evidence=(), id_="c"), record("报告未提及。")),
        score_record(question(id_="d"), record("支出10万元[1]。")),
    ]
    values = summarise(outcomes).values
    assert values["correct_and_concise"] == pytest.approx(2 / 4)
    assert values["concise"] == pytest.approx(2 / 3)
