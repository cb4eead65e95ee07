"""The audit on wordings and layouts of reports written apart from the dev reports: a change stated as 由A提高到B
after a previous year, the parts of an initial budget, a list of names that a comma ends, and a 自评表 in a text
extract whose columns are runs of spaces, with merged cells left out and subtotals per group."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.figures import AuditFinding, audit_report
from index.chunking import chunk_document
from index.loaders import load_document

PROSE = """青石县水利局2024年度部门整体支出绩效自评报告
一、部门基本情况
按照资金管理办法规定，本项目资金用于{kinds}类支出，分别是河道清淤补助、水毁修复补助、堤防加固补助和水文监测运维，补助对象包括乡镇、村组和管护单位。
二、预算情况
2024年本项目年初预算1,000.00万元，其中中央补助600.00万元、省级补助250.00万元、县级配套150.00万元。年中追加预算200.00万元，调整后预算为1,200.00万元。
三、绩效情况
河道清淤量由上年的12.5万立方米提高到15.0万立方米，增长{growth}%，水质达标率保持100%。
"""

EXTRACT = """附件：2024年度项目绩效指标自评表

一级指标  二级指标  三级指标  指标值  完成值  分值  得分
预算执行  预算执行  预算执行率  100%  96.50%  10  9
产出指标  数量指标  河道清淤量  ≥12万立方米  15万立方米  10  10
堤防加固长度  ≥8公里  8.5公里  10  10
质量指标  工程验收合格率  100%  100%  10  {quality}

- 2 -

