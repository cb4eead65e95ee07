"""Write plans out as a short answer: computed figures with their formula, quotes with markers, refusals that
say what the report does state."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.answerers.base import ENGLISH_REFUSAL_PREFIX, REFUSAL_PREFIX
from assistant.evidence.spans import Span
from assistant.frame import QuestionFrame
from assistant.planner.model import Plan, Quote
from index.text import strip_marker_punctuation

Marker = Callable[[Span], str]


def _quote_text(quote: Quote, marker: Marker) -> str:
    body = strip_marker_punctuation(quote.text)
    if quote.prefix and not body.startswith(quote.prefix):
        body = f"{quote.prefix}：{body}"
    return f"{body}{marker(quote.span)}"


def _quotes(quotes: Sequence[Quote], marker: Marker) -> str:
    return "；".join(_quote_text(q, marker) for q in quotes)


def _chinese_part(plan: Plan, marker: Marker) -> tuple[str, bool]:
    """Return one part's text and whether it refuses."""
    if plan.kind == "refuse":
        text = f"{REFUSAL_PREFIX}{plan.missing}"
        if plan.quotes:
            text += f"；报告只提到：{_quotes(plan.quotes, marker)}"
        return text, True
    if plan.kind == "cannot_compute":
        text = f"无法计算：{plan.missing}"
        if plan.quotes:
            text += f"。报告给出：{_quotes(plan.quotes, marker)}"
        return text, False
    pieces: list[str] = []
    if plan.computations:
        cites = "".join(dict.fromkeys(marker(q.span) for q in plan.quotes))
        for c in plan.computations:
            pieces.append(f"{c.label}：{c.formula}（计算得出）")
            pieces.extend(c.notes)
        return "；".join(pieces) + cites, False
    pieces.append(_quotes(plan.quotes, marker))
    pieces.extend(plan.notes)
    return "；".join(p for p in pieces if p), False


def compose_chinese(frame: QuestionFrame, plans: Sequence[Plan], marker: Marker) -> tuple[str, bool]:
    """Return the answer text and whether the whole answer is a refusal."""
    # What the report answers comes first; what it leaves out after it; what cannot be computed last.
    order = {"answer": 0, "refuse": 1, "cannot_compute": 2}
    plans = sorted(plans, key=lambda p: order[p.kind])
    parts = [_chinese_part(plan, marker) for plan in plans]
    refused = all(r for _, r in parts)
    if refused and len(parts) > 1:
        missing = "、".join(dict.fromkeys(p.missing for p in plans if p.missing))
        quotes = [q for p in plans for q in p.quotes]
        text = f"{REFUSAL_PREFIX}{missing}"
        if quotes:
            text += f"；报告只提到：{_quotes(_unique(quotes), marker)}"
        return text + "。", True
    seen: set[str] = set()
    texts: list[str] = []
    for text, _ in parts:
        if text and text not in seen:
            seen.add(text)
            texts.append(text)
    return "；".join(texts) + "。", refused


def _unique(quotes: Sequence[Quote]) -> list[Quote]:
    out: list[Quote] = []
    for q in quotes:
        if not any(o.text == q.text for o in out):
            out.append(q)
    return out


_EN_ROLES = {
    "adjusted_budget": "adjusted budget",
    "initial_budget": "initial budget",
    "budget": "budget",
    "spending": "spending",
    "income": "income",
    "rate": "rate",
    "share": "share",
    "score": "score",
    "weight": "maximum score",
    "target": "target",
    "actual": "actual value",
    "change": "change",
    "count": "number",
    "adjustment": "adjustment",
    "amount": "amount",
}
_EN_OPERATIONS = {
    "remaining": "left unspent",
    "difference": "difference",
    "growth": "growth",
    "share": "share",
    "sum": "total",
    "average": "average",
    "implied_target": "implied target",
    "completion": "completion rate",
    "deduction": "points deducted",
    "net": "net change",
    "earlier": "earlier value",
}


def compose_english(frame: QuestionFrame, plans: Sequence[Plan], marker: Marker) -> tuple[str, bool]:
    """Return an English answer: the figures asked, each named, the Chinese quote cited."""
    sentences: list[str] = []
    refused = all(p.kind == "refuse" for p in plans)
    if refused:
        return f"{ENGLISH_REFUSAL_PREFIX} this; it cannot be answered from the report.", True
    for plan in plans:
        if plan.kind == "refuse":
            sentences.append("The report does not give the rest of what was asked.")
            continue
        cites = "".join(dict.fromkeys(marker(q.span) for q in plan.quotes))
        if plan.computations:
            for c in plan.computations:
                name = _EN_OPERATIONS.get(c.operation, c.operation)
                sentences.append(f"The {name} is {c.result}, computed from the report's figures: {c.formula}{cites}.")
            continue
        if plan.kind == "cannot_compute":
            sentences.append(f"It cannot be computed from the report's figures{cites}.")
            continue
        named = [f"{_EN_ROLES.get(f.role, 'figure')} {f.text}" for q in plan.quotes for f in q.facts]
        quoted = " ".join(f"“{strip_marker_punctuation(q.text)}”{marker(q.span)}" for q in plan.quotes)
        if named:
            sentences.append(f"According to the report: {'; '.join(dict.fromkeys(named))}. The report says: {quoted}")
        else:
            sentences.append(f"The report says: {quoted}")
    return " ".join(sentences), False
