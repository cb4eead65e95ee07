"""A count whose paragraph ends by announcing a list ("……设定的4个关键指标均已完成。具体为：") is checked against the
items of the paragraphs after it: the items scored there, or the paragraphs opening with a label and a colon."""

from __future__ import annotations

from pathlib import Path

from assistant.figures import AuditFinding, audit_report
from index.chunking import chunk_document
from index.loaders import load_document

SCORED = """江北区文化旅游局2024年度部门整体支出绩效自评报告
一、综合评价
（一）履职效能
履职效能分值为30分，经评分自评得分为27分，体现出年初设定的{announced}个关键指标目标均已完成。具体为：
产出指标完成情况：12个三级指标中，8个数量指标、4个质量指标得到满分，因此该项评分为10分。
效益指标完成情况：5个效益指标均已达到目标值，该项评分为满分10分。
预算执行情况：全年预算执行率为92.30%，扣3分，得7分。
（二）管理效能
管理效能分值为20分，自评得分为18分。
"""

LABELLED = """江北区文化旅游局2024年度项目支出绩效自评报告
一、项目实施情况
（一）主要内容
2024年全局共实施{announced}项重点工作，均按计划推进。具体为：
文物保护：完成区级文物保护单位修缮工程2处。
公共文化服务：举办群众文化活动126场。
旅游推广：参加旅游推介会3次。
（二）资金使用
项目预算200.00万元，实际支出188.00万元，执行率94.00%。
"""


def _counts(tmp_path: Path, text: str) -> list[AuditFinding]:
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    return [f for f in audit_report([document], chunk_document(document)) if f.kind == "count"]


def test_a_count_announcing_more_scored_items_than_the_paragraphs_score_fails(tmp_path: Path) -> None:
    findings = _counts(tmp_path, SCORED.format(announced=4))
    # three items are scored; the next section's own score (18分) is not one of them
    assert [(f.holds, f.stated, f.computed) for f in findings] == [(False, "4个", "3个")]
    assert "评分项" in findings[0].formula


def test_a_count_of_as_many_items_as_are_scored_holds(tmp_path: Path) -> None:
    findings = _counts(tmp_path, SCORED.format(announced=3))
    assert [(f.holds, f.stated) for f in findings] == [(True, "3个")]


def test_labelled_paragraphs_are_the_items_when_none_is_scored(tmp_path: Path) -> None:
    assert [(f.holds, f.computed) for f in _counts(tmp_path, LABELLED.format(announced=4))] == [(False, "3项")]
    assert [f.holds for f in _counts(tmp_path, LABELLED.format(announced=3))] == [True]


def test_a_paragraph_that_ends_without_announcing_a_list_checks_no_count(tmp_path: Path) -> None:
    text = LABELLED.format(announced=4).replace("均按计划推进。具体为：", "均按计划推进。")
    assert _counts(tmp_path, text) == []
