"""Tests of figure verification (verified / derived / mismatch / unverified) and the derivation helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.figures import (
    check_figures,
    derive,
    find_derivation,
    parse_figures,
    quantity,
    report_figures,
)
from assistant.figures.verify import ReportFigures
from index.chunking import chunk_document
from index.loaders import load_document
from index.models import Document, Passage

SEED = next((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def seed() -> tuple[Document, list[Passage]]:
    document = load_document(SEED)
    return document, chunk_document(document)


@pytest.fixture(scope="module")
def index(seed: tuple[Document, list[Passage]]) -> ReportFigures:
    document, passages = seed
    return report_figures([document], passages)


def _status(index: ReportFigures, text: str) -> list[str]:
    return [v.status for v in index.check_text(text)]


@pytest.mark.parametrize(
    "text",
    [
        "2023年全年预算数21,766.40万元，支出18,977.96万元，预算完成率87.19%。",
        "部门职能类项目预算安排15279.26万元，支出12,895.64万元，完成预算的84.40%。",
        "公务接待费预算1.21万元，支出0.51万元，完成预算42.15%。",
        "整体绩效自评分值为94.4分。",
        "全区全年共受理业务157.83万宗。",
        "累计共享交换数据1.09亿条。",
        "新建5G基站2041座，任务完成率113.7%。",
        "全年支出约1.9亿元。",
        "全年支出189,779,600元。",
        "The report says 1948 matters are handled online and offline.",
    ],
)
def test_figures_copied_from_the_report_are_verified(index: ReportFigures, text: str) -> None:
    assert set(_status(index, text)) == {"verified"}


def test_completion_rate_mismatch_is_flagged(index: ReportFigures) -> None:
    (verdict,) = index.check_text("部门预算完成率85%。")
    assert verdict.status == "mismatch"
    assert "87.19%" in verdict.note


def test_percentage_of_another_item_is_a_mismatch_in_context(
    index: ReportFigures,
) -> None:
    text = "2023年，我部门全年预算数21766.40万元，支出18,977.96万元，预算完成率84.40%。"
    assert _status(index, text) == ["verified", "verified", "mismatch"]


def test_dropped_magnitude_is_a_mismatch(index: ReportFigures) -> None:
    (verdict,) = index.check_text("2023年全年支出18,977.96元。")
    assert verdict.status == "mismatch"
    assert "18,977.96万元" in verdict.note


def test_changed_digit_is_a_mismatch(index: ReportFigures) -> None:
    (verdict,) = index.check_text("公务用车购置及运行维护费预算5.70万元，支出3.25万元")[1:]
    assert verdict.status == "mismatch"
    assert "3.52万元" in verdict.note


def test_figure_nowhere_in_the_report_is_unverified(index: ReportFigures) -> None:
    assert _status(index, "局里共有配车48辆。") == ["unverified"]


@pytest.mark.parametrize(
    ("text", "formula_part"),
    [
        (
            "差额 = 21766.40万元 − 18,977.96万元 = 2,788.44万元",
            "21,766.40万元 − 18,977.96万元",
        ),
        ("结余 = 预算5.70万元 − 支出3.52万元 = 2.18万元", "5.70万元 − 3.52万元"),
        (
            "综合执行率 = 3,680.34万元 ÷ 3,816.66万元 ≈ 96.43%",
            "3,680.34万元 ÷ 3,816.66万元",
        ),
        ("年度任务 ≈ 新建2041座 ÷ 113.7%，约1795座", "2,041座 ÷ 113.7%"),
        ("机关在编人员17人，事业编制12名，两者相加约29名", "17人 + 12名"),
    ],
)
def test_computed_figures_are_derived_with_formula(index: ReportFigures, text: str, formula_part: str) -> None:
    verdict = index.check_text(text)[-1]
    assert verdict.status == "derived"
    assert formula_part in verdict.source


def test_unit_slip_in_report_is_noted_when_the_answer_corrects_it(
    index: ReportFigures,
) -> None:
    (verdict,) = index.check_text("基本支出年度预算1,180.85万元。")
    assert verdict.status == "verified"
    assert "单位疑为笔误" in verdict.note


def test_cited_passages_are_searched_first(seed: tuple[Document, list[Passage]], index: ReportFigures) -> None:
    _, passages = seed
    cited = [p for p in passages if "数字政府”建设专项资金，用于" in p.text]
    (verdict,) = index.check_text("财政资金预算执行率为84.40%", cited)
    assert verdict.status == "verified"
    assert "重点任务" in verdict.source


def test_check_figures_returns_answer_record_checks(
    seed: tuple[Document, list[Passage]],
) -> None:
    document, passages = seed
    checks = check_figures("预算完成率87.19%", passages[:3], [document])
    assert [(c.text, c.value, c.unit, c.status) for c in checks] == [("87.19%", 87.19, "%", "verified")]


@pytest.mark.parametrize(
    ("kind", "operands", "text", "formula"),
    [
        (
            "difference",
            ("21766.40万元", "18,977.96万元"),
            "2,788.44万元",
            "21,766.40万元 − 18,977.96万元 = 2,788.44万元",
        ),
        (
            "remaining",
            ("5.70万元", "3.52万元"),
            "2.18万元",
            "5.70万元 − 3.52万元 = 2.18万元",
        ),
        (
            "sum",
            ("507.74万元", "3308.92万元"),
            "3,816.66万元",
            "507.74万元 + 3,308.92万元 = 3,816.66万元",
        ),
        (
            "ratio",
            ("18,977.96万元", "21766.40万元"),
            "87.19%",
            "18,977.96万元 ÷ 21,766.40万元 ≈ 87.19%",
        ),
        ("share", ("3.52万元", "4.03万元"), "87.34%", "3.52万元 ÷ 4.03万元 ≈ 87.34%"),
        ("average", ("10分", "20分"), "15.00分", "(10分 + 20分) ÷ 2 = 15.00分"),
        (
            "implied_target",
            ("2041座", "113.7%"),
            "1,795.07座",
            "2,041座 ÷ 113.7% ≈ 1,795.07座",
        ),
    ],
)
def test_derive_formats_like_the_report(kind: str, operands: tuple[str, str], text: str, formula: str) -> None:
    result = derive(kind, *(quantity(o) for o in operands))  # type: ignore[arg-type]
    assert result.text == text
    assert result.formula == formula


def test_rounded_statement_of_a_computed_value_is_derived() -> None:
    figures = parse_figures("3,680.34万元 ÷ 3,816.66万元 ≈ 96.43%")
    assert find_derivation(figures[-1], figures) is not None
    figures = parse_figures("3,680.34万元 ÷ 3,816.66万元 ≈ 96.53%")
    assert find_derivation(figures[-1], figures) is None


def test_langchain_tool_returns_checks_as_json(
    seed: tuple[Document, list[Passage]],
) -> None:
    import json

    from assistant.figures.tool import make_verify_tool

    document, passages = seed
    tool = make_verify_tool([document], passages)
    result = json.loads(tool.invoke({"text": "预算完成率85%"}))
    assert result["figures"][0]["status"] == "mismatch"
    assert tool.name == "verify_figures"
