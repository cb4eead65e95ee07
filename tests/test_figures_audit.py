"""Tests of the report audit on the seed and on small synthetic reports with planted errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.figures import (
    AuditFinding,
    audit_report,
    findings_for_passage,
    findings_for_text,
)
from index.chunking import chunk_document
from index.loaders import load_document
from index.models import Document

SEED = next((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


def _doc(text: str, name: str = "synthetic") -> Document:
    return Document(id=f"doc-{abs(hash(text))}", name=name, text=text, sha256=str(abs(hash(text))))


@pytest.fixture(scope="module")
def seed_findings() -> list[AuditFinding]:
    document = load_document(SEED)
    return audit_report([document], chunk_document(document))


def _failing(findings: list[AuditFinding]) -> list[AuditFinding]:
    return [f for f in findings if not f.holds]


def test_seed_audit_finds_exactly_the_failing_relations(
    seed_findings: list[AuditFinding],
) -> None:
    failing = {(f.kind, f.stated) for f in _failing(seed_findings)}
    assert failing == {
        ("rate", "85.65%"),
        ("inconsistent_value", "18,977.96万元"),
        ("unit_slip", "1,180.85元"),
        ("unit_slip", "17,865.48元"),
        ("score_weight", "49.4分"),  # 各项均称满分 (10 + 10 + 4.4 + 25) but the weight is 50
        ("outline", "（三）"),  # two （三） under 一、
    }


@pytest.mark.parametrize(
    ("kind", "formula_part"),
    [
        ("rate", "18,977.96万元 ÷ (15,094.71万元 + 6,671.69万元)"),
        ("rate", "3.52万元 ÷ 5.70万元"),
        ("sum", "0.00万元 + 3.52万元 + 0.51万元 = 4.03万元"),
        ("share", "3.52万元 ÷ 4.03万元"),
        ("score_sum", "49.4分 + 45分 = 94.4分"),
        ("score_sum", "10分 + 10分 + 4.4分 + 25分 = 49.4分"),
        ("sum", "995.13万元 + 81.33万元 + 36.01万元 = 1,112.47万元"),
        ("budget_adjustment", "15,094.71万元 + 6,671.69万元 = 21,766.40万元"),
        ("sum", "633.98万元 + 15,279.26万元 + 4,672.31万元 = 20,585.55万元"),
        ("sum", "20个 + 9个 + 8个 + 1个 = 38个"),
    ],
)
def test_seed_relations_that_hold_are_listed_as_holding(
    seed_findings: list[AuditFinding], kind: str, formula_part: str
) -> None:
    assert any(f.kind == kind and formula_part in f.formula and f.holds for f in seed_findings)


def test_seed_completion_rate_of_running_costs_fails_and_explains_reversal(
    seed_findings: list[AuditFinding],
) -> None:
    (finding,) = [f for f in seed_findings if f.stated == "85.65%"]
    assert finding.computed == "116.76%"
    assert "颠倒" in finding.formula


def test_seed_unit_slips_name_the_corrected_unit(
    seed_findings: list[AuditFinding],
) -> None:
    slips = {f.stated: f.computed for f in seed_findings if f.kind == "unit_slip"}
    assert slips == {"1,180.85元": "1,180.85万元", "17,865.48元": "17,865.48万元"}


def test_findings_dict_has_the_json_keys(seed_findings: list[AuditFinding]) -> None:
    assert set(seed_findings[0].to_dict()) == {
        "claim",
        "formula",
        "stated",
        "computed",
        "holds",
        "kind",
        "section",
    }


def test_failing_findings_are_found_for_a_text_that_quotes_the_figure(
    seed_findings: list[AuditFinding],
) -> None:
    hits = findings_for_text(seed_findings, "机关运行经费完成预算85.65%")
    assert [f.stated for f in hits] == ["85.65%"]
    assert findings_for_text(seed_findings, "公务接待费预算1.21万元") == []


def test_failing_findings_are_found_for_a_passage() -> None:
    document = load_document(SEED)
    passages = chunk_document(document)
    findings = audit_report([document], passages)
    hit = [p for p in passages if "机关运行经费一般公共预算" in p.text]
    assert any(f.stated == "85.65%" for f in findings_for_passage(findings, hit[0]))


SYNTHETIC_OK = (
    "一、收支情况\n"
    "1.预算执行\n"
    "2023年，我单位全年预算数1,000.00万元，支出900.00万元，预算完成率90.00%。\n"
    "（1）基本支出。年度预算400.00万元，支出390.00万元，完成预算的97.50%，其中：工资福利支出300.00万元；"
    "商品和服务支出90.00万元。\n"
    "（2）项目支出。年度预算600.00万元，支出510.00万元，完成预算的85.00%。\n"
    "2.“三公”经费\n"
    "“三公”经费预算3.00万元，支出2.00万元，完成预算66.67%。\n"
    "公务接待费预算1.00万元，支出0.50万元，占“三公”经费支出总额的25.00%。\n"
    "公务用车运行维护费预算2.00万元，支出1.50万元，占“三公”经费支出总额的75.00%。\n"
)


def test_synthetic_report_with_correct_arithmetic_raises_no_alarm() -> None:
    findings = audit_report([_doc(SYNTHETIC_OK)])
    assert _failing(findings) == []
    kinds = {f.kind for f in findings}
    assert {"rate", "sum", "share"} <= kinds


def test_rounding_at_stated_precision_is_not_an_error() -> None:
    text = "一、情况\n支出1.00万元，预算3.00万元，完成预算33.33%。另一项支出2.00万元，预算3.00万元，完成预算67%。\n"
    assert _failing(audit_report([_doc(text)])) == []


@pytest.mark.parametrize(
    ("original", "planted", "kind"),
    [
        ("预算完成率90.00%", "预算完成率80.00%", "rate"),
        ("商品和服务支出90.00万元", "商品和服务支出95.00万元", "sum"),
        ("占“三公”经费支出总额的25.00%", "占“三公”经费支出总额的35.00%", "share"),
        ("年度预算600.00万元", "年度预算600.00元", "unit_slip"),
    ],
)
def test_planted_errors_are_found(original: str, planted: str, kind: str) -> None:
    text = SYNTHETIC_OK.replace(original, planted)
    assert any(f.kind == kind for f in _failing(audit_report([_doc(text)])))


def test_score_parts_that_do_not_add_up_are_flagged() -> None:
    text = (
        "一、自评结论\n经自评，整体绩效自评分值为90分。\n"
        "二、分析\n1.履职效能\n自评得分为50分。该项评分为20分。该项评分为25分。\n"
        "2.管理效能\n自评得分为45分。\n"
    )
    failing = _failing(audit_report([_doc(text)]))
    assert {f.kind for f in failing} == {"score_sum"}
    assert {f.stated for f in failing} == {"50分", "90分"}


def test_initial_budget_plus_adjustment_must_equal_full_year_budget() -> None:
    text = "一、收入\n年初批复预算收入100.00万元。年中预算调整增加50.00万元。\n二、支出\n全年预算数160.00万元，支出100.00万元。\n"
    failing = _failing(audit_report([_doc(text)]))
    assert [f.kind for f in failing] == ["budget_adjustment"]


def test_one_quantity_with_two_values_is_inconsistent() -> None:
    text = "一、概况\n我部门预算总收入500.00万元。\n二、评价\n我部门预算总收入600.00万元，支出450.00万元。\n"
    failing = _failing(audit_report([_doc(text)]))
    assert [f.kind for f in failing] == ["inconsistent_value"]
