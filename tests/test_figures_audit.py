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
        ("count", "5个"),  # 5个关键性二级指标 announced, four items scored after 具体为：
    }


def test_seed_sum_off_by_the_last_digit_is_a_note(seed_findings: list[AuditFinding]) -> None:
    notes = [f for f in seed_findings if "= 18,977.95万元" in f.formula and f.kind == "sum"]
    assert notes and all(f.holds and f.severity == "提示" for f in notes)


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


# -- each kind planted in a small document, with the near-miss that must not alarm ----------------------------
def _load(tmp_path: Path, text: str, suffix: str = ".txt") -> list[AuditFinding]:
    path = tmp_path / f"report{suffix}"
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    return audit_report([document], chunk_document(document))


def _failing_kinds(findings: list[AuditFinding]) -> list[str]:
    return sorted(f.kind for f in _failing(findings))


SCORE_TABLE = (
    "一、自评情况\n"
    "表1 绩效自评表\n"
    "一级指标 | 三级指标 | 分值 | 得分\n"
    "产出 | 完成数量 | 40 | 38\n"
    "效益 | 社会效益 | 40 | {score}\n"
    "满意度 | 群众满意度 | 20 | 19\n"
    "合计 | — | 100 | {total}\n"
)


def test_a_score_above_its_weight_is_flagged(tmp_path: Path) -> None:
    findings = _load(tmp_path, SCORE_TABLE.format(score="41", total="98"))
    assert _failing_kinds(findings) == ["score_weight"]


def test_a_total_row_that_is_not_the_sum_of_its_rows_is_flagged(tmp_path: Path) -> None:
    findings = _load(tmp_path, SCORE_TABLE.format(score="36", total="94"))
    (failure,) = _failing(findings)
    assert (failure.kind, failure.stated, failure.computed) == ("score_sum", "94分", "93分")


MONEY_TABLE = (
    "一、预算执行\n"
    "表1 预算执行情况（单位：万元）\n"
    "项目 | 年初预算 | 调整数 | 调整后预算 | 实际支出 | 执行率\n"
    "一、基本支出 | 500.00 | 20.00 | 520.00 | 510.00 | 98.08%\n"
    "1.人员经费 | 400.00 | 15.00 | 415.00 | 410.00 | 98.80%\n"
    "2.公用经费 | 100.00 | 5.00 | 105.00 | 100.00 | 95.24%\n"
    "二、项目支出 | 300.00 | {adjust} | 330.00 | 297.00 | 90.00%\n"
    "合计 | 800.00 | 50.00 | 850.00 | 807.00 | {rate}\n"
)


def test_table_rows_relate_within_the_row_and_totals_column_by_column(tmp_path: Path) -> None:
    findings = _load(tmp_path, MONEY_TABLE.format(adjust="30.00", rate="94.94%"))
    assert _failing(findings) == []
    formulas = {f.formula for f in findings if f.holds}
    assert "410.00万元 + 100.00万元 = 510.00万元" in " ".join(formulas)  # 一、 is the sum of its 1. 2.
    assert any(f.kind == "budget_adjustment" and f.formula.startswith("300.00万元 + 30.00万元") for f in findings)


@pytest.mark.parametrize(
    ("adjust", "rate", "failing"),
    [
        ("30.00", "96.94%", [("rate", "96.94%")]),
        ("35.00", "94.94%", [("budget_adjustment", "330.00万元"), ("sum", "50.00万元")]),
    ],
)
def test_a_wrong_cell_fails_the_relations_of_its_row_and_column(
    tmp_path: Path, adjust: str, rate: str, failing: list[tuple[str, str]]
) -> None:
    findings = _load(tmp_path, MONEY_TABLE.format(adjust=adjust, rate=rate))
    assert sorted((f.kind, f.stated) for f in _failing(findings)) == sorted(failing)


def test_the_last_digit_off_in_a_sum_is_a_note_not_an_alarm() -> None:
    text = "一、支出\n全年支出300.01万元，具体如下：\n1.基本支出。支出100.00万元。\n2.项目支出。支出200.00万元。\n"
    findings = audit_report([_doc(text)])
    assert _failing(findings) == []
    (note,) = [f for f in findings if f.kind == "sum"]
    assert note.severity == "提示" and note.holds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("一、收入\n罚没收入120.00万元，比上年增长20.00%（上年为110.00万元）。\n", "change"),
        ("一、质量\n达标率92.0%，较上年的90.5%提高2.5个百分点。\n", "change"),
        ("一、行动\n全年开展专项行动3项：一是水质巡查；二是扬尘整治。\n", "count"),
        ("一、机构\n内设科室4个，分别为：办公室、财务科、业务科。\n", "count"),
        ("一、接待\n接待费支出0.60万元，全年接待20人次，人均接待费用300.00万元。\n", "unit_slip"),
        ("一、补助\n补助发放5,000人次，按每人次20万元的标准，发放补助10.00万元。\n", "unit_slip"),
        ("一、采购\n实际完成采购200.00万元。其中：货物类120.00万元，服务类90.00万元。\n", "sum"),
    ],
)
def test_each_kind_planted_in_prose_is_flagged(text: str, kind: str) -> None:
    assert kind in _failing_kinds(audit_report([_doc(text)]))


