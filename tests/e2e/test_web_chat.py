"""The web chat in real headless Chromium: ask, stream, cite, badge, feedback, upload, embed in a portal iframe."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr

from tests.e2e.conftest import upload_docx

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from pathlib import Path

    from playwright.sync_api import FrameLocator, Page

    from tests.e2e.conftest import LiveServer

    Shot = Callable[[Page, str], Path]

pytestmark = pytest.mark.e2e

ANSWER = ".message-content .ra-answer"
FINAL = f"{ANSWER}[class*='ra-record-']"
# Remember whether a partial (streaming) answer was ever on screen.
WATCH_STREAMING = """
window.__sawStreaming = false;
new MutationObserver(() => {
  if (document.querySelector('.ra-streaming')) window.__sawStreaming = true;
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def ask(ui: Page | FrameLocator, question: str, answers_before: int = 0) -> None:
    """Type a question, send it, and wait for its checked answer."""
    ui.locator("#ra-question textarea").fill(question)
    ui.locator("#ra-send").click()
    ui.locator(FINAL).nth(answers_before).wait_for(timeout=30_000)


def test_question_gets_a_streamed_answer_with_citation_badges_and_feedback(
    page: Page, live_server: LiveServer, screenshot: Shot
) -> None:
    page.add_init_script(WATCH_STREAMING)
    page.goto(live_server.url + "/")
    page.locator("#ra-question textarea").wait_for()
    assert page.locator("#ra-header").is_visible() and page.get_by_text("示例问题").is_visible()

    ask(page, "2023年预算完成率是多少？")
    answer = page.locator(FINAL).last
    assert "87.19%" in answer.locator(".ra-text").inner_text()
    assert page.evaluate("window.__sawStreaming") is True

    badge = answer.locator(".ra-badge.ra-verified").first
    assert badge.is_visible() and "已核验" in badge.inner_text()
    assert "出处" in (badge.get_attribute("title") or "")

    citation = answer.locator("details.ra-citation").first
    assert not citation.locator("mark").is_visible()
    citation.locator("summary").click()
    assert citation.evaluate("d => d.open") is True
    mark = citation.locator("mark")
    assert mark.is_visible() and "87.19%" in mark.inner_text()
    assert "部门整体收支情况" in citation.locator("summary").inner_text()
    screenshot(page, "chat-answer-citation-open")

    like = re.compile("^(赞|Like)$")  # Gradio labels the thumbs in the browser's language
    page.locator("#ra-chat .message-buttons-left").last.get_by_role("button", name=like).click()
    page.locator("#ra-comment textarea").wait_for()
    page.locator("#ra-comment textarea").fill("引用很清楚")
    page.locator("#ra-comment-send").click()
    page.get_by_text("已收到您的意见").wait_for()
    record_class = answer.get_attribute("class") or ""
    record_id = re.search(r"ra-record-(\w+)", record_class).group(1)  # type: ignore[union-attr]
    with sqlite3.connect(live_server.settings.data_dir / "feedback.sqlite3") as db:
        rows = db.execute(
            "SELECT rating, comment, question, record_json, created_at FROM feedback WHERE record_id = ?", (record_id,)
        ).fetchall()
    assert rows and rows[-1][:3] == ("up", "引用很清楚", "2023年预算完成率是多少？")
    assert record_id in rows[-1][3] and rows[-1][4]
    screenshot(page, "chat-feedback")


def test_a_figure_the_report_contradicts_gets_an_orange_badge_and_a_warning(
    page: Page, live_server: LiveServer, screenshot: Shot
) -> None:
    page.goto(live_server.url + "/")
    page.locator("#ra-question textarea").wait_for()
    ask(page, "机关运行经费的预算执行情况如何？")
    answer = page.locator(FINAL).last
    badge = answer.locator(".ra-badge.ra-inconsistent").first
    assert badge.is_visible() and "报告自相矛盾" in badge.inner_text()
    assert answer.locator(".ra-badge.ra-verified").count() >= 1  # the figures it does not contradict stay green
    assert answer.locator(".ra-warning").first.is_visible()
    screenshot(page, "chat-inconsistent-figure")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "chat-inconsistent-figure-phone")


def test_follow_up_and_example_and_clear(page: Page, live_server: LiveServer, screenshot: Shot) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    page.locator("#ra-question textarea").wait_for()
    page.get_by_text("公车一年花了多少钱？").first.click()
    expect(page.locator("#ra-question textarea")).to_have_value("公车一年花了多少钱？")
    page.locator("#ra-send").click()
    page.locator(FINAL).first.wait_for(timeout=30_000)
    ask(page, "全年预算数和实际支出相差多少？", answers_before=1)
    derived = page.locator(FINAL).nth(1).locator(".ra-badge")
    assert derived.count() >= 1
    screenshot(page, "chat-two-answers")
    page.locator("#ra-clear").click()
    page.locator(ANSWER).first.wait_for(state="detached")


def test_uploaded_docx_is_indexed_and_can_be_asked(
    page: Page, live_server: LiveServer, tmp_path: Path, screenshot: Shot
) -> None:
    upload_docx(
        page,
        live_server.url,
        tmp_path / "示范中心2023年绩效报告.docx",
        "示范中心2023年绩效自评报告",
        "一、基本情况",
        "2023年，示范中心智慧停车场项目预算120.50万元，实际支出100.25万元，预算完成率83.20%。",
    )
    choice = page.locator("#ra-doc-choice").get_by_label("示范中心2023年绩效报告.docx")
    assert choice.is_checked()
    screenshot(page, "upload-indexed")
    ask(page, "智慧停车场项目预算多少？实际支出多少？")
    answer = page.locator(FINAL).last
    assert "120.50万元" in answer.inner_text()
    answer.locator("details.ra-citation summary").first.click()
    assert "示范中心2023年绩效报告.docx" in answer.locator(".ra-doc").first.inner_text()
    screenshot(page, "upload-answer")


def test_bad_upload_shows_a_chinese_error(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    path = tmp_path / "坏文件.docx"
    path.write_bytes(b"PK\x03\x04 not really a docx")
    page.goto(live_server.url + "/")
    page.locator("#ra-upload input[type=file]").set_input_files(str(path))
    page.locator("#ra-upload-send").click()
    page.get_by_text("无法读取文件").wait_for(timeout=30_000)


def test_embed_view_works_inside_a_portal_iframe_from_another_origin(page: Page, portal: str, screenshot: Shot) -> None:
    page.goto(portal)
    frame = page.frame_locator("#assistant")
    frame.locator("#ra-question textarea").wait_for(timeout=30_000)
    assert frame.locator("#ra-header").is_hidden()
    assert frame.get_by_text("示例问题").count() == 0 or frame.get_by_text("示例问题").is_hidden()
    ask(frame, "机关运行经费的预算执行情况如何？")
    answer = frame.locator(FINAL).last
    assert answer.locator(".ra-badge").count() >= 1
    answer.locator("details.ra-citation summary").first.click()
    assert answer.locator("mark").first.is_visible()
    screenshot(page, "embed-in-portal-iframe")


def test_token_in_the_url_becomes_a_cookie_and_the_chat_works(
    page: Page, live_server: LiveServer, serve_app: Callable[[Any], AbstractContextManager[str]]
) -> None:
    from ui.app import create_app

    settings = live_server.settings.model_copy(
        update={"server": live_server.settings.server.model_copy(update={"auth_token": SecretStr("e2e-token")})}
    )
    with serve_app(create_app(settings, live_server.app.state.assistant)) as url:
        assert page.goto(url + "/embed/").status == 401  # type: ignore[union-attr]
        page.goto(url + "/embed/?token=e2e-token")
        assert page.url == url + "/embed/"
        ask(page, "2023年预算完成率是多少？")
        cookies = page.context.cookies()
        assert any(c["name"] == "report_assistant_session" and c["httpOnly"] for c in cookies)
