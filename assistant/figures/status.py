"""The status of each figure an answer relies on: verified, derived (computed by the planner), inconsistent
(the report contradicts itself on it), mismatch or unverified."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.figures.verify import FigureVerdict, report_figures
from assistant.records import FigureCheck
from index.figures import parse_figures
from index.models import Document, Passage
from index.text import normalise

if TYPE_CHECKING:
    from assistant.answerers.base import Draft
    from assistant.knowledge import Knowledge


def _inconsistent(verdict: FigureVerdict, knowledge: Knowledge) -> str:
    """Return the failing audit relation a verified figure takes part in ("" when none)."""
    match = verdict.match
    if match is None:
        return ""
    table = knowledge.fact_tables.get(match.document_id)
    fact = table.at(match.figure.start) if table else None
    return "；".join(fact.inconsistent) if fact is not None and fact.inconsistent else ""


def check_answer(
    text: str, cited: Sequence[Passage], documents: Sequence[Document], knowledge: Knowledge, draft: Draft
) -> list[FigureCheck]:
    """Check the figures of an answer against the cited passages and their reports.

    A figure is derived only when the planner computed it (the draft says so, with its formula); a draft
    from a model may also be derived from the figures of the cited passages, never from its own figures.
    When the draft names the figures it relies on, only those (and its computed ones) get a status.
    """
    body = text.split("⚠", 1)[0]
    tables = {d.id: knowledge.fact_tables[d.id] for d in documents if d.id in knowledge.fact_tables}
    index = report_figures(documents, knowledge.passages, tables)
    derived = {normalise(k): v for k, v in draft.derived.items()}
    relied = {normalise(f.text) for f in draft.relied} | {normalise(f.text + f.unit) for f in draft.relied}
    extractive = draft.mode == "extractive"
    cited_pool = [f.figure for p in cited for f in index.in_passage(p)]
    checks: list[FigureCheck] = []
    for claim in parse_figures(body):
        key = normalise(claim.text)
        if key in derived:
            checks.append(
                FigureCheck(
                    text=claim.text,
                    value=claim.value,
                    unit=claim.unit,
                    status="derived",
                    source=derived[key],
                    note="由报告数字计算得出",
                )
            )
            continue
        if extractive and (draft.relied or draft.derived) and key not in relied:
            continue
        verdict = index.verify(claim, cited, [] if extractive else cited_pool)
        record = verdict.to_record()
        if record.status == "verified":
            claim_of = _inconsistent(verdict, knowledge)
            if claim_of:
                record = record.model_copy(update={"status": "inconsistent", "note": f"报告自相矛盾：{claim_of}"})
        checks.append(record)
    return checks
