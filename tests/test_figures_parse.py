"""Table-driven tests of figure parsing: values, units, magnitudes, and what is not a figure."""

from __future__ import annotations

import pytest

from index.figures import cn_numeral_value, parse_figures

# (text, expected [(value, unit, family, base)] )
CASES: list[tuple[str, list[tuple[float, str, str, float]]]] = [
    ("支出18,977.96万元", [(18977.96, "万元", "money", 189_779_600.0)]),
    ("支出4,672.31 万元", [(4672.31, "万元", "money", 46_723_100.0)]),
    ("全年预算数21766.40万元", [(21766.40, "万元", "money", 217_664_000.0)]),
    ("总投资9.74亿元", [(9.74, "亿元", "money", 974_000_000.0)]),
    ("申请专项债资金4亿元", [(4.0, "亿元", "money", 400_000_000.0)]),
    ("年度预算1,180.85元", [(1180.85, "元", "money", 1180.85)]),
    ("金额189,779,600元", [(189779600.0, "元", "money", 189_779_600.0)]),
    ("约4129万元", [(4129.0, "万元", "money", 41_290_000.0)]),
    ("共3千元", [(3.0, "千元", "money", 3000.0)]),
    ("完成预算87.19%", [(87.19, "%", "percent", 87.19)]),
    ("满意率100％", [(100.0, "%", "percent", 100.0)]),
    ("完成率113.7%", [(113.7, "%", "percent", 113.7)]),
    ("提高3个百分点", [(3.0, "个百分点", "pp", 3.0)]),
    ("下降0.5百分点", [(0.5, "百分点", "pp", 0.5)]),
    ("受理业务157.83万宗", [(157.83, "万宗", "count", 1_578_300.0)]),
    ("共享交换数据1.09亿条", [(1.09, "亿条", "count", 109_000_000.0)]),
    ("超10.46亿条数据", [(10.46, "亿条", "count", 1_046_000_000.0)]),
    ("主动评价286.71万次", [(286.71, "万次", "count", 2_867_100.0)]),
    ("新建5G基站2041座", [(2041.0, "座", "count", 2041.0)]),
    ("消除隐患655处", [(655.0, "处", "count", 655.0)]),
    ("请款61批次", [(61.0, "批次", "count", 61.0)]),
    ("在编人员17人", [(17.0, "人", "count", 17.0)]),
    ("事业编制12名", [(12.0, "名", "count", 12.0)]),
    ("保有量为3辆", [(3.0, "辆", "count", 3.0)]),
    ("企业1573家", [(1573.0, "家", "count", 1573.0)]),
    ("全区104台", [(104.0, "台", "count", 104.0)]),
    ("800多份材料", [(800.0, "份", "count", 800.0)]),
    ("事项1391项", [(1391.0, "项", "count", 1391.0)]),
    ("300项415条问题", [(300.0, "项", "count", 300.0), (415.0, "条", "count", 415.0)]),
    ("自评分值为94.4分", [(94.4, "分", "score", 94.4)]),
    ("该项评分为满分10 分", [(10.0, "分", "score", 10.0)]),
    ("比值未超过1.5倍", [(1.5, "倍", "ratio", 1.5)]),
    ("提供24小时不间断服务", [(24.0, "小时", "duration", 24.0)]),
    ("办结时限3个工作日", [(3.0, "个工作日", "duration", 3.0)]),
    ("用时15分钟", [(15.0, "分钟", "duration", 15.0)]),
    ("１２３项", [(123.0, "项", "count", 123.0)]),
    ("支出１，２３４．５万元", [(1234.5, "万元", "money", 12_345_000.0)]),
    ("共5个，300项", [(5.0, "个", "count", 5.0), (300.0, "项", "count", 300.0)]),
    ("新增两个窗口", [(2.0, "个", "count", 2.0)]),
    ("十二项任务", [(12.0, "项", "count", 12.0)]),
    ("九个一张图专题", [(9.0, "个", "count", 9.0)]),
    ("三个方面", [(3.0, "个", "count", 3.0)]),
    ("1948 matters", [(1948.0, "matters", "count", 1948.0)]),
    ("completion rate 87.19%", [(87.19, "%", "percent", 87.19)]),
    (
        "over 1.046 billion records",
        [(1.046, "billion records", "count", 1_046_000_000.0)],
    ),
    ("scored 94.4 points", [(94.4, "points", "score", 94.4)]),
    ("RMB 2,788.44 10k yuan", [(2788.44, "10k yuan", "money", 27_884_400.0)]),
    ("up 3 percentage points", [(3.0, "percentage points", "pp", 3.0)]),
    ("预算数18,977.96", [(18977.96, "", "plain", 18977.96)]),
    (
        "= 507.74 + 3308.92",
        [(507.74, "", "plain", 507.74), (3308.92, "", "plain", 3308.92)],
    ),
]