小计  30  {subtotal}
效益指标  社会效益  受益人口  ≥5万人  5.6万人  30  28
满意度指标  服务对象满意度  群众满意度  ≥90%  93.2%  30  29
合计  100  {total}
"""


def _findings(tmp_path: Path, name: str, text: str) -> list[AuditFinding]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    return audit_report([document], chunk_document(document))


def _failing(findings: list[AuditFinding], kind: str) -> list[tuple[str, str]]:
    return [(f.stated, f.computed) for f in findings if f.kind == kind and not f.holds]


@pytest.mark.parametrize(("growth", "fails"), [("20.00", False), ("18.00", True)])
def test_a_change_from_one_value_to_another_is_recomputed_whatever_year_the_sentence_names(
    tmp_path: Path, growth: str, fails: bool
) -> None:
    findings = _findings(tmp_path, "report.txt", PROSE.format(kinds=4, growth=growth))
    changes = [f for f in findings if f.kind == "change"]
    assert changes and "(15.0万立方米 − 12.5万立方米) ÷ 12.5万立方米" in changes[0].formula
    assert _failing(findings, "change") == ([(f"{growth}%", "20.00%")] if fails else [])


def test_the_parts_of_an_initial_budget_are_not_adjusted_on_their_own(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "report.txt", PROSE.format(kinds=4, growth="20.00"))
    assert _failing(findings, "budget_adjustment") == []
    assert any(f.kind == "budget_adjustment" and f.holds and "1,000.00万元 + 200.00万元" in f.formula for f in findings)


@pytest.mark.parametrize(("kinds", "fails"), [(4, False), (5, True)])
def test_a_list_of_names_ends_at_the_comma_after_it(tmp_path: Path, kinds: int, fails: bool) -> None:
    findings = _findings(tmp_path, "report.txt", PROSE.format(kinds=kinds, growth="20.00"))
    counts = [f for f in findings if f.kind == "count"]
    assert [(f.holds, f.computed) for f in counts] == [(not fails, "4类")]


def test_an_extract_table_with_merged_cells_left_out_reads_each_row_whole(tmp_path: Path) -> None:
    path = tmp_path / "extract.txt"
    path.write_text(EXTRACT.format(quality=10, subtotal=29, total=95), encoding="utf-8")
    [table] = load_document(path).tables
    assert table.header == ("一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分")
    cells = [row.cells for row in table.rows]
    assert cells[2] == ("产出指标", "数量指标", "堤防加固长度", "≥8公里", "8.5公里", "10", "10")
    assert cells[3] == ("产出指标", "质量指标", "工程验收合格率", "100%", "100%", "10", "10")
    assert cells[4] == ("小计", "", "", "", "", "30", "29")  # a total row keeps its label first


def test_a_subtotal_sums_its_group_and_the_total_every_row(tmp_path: Path) -> None:
    holds = _findings(tmp_path, "extract.txt", EXTRACT.format(quality=10, subtotal=30, total=96))
    assert [f for f in holds if f.kind == "score_sum" and not f.holds] == []
    assert any(f.kind == "score_sum" and f.holds and "10分 + 10分 + 10分 = 30分" in f.formula for f in holds)
    wrong = _findings(tmp_path, "extract.txt", EXTRACT.format(quality=9, subtotal=30, total=96))
    assert sorted(_failing(wrong, "score_sum")) == [("30分", "29分"), ("96分", "95分")]


SHARES = """青石县水利局2024年度项目支出绩效自评报告
一、资金使用情况
（一）总体情况
全年项目实际支出2,000.00万元，预算执行率95.00%，调整后预算2,105.26万元。
（二）支出结构
从支出结构看，河道清淤补助900.00万元，占项目实际支出的45.00%；水毁修复补助600.00万元，占项目实际支出的{share}%；堤防加固补助300.00万元，占15.00%。
"""


@pytest.mark.parametrize(("share", "fails"), [("30.00", False), ("32.00", True)])
def test_shares_listed_together_are_of_the_whole_one_of_them_holds_with(
    tmp_path: Path, share: str, fails: bool
) -> None:
    findings = _findings(tmp_path, "report.txt", SHARES.format(share=share))
    shares = {f.stated: f for f in findings if f.kind == "share"}
    assert {"45.00%", f"{share}%", "15.00%"} <= set(shares)
    assert all("÷ 2,000.00万元" in f.formula for f in shares.values())
    assert _failing(findings, "share") == ([(f"{share}%", "30.00%")] if fails else [])


FULL_MARKS = """青石县水利局2024年度部门整体支出绩效自评报告
一、自评结论
经评定，自评得分92分。在效益指标中，社会效益指标扣2分，可持续影响指标得满分{claimed}分。评分明细见表1。
表1 2024年度部门整体支出绩效自评评分表
一级指标 | 二级指标 | 分值 | 得分
效益 | 社会效益 | 20 | 18
效益 | 可持续影响 | 10 | 10
"""


@pytest.mark.parametrize(("claimed", "fails"), [("10", False), ("8", True)])
def test_full_marks_the_prose_claims_are_the_weight_its_score_table_gives(
    tmp_path: Path, claimed: str, fails: bool
) -> None:
    findings = _findings(tmp_path, "report.txt", FULL_MARKS.format(claimed=claimed))
    assert _failing(findings, "score_weight") == ([(f"{claimed}分", "10分")] if fails else [])


ACROSS = """青石县市场监督管理局2024年度部门整体支出绩效自评报告
一、预算情况
2024年县财政批复我局年初预算500.00万元。年度执行中，根据工作需要追加抽检经费、平台建设资金和隐患排查经费等共计{added}万元，全年调整后预算为560.00万元。
二、绩效情况
全年完成食品安全监督抽检2,000批次，完成年度计划1,800批次的111.11%。全年支付抽检检测费用300.00万元，平均每批次检测费用{each}。
全县新登记经营主体{prose}户，年末实有经营主体总量达到3.86万户。
表1 2024年度绩效指标完成情况
一级指标 | 二级指标 | 三级指标 | 指标值 | 实际值 | 分值 | 得分
产出指标 | 数量指标 | 新登记经营主体户数 | ≥1,200户 | 1,360户 | 10 | 10
"""


def test_an_amount_its_clause_says_was_added_is_an_adjustment_of_the_budget(tmp_path: Path) -> None:
    holds = _findings(tmp_path, "report.txt", ACROSS.format(added="60.00", each="1,500.00元", prose="1,360"))
    assert any(f.kind == "budget_adjustment" and f.holds and "500.00万元 + 60.00万元" in f.formula for f in holds)
    wrong = _findings(tmp_path, "report.txt", ACROSS.format(added="50.00", each="1,500.00元", prose="1,360"))
    assert _failing(wrong, "budget_adjustment") == [("560.00万元", "550.00万元")]


def test_an_average_divides_by_the_count_an_earlier_sentence_of_its_paragraph_states(tmp_path: Path) -> None:
    holds = _findings(tmp_path, "report.txt", ACROSS.format(added="60.00", each="1,500.00元", prose="1,360"))
    assert any(f.kind == "per_unit" and f.holds and "300.00万元 ÷ 2,000批次" in f.formula for f in holds)
    slipped = _findings(tmp_path, "report.txt", ACROSS.format(added="60.00", each="1,500.00万元", prose="1,360"))
    assert [f.kind for f in slipped if not f.holds] == ["unit_slip"]


def test_a_figure_the_prose_and_the_indicator_table_state_differently_is_found(tmp_path: Path) -> None:
    same = _findings(tmp_path, "report.txt", ACROSS.format(added="60.00", each="1,500.00元", prose="1,360"))
    assert _failing(same, "inconsistent_value") == []
    two = _findings(tmp_path, "report.txt", ACROSS.format(added="60.00", each="1,500.00元", prose="1,306"))
    assert _failing(two, "inconsistent_value") == [("1,306户", "1,360户")]


FAR_SHARE = """青石县市场监督管理局2024年度部门整体支出绩效自评报告
一、预算执行情况
全年项目支出800.00万元，其中主要包括两个重点项目。
两个重点项目合计支出500.00万元，占项目支出的62.50%。
二、重点项目绩效情况
（一）食品安全监管专项
该项目调整后预算320.00万元，实际支出300.00万元，执行率93.75%，支出额占项目支出的{share}%。
（二）特种设备安全监察专项
该项目调整后预算210.00万元，实际支出200.00万元，执行率95.24%。
"""


@pytest.mark.parametrize(("share", "fails"), [("37.50", False), ("39.50", True)])
def test_a_share_of_a_whole_another_share_of_the_report_holds_with_is_checked_against_it(
    tmp_path: Path, share: str, fails: bool
) -> None:
    findings = _findings(tmp_path, "report.txt", FAR_SHARE.format(share=share))
    of_project = [f for f in findings if f.kind == "share" and f.stated == f"{share}%"]
    assert of_project and "300.00万元 ÷ 800.00万元" in of_project[0].formula
    assert _failing(findings, "share") == ([(f"{share}%", "37.50%")] if fails else [])


@pytest.mark.parametrize(
    ("whole", "fails"),
    [("1,046.50", False), ("1,056.50", True), ("1,100.00", False)],  # 1,100.00: a part may be left out
)
def test_a_partial_list_one_digit_off_its_whole_is_a_slip(tmp_path: Path, whole: str, fails: bool) -> None:
    text = (
        "青石县农业农村局2023年度部门整体支出绩效自评报告\n一、资金情况\n"
        f"该项目年初预算1,300.00万元，实际支出{whole}万元，执行率{float(whole.replace(',', '')) / 13:.2f}%。"
        "其中：设备购置补助820.00万元，人员培训补助210.50万元，宣传费用16.00万元。\n"
    )
    findings = _findings(tmp_path, "report.txt", text)
    assert [f.kind for f in findings if not f.holds] == (["sum"] if fails else [])


MORE_LAYOUTS = """青石县住房和城乡建设局2023年度部门整体支出绩效自评报告
一、部门基本情况
年度目标主要包括：完成老旧小区改造不少于12个，培训施工人员2.5万人次以上。
全年完成老旧小区改造13个，培训施工人员2.68万人次。
二、资产情况
表1 2023年资产构成情况（单位：万元）
资产类别 | 年初数
流动资产 | 300.00
固定资产 | 1,000.00
其中：业务用房 | 700.00
通用设备 | 200.00
车辆 | 100.00
无形资产 | 50.00
合计 | {assets}
三、自评结论
一级指标分为投入、过程、产出、效益四类，分值分别为15分、25分、35分和25分。
表2 2023年度绩效自评表
一级指标 | 二级指标 | 分值 | 得分
产出指标 | 数量指标 | 20 | 19
 | 质量指标 | 15 | 15
 | 小计 | 35 | {subtotal}
