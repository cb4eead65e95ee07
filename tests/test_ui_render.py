"""Rendering answer records for the chat: citations with the quote marked, figure badges, warnings, history."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

import ui.render
from assistant.records import AnswerRecord, Citation, FigureCheck
from ui.render import (
    figure_badge,
    highlight_quote,
    history_from_messages,
    message_text,
    record_id_of,
    render_error,
    render_record,
    render_streaming,
    unique_figures,
)

PASSAGE = (
    "3.部门预算支出情况\n2023年，我部门全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%。<script>x</script>"
)
QUOTE = "2023年，我部门全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%。"


def make_record(**overrides: object) -> AnswerRecord:
    values: dict[str, object] = {
        "id": "abc123",
        "question": "2023年预算完成率是多少？",
        "answer": "预算完成率87.19%[1]。\n⚠ 注意：报告数字不一致：预算总收入前后不一致",
        "citations": [
            Citation(
                marker="1",
                passage_id="p1",
                document="报告.txt",
                section="一、基本情况 > （三）部门整体收支情况",
                text=PASSAGE,
                quote=QUOTE,
                page=3,
            )
        ],
        "figures": [
            FigureCheck(text="87.19%", value=87.19, unit="%", status="verified", source="一、基本情况：……87.19%"),
            FigureCheck(text="87.19%", value=87.19, unit="%", status="verified", source="另一处"),
            FigureCheck(
                text="2,788.44万元",
                value=2788.44,
                unit="万元",
                status="derived",
                source="21,766.40万元 − 18,977.96万元 = 2,788.44万元",
            ),
            FigureCheck(text="85.65%", value=85.65, unit="%", status="mismatch", source="x", note="核算为116.76%"),
            FigureCheck(text="9.99万元", value=9.99, unit="万元", status="unverified"),
        ],
        "warnings": ["报告数字不一致：预算总收入前后不一致 <18,977.96 与 21,766.40>"],
    }
    values.update(overrides)
    return AnswerRecord.model_validate(values)


def test_render_module_doctests_pass() -> None:
    assert doctest.testmod(ui.render).failed == 0


def test_quote_is_marked_inside_the_escaped_passage() -> None:
    html = highlight_quote(PASSAGE, QUOTE)
    assert f"<mark>{QUOTE}</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_missing_quote_leaves_the_passage_escaped_and_unmarked() -> None:
    assert highlight_quote("a<b", "不存在") == "a&lt;b"


def test_quote_with_markup_characters_is_escaped_inside_the_mark() -> None:
    assert highlight_quote("前<甲&乙>后", "<甲&乙>") == "前<mark>&lt;甲&amp;乙&gt;</mark>后"


def test_record_renders_citation_details_with_heading_path_document_and_page() -> None:
    html = render_record(make_record())
    assert '<details class="ra-citation" id="ra-abc123-c1">' in html
    assert "一、基本情况 &gt; （三）部门整体收支情况" in html
    assert "报告.txt · 第3页" in html
    assert f"<mark>{QUOTE}</mark>" in html
    assert '<a href="#ra-abc123-c1">[1]</a>' in html


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("verified", "已核验"),
        ("derived", "计算得出"),
        ("mismatch", "不一致"),
        ("unverified", "未核验"),
    ],
)
def test_each_figure_status_gets_its_chinese_badge(status: str, label: str) -> None:
    badge = figure_badge(
        FigureCheck(
            text="1.00万元",
            value=1.0,
            unit="万元",
            status=status,
            source="出处X",
        )
    )
    assert f"ra-{status}" in badge and label in badge and "出处X" in badge


def test_derived_figure_shows_its_formula_in_the_title() -> None:
    html = render_record(make_record())
    assert 'title="计算得出\n算式：21,766.40万元 − 18,977.96万元 = 2,788.44万元"' in html


def test_mismatch_badge_shows_the_note() -> None:
    html = render_record(make_record())
    assert "核算为116.76%" in html


def test_duplicate_figures_get_one_badge() -> None:
    assert render_record(make_record()).count("<b>87.19%</b>") == 1


def test_warnings_are_prominent_escaped_and_not_repeated_in_the_text() -> None:
    html = render_record(make_record())
    assert 'role="alert"' in html and "&lt;18,977.96 与 21,766.40&gt;" in html
    text_part = html.split('<div class="ra-warnings"')[0]
    assert "注意" not in text_part


def test_rendered_message_has_no_blank_lines_so_markdown_keeps_it_as_html() -> None:
    assert "\n\n" not in render_record(make_record())


def test_record_id_survives_in_a_class_and_is_found_again() -> None:
    assert record_id_of(render_record(make_record())) == "abc123"
    assert record_id_of(render_streaming("部分")) is None


def test_unknown_marker_is_left_as_text() -> None:
    html = render_record(make_record(answer="见[7]。"))
    assert "[7]" in html and "#ra-abc123-c7" not in html


def test_user_text_in_streaming_and_errors_is_escaped() -> None:
    assert "&lt;b&gt;" in render_streaming("<b>")
    assert "&lt;img" in render_error("<img src=x>")


def test_gradio_content_parts_are_read_as_text() -> None:
    assert message_text([{"type": "text", "text": "甲"}, {"type": "text", "text": "乙"}]) == "甲乙"
    assert message_text("丙") == "丙"


def test_history_uses_answer_texts_not_rendered_html() -> None:
    record = make_record()
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": "2023年预算完成率是多少？"}]},
        {"role": "assistant", "content": [{"type": "text", "text": render_record(record)}]},
        {"role": "user", "content": "那公车呢？"},
        {"role": "assistant", "content": render_error("问题为空")},
    ]
    turns = history_from_messages(messages, lambda rid: record if rid == record.id else None)
    assert [(t.role, t.content) for t in turns] == [
        ("user", "2023年预算完成率是多少？"),
        ("assistant", record.answer),
        ("user", "那公车呢？"),
    ]


def test_history_falls_back_to_visible_text_when_the_record_is_unknown() -> None:
    turns = history_from_messages([{"role": "assistant", "content": render_record(make_record())}], lambda rid: None)
    assert turns[0].content == "预算完成率87.19%[1]。"


def test_repeated_figure_keeps_the_note_of_the_repeat() -> None:
    figures = [
        FigureCheck(text="21766.40万元", value=21766.4, unit="万元", status="verified", source="甲"),
        FigureCheck(
            text="21,766.40万元", value=21766.4, unit="万元", status="verified", source="乙", note="前后不一致"
        ),
    ]
    [kept] = unique_figures(figures)
    assert kept.source == "甲" and kept.note == "前后不一致"
