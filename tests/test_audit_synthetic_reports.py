"""The audit on two whole reports written for these tests (not the dev reports it was built on).

Each is an invented department's report in its own wording and layout — a county health bureau's 部门整体支出
report as plain text with `|` tables, a city agriculture bureau's 项目支出 report in Markdown with half-width
(一) and 1、 markers — with failures planted and many relations that hold, near-misses among them (parallel
projects with their own questionnaires, overlapping 其中 counts, a plan for next year, a 由…提高到 change).
The audit must find every planted failure and raise no other alarm.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.figures import AuditFinding, audit_report
from index.chunking import chunk_document
from index.loaders import load_document

HEALTH = """江川县卫生健康局2023年度部门整体支出绩效自评报告
一、部门基本情况
（一）部门职能
江川县卫生健康局是县政府工作部门，负责全县卫生健康事业规划、公共卫生、医政医管、基层卫生和计划生育服务管理等工作。局机关内设6个科室，分别为：办公室、规划财务科、医政医管科、疾病预防控制科、基层卫生健康科。下属单位3个，即县疾病预防控制中心、县妇幼保健院和县卫生健康综合监督执法大队。
（二）人员情况
截至2023年底，局机关及下属单位在职人员共186人，其中女性112人、中共党员95人。
二、部门预算执行情况
（一）收支总体情况
2023年，我局年初预算4,800.00万元，年中追加448.00万元，调整后预算5,248.00万元。全年实际支出4,635.89万元，预算执行率88.34%，较上年的4,102.50万元增长13.00%。各类支出执行情况见表1。
表1 2023年度预算执行情况表（单位：万元）
支出类别 | 年初预算数 | 调整数 | 调整后预算数 | 支出数 | 执行率
基本支出 | 1,520.00 | 35.60 | 1,555.60 | 1,530.12 | 98.36%
项目支出 | 3,280.00 | 412.40 | 3,692.40 | 3,105.77 | 84.11%
合计 | 4,800.00 | 448.00 | 5,248.00 | 4,653.89 | 88.68%
（二）基本支出
基本支出调整后预算1,555.60万元，实际支出1,530.12万元，执行率98.36%。其中：工资福利支出1,268.45万元，商品和服务支出203.17万元，对个人和家庭的补助58.50万元。
（三）项目支出
项目支出调整后预算3,692.40万元，实际支出3,105.77万元，执行率84.11%。主要项目如下：
1、基本公共卫生服务项目。预算1,860.00万元，支出1,742.30万元，执行率93.67%。
2、家庭医生签约服务项目。预算420.00万元，支出365.15万元，执行率86.94%。
3、卫生应急能力建设项目。预算1,412.40万元，支出998.32万元，执行率70.68%。
（四）“三公”经费支出情况
2023年“三公”经费预算15.00万元，实际支出12.05万元，完成预算的80.33%。其中，公务接待费支出3.59万元，占“三公”经费支出的27.79%；公务用车运行维护费支出8.46万元，占“三公”经费支出的70.21%；全年未发生因公出国（境）费用。
三、部门绩效目标完成情况
（一）产出指标
1、公共卫生服务。全年为65岁以上老年人免费健康体检2.36万人次，每人次补助标准45元，共支出体检补助106.20万元。辖区居民健康档案建档率92.5%。
2、家庭医生签约。全县家庭医生签约服务覆盖12.8万人，签约率38.2%。
3、人员培训。全年培训乡村医生420人次，培训经费支出14.70万元，人均培训费用350.00万元。
（二）效益指标
居民健康素养水平达到28.6%，较上年的25.9%提高3.7个百分点。孕产妇系统管理率96.8%，比上年提高1.2个百分点。
（三）满意度指标
委托第三方开展群众满意度调查，发放问卷1,500份，回收有效问卷1,452份，有效回收率96.80%，群众满意度93.4%。
四、自评结论
（一）自评得分
经综合评价，我局2023年度部门整体支出绩效自评得分91.5分，等级为“优”。具体评分见表2。
表2 2023年度部门整体支出绩效自评表
一级指标 | 二级指标 | 分值 | 得分
投入 | 预算编制 | 10 | 9
投入 | 预算执行 | 10 | 8.5
过程 | 资金管理 | 10 | 10
过程 | 业务管理 | 10 | 9
产出 | 产出数量 | 20 | 19
产出 | 产出质量 | 10 | 9
效益 | 社会效益 | 20 | 17
效益 | 满意度 | 10 | 9
合计 | — | 100 | 91.5
（二）主要成效
全年全县家庭医生签约12.6万人，基本公共卫生服务项目资金执行率93.67%。
五、存在问题和改进措施
卫生应急能力建设项目执行率仅为70.68%。下一步将加快项目实施进度，计划2024年家庭医生签约人数达到13.5万人。
"""

# Planted in HEALTH, each with the values a finding may report as stated.
HEALTH_PLANTED = [
    {"4,653.89万元"},  # 表1 合计 支出数: the rows add up to 4,635.89
    {"27.79%"},  # 公务接待费 3.59 ÷ 12.05 = 29.79%
    {"350.00万元"},  # 人均培训费用: 14.70万元 ÷ 420人次 = 350元
    {"3.7个百分点"},  # 28.6% − 25.9% = 2.7个百分点
    {"91.5分"},  # 表2 得分 rows add up to 90.5
    {"6个"},  # 6个科室, five listed
]
# 家庭医生签约: two values (12.8万人, 12.6万人). "签约12.6万人" is 签约 + 12.6万人, not 签 + 约12.6万人
# (approximately): the figure parser reads 约 as a qualifier only where it does not end a word.
HEALTH_PARSER_GAP = {"12.8万人", "12.6万人"}

AGRICULTURE = """# 清河市农业农村局2022年度项目支出绩效自评报告

