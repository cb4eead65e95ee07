"""The 报告核查 tab in real headless Chromium: a report's findings, opened to their formula and marked passages,
rounding notes on request, on desktop and phone widths."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.conftest import LiveServer

    Shot = Callable[[Page, str], Path]

pytestmark = pytest.mark.e2e


def open_review(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.locator("#ra-question textarea").wait_for()
    page.get_by_role("tab", name="报告核查").click()
    page.locator("#ra-review-view .ra-review-summary").wait_for(timeout=30_000)


def test_the_review_tab_lists_a_reports_findings_with_formula_and_marked_passages(
    page: Page, live_server: LiveServer, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    open_review(page, live_server)
    view = page.locator("#ra-review-view")
    summary = view.locator(".ra-review-summary").inner_text()
    findings = view.locator("details.ra-finding")
    assert findings.count() >= 1 and f"发现 {findings.count()} 处数字不一致" in summary
    assert view.locator("details.ra-finding.ra-sev-note").count() == 0  # notes only when asked
    first = view.locator("details.ra-finding:has(.ra-passage mark)").first
    assert not first.locator(".ra-formula").is_visible()
    first.locator("summary").click()
    assert first.evaluate("d => d.open") is True
    assert first.locator(".ra-formula").is_visible() and "复算" in first.locator(".ra-formula").inner_text()
    assert first.locator(".ra-passage mark").first.is_visible()
    screenshot(page, "review-finding-open")

    failing = findings.count()
    page.locator("#ra-review-notes input[type=checkbox]").check()
    expect(view.locator(".ra-review-summary")).to_contain_text("舍入级提示")
    notes = view.locator("details.ra-finding.ra-sev-note")
    expect(notes.first).to_be_visible()
    assert view.locator("details.ra-finding.ra-sev-fail").count() == failing
    screenshot(page, "review-with-notes")

    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#ra-review-notes input[type=checkbox]").uncheck()
    expect(view.locator("details.ra-finding.ra-sev-note")).to_have_count(0)
    first = view.locator("details.ra-finding").first
    first.locator("summary").click()
    box = first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1  # no sideways scrolling
    screenshot(page, "review-phone")


def test_the_chat_tab_is_still_the_first_thing_seen(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.locator("#ra-question textarea").wait_for()
    assert page.locator("#ra-question textarea").is_visible()
    assert page.get_by_role("tab", name="问答").get_attribute("aria-selected") == "true"
    assert not page.locator("#ra-review-view").is_visible()


def test_an_uploaded_report_is_reviewed_in_the_tab(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from tests.e2e.conftest import upload_docx

    upload_docx(
        page,
        live_server.url,
        tmp_path / "核查示范2024年绩效报告.docx",
        "核查示范中心2024年绩效自评报告",
        "一、预算执行情况",
        "2024年，示范中心调整后预算200.00万元，实际支出150.00万元，预算执行率80.00%。",
    )
    page.get_by_role("tab", name="报告核查").click()
    page.locator("#ra-review-doc input").click()
    page.get_by_role("option", name="核查示范2024年绩效报告.docx").click()
    view = page.locator("#ra-review-view")
    expect(view.locator(".ra-review-summary")).to_contain_text("《核查示范2024年绩效报告.docx》：发现 1 处数字不一致")
    finding = view.locator("details.ra-finding").first
    finding.locator("summary").click()
    assert "150.00万元 ÷ 200.00万元 = 75.00%" in finding.locator(".ra-formula").inner_text()