效益指标 | 社会效益 | 25 | 24
合计 |  | 60 | 58
经综合评价，自评得分58分，等级为“优”（90分及以上为优）。其中，产出指标得34分；效益指标得24分。
"""


def test_the_layouts_of_new_reports_raise_no_false_alarm(tmp_path: Path) -> None:
    # goals announced with 主要包括 are goals; a list of weights holds no score; a 其中 list goes on without 其中;
    # a subtotal under a merged first cell sums its group; a grade scale in brackets is not the whole listed
    findings = _findings(tmp_path, "report.txt", MORE_LAYOUTS.format(assets="1,350.00", subtotal=34))
    assert [f"{f.kind}: {f.claim}" for f in findings if not f.holds] == []
    assert any(f.kind == "sum" and f.holds and "700.00万元 + 200.00万元 + 100.00万元" in f.formula for f in findings)
    assert any(f.kind == "score_sum" and f.holds and "19分 + 15分 = 34分" in f.formula for f in findings)


def test_in_those_layouts_what_does_not_add_up_still_fails(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "report.txt", MORE_LAYOUTS.format(assets="1,450.00", subtotal=33))
    assert sorted((f.kind, f.stated) for f in findings if not f.holds) == [
        ("score_sum", "33分"),
        ("sum", "1,450.00万元"),
    ]


def test_a_list_of_items_ends_at_the_next_heading_of_another_kind(tmp_path: Path) -> None:
    text = (
        "青石县教育局2023年度项目支出绩效自评报告\n六、存在的问题\n项目实施中主要存在以下四个方面的问题：\n"
        "（一）个别工程进度滞后。\n（二）县级配套资金支出偏慢。\n（三）绩效目标设置不够精细。\n七、改进措施\n"
        "下一步将加快工程进度。\n"
    )
    counts = [f for f in _findings(tmp_path, "report.txt", text) if f.kind == "count"]
    assert [(f.holds, f.stated, f.computed) for f in counts] == [(False, "四个", "3个")]


def test_a_rule_that_fails_on_a_report_loses_only_its_own_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.figures.audit as audit
    from assistant.figures.rules import registered

    def broken(view: object) -> None:
        raise ValueError("a defect")

    rules = {"broken": broken, **registered()}
    monkeypatch.setattr(audit, "registered", lambda: rules)
    findings = _findings(tmp_path, "report.txt", SHARES.format(share="32.00"))
    assert _failing(findings, "share") == [("32.00%", "30.00%")]


SUMMARY = """青石县水利局2024年度项目支出绩效自评报告
五、自评结论
表5 项目自评得分汇总表
项目名称 | 预算执行率（10分） | 产出指标（50分） | 效益指标（30分） | 满意度指标（10分） | 自评总分 | 自评等级
河道清淤 | 10 | 48 | 28.5 | 9 | {total} | 优
堤防加固 | 9 | 47 | 27 | 10 | 93 | 优
“三公”经费支出12.00万元，其中公务接待费4.00万元、公务用车运行维护费8.00万元，较上年的15.00万元下降20.00%。
"""


@pytest.mark.parametrize(("total", "fails"), [("95.5", False), ("96.5", True)])
def test_a_score_summary_row_adds_its_weighted_columns_up_to_its_total_column(
    tmp_path: Path, total: str, fails: bool
) -> None:
    findings = _findings(tmp_path, "summary.txt", SUMMARY.format(total=total))
    rows = [f for f in findings if f.kind == "score_sum" and "各列得分之和" in f.claim]
    assert len(rows) == 2  # both rows checked
    assert _failing(findings, "score_sum") == ([(f"{total}分", "95.5分")] if fails else [])


def test_a_comparison_after_a_list_of_parts_is_of_the_whole_the_list_breaks_down(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "summary.txt", SUMMARY.format(total="95.5"))
    changes = [f for f in findings if f.kind == "change"]
    assert changes and all(f.holds for f in changes)  # 12.00 against 15.00 is −20.00%; 8.00 against it is not
    assert "12.00万元" in changes[0].formula
