"""Pure functions turning answer records into the HTML shown in the chat (citations, figure badges, warnings),
and audit findings into the 报告核查 view."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from assistant.records import AnswerRecord, ChatTurn, Citation, FigureCheck, FindingView

STATUS_LABELS: dict[str, str] = {
    "verified": "已核验",
    "derived": "计算得出",
    "inconsistent": "报告自相矛盾",
    "mismatch": "不一致",
    "unverified": "未核验",
}
STATUS_ICONS: dict[str, str] = {
    "verified": "✔",
    "derived": "∑",
    "inconsistent": "⚠",
    "mismatch": "✖",
    "unverified": "?",
}

_MARKER = re.compile(r"\[(\d+)\]")
_RECORD_ID = re.compile(r"\bra-record-([0-9A-Za-z_-]+)")
_TAG = re.compile(r"<[^>]+>")
_WARNING_LINE = re.compile(r"^\s*⚠\s*注意[:：]")
_TEXT_DIV = re.compile(r'<div class="ra-text[^"]*">(.*?)</div>', re.S)


def escape(text: str) -> str:
    """HTML-escape text, quotes included."""
    return html.escape(text, quote=True)


def highlight_quote(passage: str, quote: str) -> str:
    """Return the escaped passage with the quoted sentence wrapped in <mark> (escaped as a whole when absent).

    >>> highlight_quote("甲<乙。丙丁。", "丙丁。")
    '甲&lt;乙。<mark>丙丁。</mark>'
    """
    quote = quote.strip()
    start = passage.find(quote) if quote else -1
    if start < 0:
        return escape(passage)
    end = start + len(quote)
    return f"{escape(passage[:start])}<mark>{escape(passage[start:end])}</mark>{escape(passage[end:])}"


def _anchor(record_id: str, marker: str) -> str:
    return f"ra-{record_id}-c{marker}"


def answer_body(record: AnswerRecord) -> str:
    """Return the answer text as HTML: escaped, [n] markers as superscript links, report-warning lines dropped.

    Warnings the extractive answerer appends to its text are shown in the warning box instead.
    """
    known = {c.marker for c in record.citations}
    lines = [line for line in record.answer.strip().splitlines() if not _WARNING_LINE.match(line)]
    escaped = escape("\n".join(lines).strip())

    def link(match: re.Match[str]) -> str:
        marker = match.group(1)
        if marker not in known:
            return match.group(0)
        return f'<sup class="ra-ref"><a href="#{_anchor(record.id, marker)}">[{marker}]</a></sup>'

    return _MARKER.sub(link, escaped).replace("\n", "<br>")


def unique_figures(figures: Iterable[FigureCheck]) -> list[FigureCheck]:
    """Return the figures once each (same value, unit and status), keeping the first source and every note."""
    kept: dict[tuple[float, str, str], FigureCheck] = {}
    for figure in figures:
        key = (figure.value, figure.unit, figure.status)
        first = kept.get(key)
        if first is None:
            kept[key] = figure
        elif figure.note and figure.note not in first.note:  # a repeat may carry the only note
            kept[key] = first.model_copy(update={"note": "；".join(n for n in (first.note, figure.note) if n)})
    return list(kept.values())


def figure_title(figure: FigureCheck) -> str:
    """Return the hover text of a badge: where the figure was found or how it was computed, and any note."""
    parts = [STATUS_LABELS.get(figure.status, figure.status)]
    if figure.source:
        parts.append(("算式：" if figure.status == "derived" else "出处：") + figure.source)
    if figure.note:
        parts.append("说明：" + figure.note)
    return "\n".join(parts)


def figure_badge(figure: FigureCheck) -> str:
    """Return one badge: the figure, its verdict, and the source or formula as title and small line."""
    label = STATUS_LABELS.get(figure.status, figure.status)
    icon = STATUS_ICONS.get(figure.status, "")
    detail = figure.note if figure.status in ("mismatch", "inconsistent") and figure.note else figure.source
    if len(detail) > 80:
        detail = detail[:79] + "…"
    small = f'<small class="ra-badge-source">{escape(detail)}</small>' if detail else ""
    return (
        f'<span class="ra-badge ra-{escape(figure.status)}" '
        f'title="{escape(figure_title(figure))}"><b>{escape(figure.text)}</b> '
        f'<span class="ra-badge-label">{icon} {label}</span>{small}</span>'
    )


def figures_block(figures: Sequence[FigureCheck]) -> str:
    """Return the badge row of an answer (empty when no figures)."""
    figures = unique_figures(figures)
    if not figures:
        return ""
    badges = "".join(figure_badge(f) for f in figures)
    return f'<div class="ra-figures"><span class="ra-block-title">数字核验：</span>{badges}</div>'


def citation_block(record_id: str, citation: Citation) -> str:
    """Return one expandable citation: heading path, document and page, passage with the quote marked."""
    page = f" · 第{citation.page}页" if citation.page is not None else ""
    section = citation.section or "（无章节）"
    return (
        f'<details class="ra-citation" id="{_anchor(record_id, citation.marker)}">'
        f'<summary><span class="ra-marker">[{escape(citation.marker)}]</span> '
        f'<span class="ra-section">{escape(section)}</span></summary>'
        f'<div class="ra-doc">{escape(citation.document)}{page}</div>'
        f'<blockquote class="ra-passage">{highlight_quote(citation.text, citation.quote).replace(chr(10), "<br>")}'
        f"</blockquote></details>"
    )


def warnings_block(warnings: Sequence[str]) -> str:
    """Return the warnings, prominent (empty when none)."""
    if not warnings:
        return ""
    items = "".join(f'<div class="ra-warning">⚠️ <b>注意：</b>{escape(w)}</div>' for w in warnings)
    return f'<div class="ra-warnings" role="alert">{items}</div>'


def render_record(record: AnswerRecord) -> str:
    """Return the whole chat message for an answer record, as one HTML fragment without blank lines."""
    # The record id travels as a class: Gradio's sanitizer keeps classes but strips data-* attributes.
    parts = [f'<div class="ra-answer ra-record-{escape(record.id)}">']
    if record.refused:
        parts.append(f'<div class="ra-text ra-refused">{answer_body(record)}</div>')
    else:
        parts.append(f'<div class="ra-text">{answer_body(record)}</div>')
    parts.append(warnings_block(record.warnings))
    parts.append(figures_block(record.figures))
    if record.citations:
        cites = "".join(citation_block(record.id, c) for c in record.citations)
        parts.append(f'<div class="ra-citations"><div class="ra-block-title">引用原文：</div>{cites}</div>')
    mode = "离线摘录" if record.mode == "extractive" else ("大模型" if record.mode == "llm" else record.mode)
    parts.append(f'<div class="ra-meta">{escape(mode)} · {record.latency_ms:.0f} ms</div>')
    parts.append("</div>")
    return "".join(parts)


def render_streaming(text: str) -> str:
    """Return partial answer text as it streams in (escaped, with a typing cursor)."""
    return f'<div class="ra-answer ra-streaming">{escape(text.strip()).replace(chr(10), "<br>")}▌</div>'


def render_error(message: str) -> str:
    """Return a message explaining why a question could not be answered."""
    return f'<div class="ra-answer ra-error"><div class="ra-warning">⚠️ {escape(message)}</div></div>'


def record_id_of(content: str) -> str | None:
    """Return the record id embedded in a rendered answer, if any."""
    match = _RECORD_ID.search(content)
    return match.group(1) if match else None


def message_text(content: Any) -> str:
    """Return the text of a chat message content (a string, or Gradio's list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        return str(content.get("text", "")) if content.get("type", "text") == "text" else ""
    if isinstance(content, Sequence):
        return "".join(message_text(part) for part in content)
    return ""


def strip_tags(fragment: str) -> str:
    """Return the visible text of an HTML fragment."""
    return html.unescape(_TAG.sub("", fragment.replace("<br>", "\n"))).strip()


def answer_text_of(content: str) -> str:
    """Return the answer text of a rendered message (its text part only, without citations or badges)."""
    match = _TEXT_DIV.search(content)
    return strip_tags(match.group(1) if match else content)


def history_from_messages(
    messages: Sequence[Mapping[str, Any]], lookup: Callable[[str], AnswerRecord | None]
) -> list[ChatTurn]:
    """Return the conversation as plain turns: the answer texts, not the rendered citations."""
    turns: list[ChatTurn] = []
    for message in messages:
        role = message.get("role")
        text = message_text(message.get("content", ""))
        if role == "user":
            turns.append(ChatTurn(role="user", content=text))
        elif role == "assistant":
            record_id = record_id_of(text)
            record = lookup(record_id) if record_id else None
            if record is not None:
                turns.append(ChatTurn(role="assistant", content=record.answer))
            elif "ra-error" not in text and "ra-streaming" not in text:
                turns.append(ChatTurn(role="assistant", content=answer_text_of(text)))
    return turns


def documents_list(rows: Sequence[tuple[str, int, int]]) -> str:
    """Return a markdown list of the indexed reports (name, passages, characters)."""
    if not rows:
        return "尚未索引任何报告。"
    return "\n".join(f"- {escape(name)}（{passages} 段，{chars} 字）" for name, passages, chars in rows)


CSS = """
.ra-answer { line-height: 1.7; }
.ra-text { margin-bottom: .4em; }
.ra-refused { color: #6b7280; }
.ra-ref a { text-decoration: none; font-weight: 600; }
.ra-warnings { margin: .5em 0; }
.ra-warning { background: #fff4e5; border-left: 4px solid #f59e0b; color: #7c2d12; padding: .4em .7em;
  margin: .3em 0; border-radius: 4px; font-size: .92em; }
.ra-figures { margin: .5em 0; display: flex; flex-wrap: wrap; gap: .35em; align-items: flex-start; }
.ra-block-title { font-size: .85em; color: #6b7280; margin-right: .3em; }
.ra-badge { display: inline-block; border-radius: 6px; padding: .1em .5em; font-size: .85em;
  border: 1px solid transparent; max-width: 18em; cursor: help; line-height: 1.45; }
.ra-badge-label { font-size: .85em; margin-left: .2em; }
.ra-badge-source { display: block; font-size: .72em; opacity: .75; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.ra-verified { background: #e7f7ec; border-color: #34a853; color: #14532d; }
.ra-derived { background: #e6f0fb; border-color: #3b82f6; color: #1e3a8a; }
.ra-mismatch { background: #fde8e8; border-color: #dc2626; color: #7f1d1d; }
.ra-inconsistent { background: #fff1e6; border-color: #ea580c; color: #7c2d12; }
.ra-unverified { background: #fef9e7; border-color: #ca8a04; color: #713f12; }
.ra-citations { margin-top: .5em; }
.ra-citation { border: 1px solid #e5e7eb; border-radius: 6px; padding: .3em .6em; margin: .3em 0; }
.ra-citation summary { cursor: pointer; }
.ra-marker { font-weight: 700; }
.ra-doc { font-size: .8em; color: #6b7280; margin: .2em 0; }
.ra-passage { margin: .2em 0 .3em; padding: 0 0 0 .6em; border-left: 3px solid #d1d5db; font-size: .92em; }
.ra-passage mark { background: #fde68a; padding: 0 .1em; }
.ra-meta { font-size: .75em; color: #9ca3af; margin-top: .3em; }
"""
"""Styles of the rendered answers (shared by the full and the embed view)."""


def mark_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Return the escaped text with each (start, end) span wrapped in <mark>; overlapping spans merge.

    >>> mark_spans("支出<80>万元，预算100万元", [(3, 5), (11, 14)])
    '支出&lt;<mark>80</mark>&gt;万元，预算<mark>100</mark>万元'
    """
    out: list[str] = []
    at = 0
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if end <= at:
            continue
        start = max(start, at)
        out += [escape(text[at:start]), f"<mark>{escape(text[start:end])}</mark>"]
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def _marked_passage(text: str, marks: Sequence[tuple[int, int]]) -> str:
    lead = len(text) - len(text.lstrip())
    shifted = [(s - lead, e - lead) for s, e in marks]
    return mark_spans(text.strip(), shifted).replace("\n", "<br>")


SEVERITY_CLASSES = {"不一致": "ra-sev-fail", "提示": "ra-sev-note", "成立": "ra-sev-ok"}


def review_finding(index: int, finding: FindingView) -> str:
    """Return one finding: severity and kind, the claim, the recomputation, where it is, and its passages."""
    passages = "".join(
        f'<div class="ra-doc">{escape(p.section or "（无章节）")}'
        + (f" · 第{p.page}页" if p.page is not None else "")
        + f'</div><blockquote class="ra-passage">{_marked_passage(p.text, p.marks)}</blockquote>'
        for p in finding.passages
    )
    stated = f"报告写 {escape(finding.stated)}，复算 {escape(finding.computed)}" if finding.stated else ""
    return (
        f'<details class="ra-finding {SEVERITY_CLASSES.get(finding.severity, "")}" id="ra-finding-{index}">'
        f'<summary><span class="ra-sev">{escape(finding.severity)}</span> '
        f'<span class="ra-kind">{escape(finding.kind_label)}</span> {escape(finding.claim)}</summary>'
        f'<div class="ra-formula"><b>复算：</b>{escape(finding.formula)}</div>'
        + (f'<div class="ra-stated">{stated}</div>' if stated else "")
        + f'<div class="ra-where"><b>位置：</b>{escape(finding.section or "（无章节）")}</div>'
        + (
            f'<div class="ra-finding-passages"><div class="ra-block-title">原文：</div>{passages}</div>'
            if passages
            else ""
        )
        + "</details>"
    )


def render_review(findings: Sequence[FindingView], document: str, notes: bool) -> str:
    """Return the 报告核查 view of one report: a count line, then each finding (worst first), expandable."""
    if not document:
        return '<div class="ra-review">尚未索引任何报告。</div>'
    failing = sum(1 for f in findings if f.severity == "不一致")
    hinted = sum(1 for f in findings if f.severity == "提示")
    summary = f"《{escape(document)}》：发现 <b>{failing}</b> 处数字不一致"
    summary += f"，{hinted} 条舍入级提示。" if notes else "。"
    if not findings:
        summary += "报告自身的数字关系经复算均成立。" if not notes else "没有需要提示的数字关系。"
    items = "".join(review_finding(i, f) for i, f in enumerate(findings, start=1))
    return f'<div class="ra-review"><div class="ra-review-summary">{summary}</div>{items}</div>'


REVIEW_CSS = """
.ra-review { line-height: 1.7; }
.ra-review-summary { margin: .2em 0 .6em; }
.ra-finding { border: 1px solid #e5e7eb; border-left-width: 4px; border-radius: 6px; padding: .35em .7em;
  margin: .4em 0; }
.ra-finding summary { cursor: pointer; }
.ra-sev { display: inline-block; font-size: .8em; font-weight: 700; border-radius: 4px; padding: 0 .4em; }
.ra-kind { font-size: .8em; color: #4b5563; background: #f3f4f6; border-radius: 4px; padding: 0 .4em; }
.ra-sev-fail { border-left-color: #dc2626; }
.ra-sev-fail .ra-sev { background: #fde8e8; color: #7f1d1d; }
.ra-sev-note { border-left-color: #9ca3af; }
.ra-sev-note .ra-sev { background: #f3f4f6; color: #374151; }
.ra-sev-ok { border-left-color: #34a853; }
.ra-sev-ok .ra-sev { background: #e7f7ec; color: #14532d; }
.ra-formula, .ra-stated, .ra-where { font-size: .92em; margin: .25em 0; overflow-wrap: anywhere; }
"""
"""Styles of the 报告核查 view."""