@pytest.mark.parametrize(
    "text",
    [
        # parts listed after 其中 need not cover the whole
        "一、支出\n实际支出200.00万元，其中：货物类120.00万元，服务类50.00万元。\n",
        # counts under 其中 may overlap
        "一、人员\n在职人员50人，其中女性30人、党员28人。\n",
        # a goal and a result of one quantity differ on purpose
        "一、目标\n年度目标：培训农民1,200人次。\n二、完成情况\n全年培训农民1,150人次。\n",
        # two values in one sentence: a change from one to the other
        "一、标准\n补助标准由每人每月300元提高到350元，增幅16.67%。\n",
        # two parallel projects each with its own questionnaire
        "一、项目\n（一）甲项目\n回收有效问卷300份，满意度95%。\n（二）乙项目\n回收有效问卷200份，满意度93%。\n",
        # a rate that is not of spending against a budget
        "一、资金\n预算资金100.00万元，资金到位率100%，实际支出90.00万元，执行率90.00%。\n",
        # items announced by a count may go on in the paragraphs that follow
        "一、职责\n主要职责有三个方面：一是规划。\n二是监管。\n三是服务。\n",
        # a count of headings starting again at (一) is another list, not a number used twice
        "一、情况\n（一）收入\n收入10.00万元。\n（二）支出\n支出8.00万元。\n（一）资产\n资产5.00万元。\n",
        # an adjusted budget that also counts last year's carry-over
        "一、收入\n全年预算总收入600.00万元。按来源分：一是年初预算500.00万元；二是年中追加60.00万元；"
        "三是上年结转40.00万元。\n",
    ],
)
def test_near_misses_raise_no_alarm(text: str) -> None:
    assert _failing(audit_report([_doc(text)])) == []


def test_one_quantity_stated_twice_with_two_values_is_inconsistent() -> None:
    text = "一、完成情况\n全年新建污水管网12.5公里。\n二、综合评价\n一是全年新建污水管网13.5公里；二是群众满意。\n"
    assert _failing_kinds(audit_report([_doc(text)])) == ["inconsistent_value"]


def test_full_marks_that_do_not_add_up_to_the_weight_are_flagged() -> None:
    text = (
        "一、自评结论\n经自评，整体自评得分为88分。\n"
        "二、分析\n1.产出\n产出的分值为60分，自评得分为58分。\n"
        "数量指标均完成，该项得满分30分。质量指标均达标，该项得满分28分。\n"
        "2.效益\n效益的分值为40分，自评得分为30分。\n"
    )
    failing = _failing(audit_report([_doc(text)]))
    assert [f.kind for f in failing] == ["score_weight"]


def test_a_heading_number_used_twice_is_flagged() -> None:
    text = "一、概况\n（一）职责\n负责全区工作。\n（二）机构\n内设科室。\n（二）人员\n在编20人。\n"
    failing = _failing(audit_report([_doc(text)]))
    assert [(f.kind, f.stated) for f in failing] == [("outline", "（二）")]


def test_the_rules_are_registered_once_each() -> None:
    from assistant.figures.rules import registered

    assert {"rates", "table_totals", "breakdowns", "shares", "scores", "adjustments", "changes", "per_unit"} <= set(
        registered()
    )


def test_each_report_version_is_audited_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.figures.audit as audit

    audited: list[str] = []
    real = audit.audit_document

    def counting(view: audit.ReportView) -> list[AuditFinding]:
        audited.append(view.document.name)
        return real(view)

    monkeypatch.setattr(audit, "audit_document", counting)
    first = _doc(SYNTHETIC_OK + "（注：第一份）\n", name="first")
    second = _doc(SYNTHETIC_OK + "（注：第二份）\n", name="second")
    alone = audit_report([first])
    together = audit_report([first, second])
    assert audited == ["first", "second"]  # adding a report does not audit the first one again
    assert [f.claim for f in together[: len(alone)]] == [f.claim for f in alone]
    changed = _doc(SYNTHETIC_OK.replace("510.00万元", "520.00万元") + "（注：第一份）\n", name="first")
    assert _failing(audit_report([changed]))  # a new version of a report is audited anew
    assert audited == ["first", "second", "first"]


def test_the_audit_grows_about_linearly_with_the_report() -> None:
    """Sections named alike (every project has its own "（一）产出指标") once made the audit quadratic."""
    import time

    from assistant.figures.audit import audit_document
    from assistant.figures.report_view import ReportView
    from index.facts import build_fact_table

    def seconds(copies: int) -> float:
        document = _doc("\n".join(SYNTHETIC_OK.replace("2023", str(2000 + i)) for i in range(copies)))
        table = build_fact_table(document)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            audit_document(ReportView(document, table))
            best = min(best, time.perf_counter() - started)
        return best

    small, large = seconds(4), seconds(32)
    assert large < 24 * small + 0.05, (small, large)  # 8 times the text: quadratic work took ~360 times