## 一、项目基本情况

(一)项目概况

2022年，我局纳入自评的项目共3个：高标准农田建设项目、农机购置与应用补贴项目和重大动物疫病防控项目。3个项目年初预算合计6,950.00万元，调整后预算合计7,320.00万元，全年实际支出6,882.55万元，总体预算执行率94.02%。

表1 项目资金执行情况(单位:万元)

| 项目名称 | 年初预算 | 调整后预算 | 实际支出 | 执行率 |
| --- | --- | --- | --- | --- |
| 高标准农田建设项目 | 2,450.00 | 2,450.00 | 2,198.35 | 89.73% |
| 农机购置与应用补贴项目 | 3,600.00 | 3,900.00 | 3,842.60 | 98.53% |
| 重大动物疫病防控项目 | 900.00 | 970.00 | 841.60 | 86.76% |
| 合计 | 6,950.00 | 7,320.00 | 6,882.55 | 94.02% |

## 二、项目绩效情况

### (一)高标准农田建设项目

1、资金情况。项目预算资金2,450.00万元，其中中央资金1,960.00万元、省级资金490.00万元。实际支出2,198.35万元，预算执行率89.73%。资金支出按用途分为：一是田间工程建设1,620.00万元；二是土壤改良318.35万元；三是项目管理及其他支出160.00万元。

2、产出效益。全年建成高标准农田3.2万亩，其中新建2.5万亩、改造提升0.7万亩，项目区粮食亩均增产52公斤。

3、满意度。对项目区农户开展问卷调查，回收有效问卷320份，满意度95.3%。

### (二)农机购置与应用补贴项目

1、资金情况。年初预算3,600.00万元，年中追加300.00万元，调整后预算3,900.00万元，其中中央资金3,120元、省级资金780.00万元。实际支出3,842.60万元，预算执行率98.53%。

2、产出效益。全年补贴购置各类农机具4,265台（套），受益农户3,108户，全市农作物耕种收综合机械化率达到76.5%，比上年提高2.3个百分点（上年为74.2%）。

3、满意度。回收有效问卷410份，满意度96.1%。

### (三)重大动物疫病防控项目

1、资金情况。年初预算900.00万元，年中追加70.00万元，调整后预算970.00万元，实际支出841.60万元，预算执行率88.76%。

2、产出效益。全年完成强制免疫畜禽1,286.5万头（只），免疫密度保持在90%以上；采集监测样品2.4万份，未发生区域性重大动物疫情。

3、满意度。回收有效问卷260份，满意度94.8%。

## 三、自评结论

(一)自评得分

3个项目自评得分分别为：高标准农田建设项目92分、农机购置与应用补贴项目96分、重大动物疫病防控项目95分，平均得分94.33分。

表2 重大动物疫病防控项目绩效指标评分表

| 一级指标 | 二级指标 | 三级指标 | 分值 | 得分 |
| --- | --- | --- | --- | --- |
| 产出指标 | 数量指标 | 强制免疫数量 | 15 | 15 |
| 产出指标 | 质量指标 | 免疫密度 | 15 | 14 |
| 产出指标 | 时效指标 | 疫苗发放及时率 | 10 | 10 |
| 产出指标 | 成本指标 | 资金使用合规性 | 10 | 9 |
| 效益指标 | 社会效益指标 | 重大动物疫情发生情况 | 15 | 15 |
| 效益指标 | 可持续影响指标 | 防控体系建设 | 15 | 13 |
| 满意度指标 | 服务对象满意度 | 养殖户满意度 | 10 | 10.5 |
| 预算执行 | 预算执行率 | 预算执行率 | 10 | 8.5 |
| 合计 |  |  | 100 | 95 |

(二)主要成效

一是粮食生产基础进一步夯实，全年建成高标准农田3.5万亩；二是农业机械化水平稳步提升，耕种收综合机械化率达到76.5%；三是动物疫病防控有力，全年未发生区域性重大动物疫情。

