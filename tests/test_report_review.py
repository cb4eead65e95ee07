"""The 报告核查 view: each report's audit findings, worst first, with the passages their figures stand in — from
the service, over HTTP (`GET /api/audit`) and as the HTML the web chat shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from conftest import indexed_assistant, make_settings

from ui.render import render_review

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

REPORT = """白沙镇农业服务中心2024年度项目支出绩效自评报告
一、项目资金情况
（一）资金安排
2024年项目年初预算200.00万元，年中追加40.00万元，调整后预算240.00万元。
（二）资金使用
全年调整后预算240.00万元，实际支出180.00万元，预算执行率80.00%。其中，设备购置支出100.00万元，技术培训支出50.00万元，<病虫害>防治支出30.00万元。
二、绩效目标完成情况
（一）产出指标
全年完成农技培训1,200人次，培训支出50.00万元，人均培训费用416.67元。
（二）效益指标
项目区粮食亩产较上年提高5.20%。
三、资金执行明细
表1 2024年度项目资金执行情况（单位：万元）
支出内容 | 调整后预算 | 实际支出 | 执行率
设备购置 | 120.00 | 100.00 | 90.00%
技术培训 | 70.00 | 50.00 | 71.43%
病虫害防治 | 50.00 | 30.00 | 60.00%
合计 | 240.00 | 180.01 | 75.00%
"""
"""A wrong rate (180 ÷ 240 is 75.00%, not 80.00%), a wrong cell (100 ÷ 120 is 83.33%), and a total off by its last
digit (100 + 50 + 30 = 180.00 against 180.01: a note, not an alarm)."""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("review")
    path = root / "白沙镇农业服务中心2024年度项目支出绩效自评报告.txt"
    path.write_text(REPORT, encoding="utf-8")
    return indexed_assistant(root, path)


@pytest.fixture(scope="module")
def client(assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from ui.app import create_app

    settings = make_settings(assistant.settings.data_dir, seeds_dir=assistant.settings.seeds_dir)
    with TestClient(create_app(settings, assistant)) as test_client:
        yield test_client


def test_the_view_lists_what_fails_and_leaves_rounding_notes_for_when_asked(assistant: Any) -> None:
    failing = assistant.review()
    assert failing and {f.severity for f in failing} == {"不一致"}
    assert any(f.kind == "rate" and f.stated == "80.00%" and f.computed == "75.00%" for f in failing)
    assert any(f.kind == "rate" and f.stated == "90.00%" for f in failing)
    with_notes = assistant.review(show="notes")
    notes = [f for f in with_notes if f.severity == "提示"]
    assert notes and all(f.holds for f in notes)
    assert [f.severity for f in with_notes] == sorted((f.severity for f in with_notes), key=["不一致", "提示"].index)
    assert len(assistant.review(show="all")) > len(with_notes)


def test_each_finding_marks_its_figures_in_the_passages_it_rests_on(assistant: Any) -> None:
    rate = next(f for f in assistant.review() if f.stated == "80.00%")
    marked = [p.text[s:e] for p in rate.passages for s, e in p.marks]
    assert {"180.00万元", "240.00万元", "80.00%"} <= set(marked)
    assert all(p.section for p in rate.passages)
    assert rate.kind_label == "完成率/执行率"


def test_the_api_returns_the_same_findings_and_refuses_an_unknown_report(client: TestClient, assistant: Any) -> None:
    document_id = assistant.corpus.documents()[0].id
    response = client.get("/api/audit", params={"document": document_id, "show": "notes"})
    assert response.status_code == 200
    assert [f["claim"] for f in response.json()] == [f.claim for f in assistant.review([document_id], "notes")]
    assert {"severity", "kind_label", "formula", "passages"} <= set(response.json()[0])
    missing = client.get("/api/audit", params={"document": "no-such-report"})
    assert missing.status_code == 404 and "没有这份报告" in missing.json()["error"]
    assert client.get("/api/audit", params={"show": "everything"}).status_code == 422


def test_the_rendered_view_counts_findings_escapes_text_and_marks_figures(assistant: Any) -> None:
    findings = assistant.review(show="notes")
    html = render_review(findings, "白沙镇<报告>", notes=True)
    failing = sum(1 for f in findings if f.severity == "不一致")
    assert f"发现 <b>{failing}</b> 处数字不一致" in html
    assert "白沙镇&lt;报告&gt;" in html and "<报告>" not in html
    assert "&lt;病虫害&gt;" in html and "<病虫害>" not in html  # the passage's own text is escaped too
    assert html.count('class="ra-finding ') == len(findings)
    assert "<mark>80.00%</mark>" in html
    assert re.search(r'ra-sev-note".*?<span class="ra-sev">提示</span>', html)


def test_a_report_whose_arithmetic_holds_says_so(assistant: Any) -> None:
    assert "均成立" in render_review([], "某报告", notes=False)
    assert "尚未索引任何报告" in render_review([], "", notes=False)