NOT_FIGURES: list[str] = [
    "2023年",
    "2023年度",
    "2024年-2025年度食材",
    "1.负责组织起草",
    "（1）基本支出",
    "（2）项目支出",
    "一是开展",
    "二是加强",
    "5G基站建设",
    "5G 基站",
    "政务外网 IPV6网络",
    "数字政府2.0建设",
    "第二批专项债",
    "第3期",
    "1月15日",
    "“粤盾-2023”演练",
    "收支两条线",
    "二次统筹",
    "一件事一次办",
    "做到一处建设",
    "百千万工程",
    "in 2023 the bureau",
    "3 of them",
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_figure_is_parsed_with_value_unit_family_and_base(
    text: str, expected: list[tuple[float, str, str, float]]
) -> None:
    found = [(f.value, f.unit, f.family, f.base) for f in parse_figures(text)]
    assert len(found) == len(expected)
    for (value, unit, family, base), (e_value, e_unit, e_family, e_base) in zip(found, expected, strict=True):
        assert value == pytest.approx(e_value)
        assert unit == e_unit
        assert family == e_family
        assert base == pytest.approx(e_base)


@pytest.mark.parametrize("text", NOT_FIGURES)
def test_years_dates_ordinals_and_tokens_are_not_figures(text: str) -> None:
    assert parse_figures(text) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("18,977.96万元", "1.897796亿元"),
        ("18,977.96万元", "189,779,600元"),
        ("1.09亿条", "10,900万条"),
    ],
)
def test_same_quantity_in_other_magnitudes_has_the_same_base(a: str, b: str) -> None:
    assert parse_figures(a)[0].base == pytest.approx(parse_figures(b)[0].base)


def test_label_is_the_clause_before_the_figure() -> None:
    figures = parse_figures("“三公”经费一般公共预算6.91万元，支出4.03万元，完成预算58.32%。")
    assert [f.label for f in figures] == ["“三公”经费一般公共预算", "支出", "完成预算"]


def test_a_closed_bracket_stays_in_the_label_but_an_outline_marker_does_not() -> None:
    assert parse_figures("；设施工程(含维修)支出12.50万元；")[0].label == "设施工程(含维修)支出"
    assert parse_figures("（一）基本支出12万元")[0].label == "基本支出"


def test_words_after_a_count_are_kept() -> None:
    (figure,) = parse_figures("提供403个数据主题")
    assert figure.after.startswith("数据主题")


def test_precision_is_the_number_of_stated_decimals() -> None:
    assert [f.decimals for f in parse_figures("87.19%，113.7%，100%")] == [2, 1, 0]


def test_approximate_and_more_than_qualifiers_are_recorded() -> None:
    about, more = parse_figures("约1795座，800多份")
    assert about.qualifier == "约" and about.approximate
    assert more.qualifier == "多"


def test_offsets_point_at_the_figure_text() -> None:
    text = "我部门收入18,977.96万元，完成年度预算87.19%。"
    for figure in parse_figures(text):
        assert text[figure.start : figure.end] == figure.text


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("三百零五", 305)],
)
def test_chinese_numerals_are_read(numeral: str, value: int) -> None:
    assert cn_numeral_value(numeral) == value