## 四、存在的问题及改进措施

部分项目预算执行进度偏慢，高标准农田建设项目执行率为89.73%。下一步将加强项目调度，力争2023年各项目预算执行率均达到95%以上，计划新建高标准农田4.0万亩。
"""

AGRICULTURE_PLANTED = [
    {"2,198.35万元"},  # 按用途分为 一是/二是/三是: 1,620.00 + 318.35 + 160.00 = 2,098.35
    {"3,120元"},  # 中央资金 3,120元 + 780.00万元 = 3,900.00万元 only in 万元
    {"88.76%"},  # 841.60 ÷ 970.00 = 86.76%
    {"10.5分"},  # 养殖户满意度 得分 10.5 above its 分值 10
    {"3.2万亩", "3.5万亩"},  # 建成高标准农田: two values
]


def _audit(tmp_path: Path, name: str, text: str) -> list[AuditFinding]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    return audit_report([document], chunk_document(document))


@pytest.fixture(scope="module")
def health(tmp_path_factory: pytest.TempPathFactory) -> list[AuditFinding]:
    return _audit(tmp_path_factory.mktemp("health"), "health.txt", HEALTH)


@pytest.fixture(scope="module")
def agriculture(tmp_path_factory: pytest.TempPathFactory) -> list[AuditFinding]:
    return _audit(tmp_path_factory.mktemp("agriculture"), "agriculture.md", AGRICULTURE)


def test_health_two_values_of_one_quantity_are_found(health: list[AuditFinding]) -> None:
    assert _missed(health, [HEALTH_PARSER_GAP]) == []


def _unexplained(findings: list[AuditFinding], planted: list[set[str]]) -> list[str]:
    return [f"{f.kind}: {f.claim}" for f in findings if not f.holds and not any(f.stated in p for p in planted)]


def _missed(findings: list[AuditFinding], planted: list[set[str]]) -> list[set[str]]:
    return [p for p in planted if not any(not f.holds and f.stated in p for f in findings)]


@pytest.mark.parametrize(("report", "planted"), [("health", HEALTH_PLANTED), ("agriculture", AGRICULTURE_PLANTED)])
def test_every_planted_failure_is_found(report: str, planted: list[set[str]], request: pytest.FixtureRequest) -> None:
    findings: list[AuditFinding] = request.getfixturevalue(report)
    assert _missed(findings, planted) == []


@pytest.mark.parametrize(
    ("report", "planted"), [("health", [*HEALTH_PLANTED, HEALTH_PARSER_GAP]), ("agriculture", AGRICULTURE_PLANTED)]
)
def test_no_alarm_beyond_the_planted_failures(
    report: str, planted: list[set[str]], request: pytest.FixtureRequest
) -> None:
    findings: list[AuditFinding] = request.getfixturevalue(report)
    assert _unexplained(findings, planted) == []


@pytest.mark.parametrize(
    ("kind", "formula_part"),
    [
        ("rate", "3,105.77万元 ÷ 3,692.40万元 = 84.11%"),
        ("budget_adjustment", "1,520.00万元 + 35.60万元 = 1,555.60万元"),
        ("budget_adjustment", "4,800.00万元 + 448.00万元 = 5,248.00万元"),
        ("sum", "1,268.45万元 + 203.17万元 + 58.50万元 = 1,530.12万元"),
        ("sum", "1,742.30万元 + 365.15万元 + 998.32万元 = 3,105.77万元"),
        ("sum", "3.59万元 + 8.46万元 = 12.05万元"),
        ("change", "4,102.50万元"),
        ("per_unit", "106.20万元"),
        ("score_sum", "= 100分"),
    ],
)
def test_health_relations_that_hold_are_listed_as_holding(
    health: list[AuditFinding], kind: str, formula_part: str
) -> None:
    assert any(f.kind == kind and formula_part in f.formula and f.holds for f in health)


@pytest.mark.parametrize(
    ("kind", "formula_part"),
    [
        ("sum", "2,450.00万元 + 3,600.00万元 + 900.00万元 = 6,950.00万元"),
        ("rate", "3,842.60万元 ÷ 3,900.00万元 = 98.53%"),
        ("budget_adjustment", "3,600.00万元 + 300.00万元 = 3,900.00万元"),
        ("budget_adjustment", "900.00万元 + 70.00万元 = 970.00万元"),
        ("sum", "1,960.00万元 + 490.00万元 = 2,450.00万元"),
        ("change", "76.5% − 74.2%"),
        ("score_sum", "= 95分"),
    ],
)
def test_agriculture_relations_that_hold_are_listed_as_holding(
    agriculture: list[AuditFinding], kind: str, formula_part: str
) -> None:
    assert any(f.kind == kind and formula_part in f.formula and f.holds for f in agriculture)
