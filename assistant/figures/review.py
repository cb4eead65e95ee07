"""The audit findings of the indexed reports as a reviewer reads them: per report, worst first, each with the
passages its figures stand in (the 报告核查 view of the web chat and `GET /api/audit`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from assistant.figures.relations import AuditFinding
from assistant.knowledge import Knowledge
from assistant.records import FindingPassage, FindingView
from index.models import SECTION_SEPARATOR, Passage

Show = Literal["failing", "notes", "all"]
"""Which findings: 不一致 only; 不一致 and 提示 (relations that hold only within rounding); every relation."""

KIND_LABELS: dict[str, str] = {
    "rate": "完成率/执行率",
    "sum": "分项合计",
    "share": "占比",
    "score_sum": "得分合计",
    "score_weight": "得分与分值",
    "budget_adjustment": "预算调整",
    "unit_slip": "单位笔误",
    "inconsistent_value": "前后数值不一致",
    "count": "数目与所列事项",
    "change": "增减变化",
    "per_unit": "人均/单位数额",
    "average": "平均数",
    "outline": "标题编号",
}
_SEVERITY_ORDER = {"不一致": 0, "提示": 1, "成立": 2}


def _shown(finding: AuditFinding, show: Show) -> bool:
    if show == "all":
        return True
    return finding.severity == "不一致" or (show == "notes" and finding.severity == "提示")


def finding_passages(knowledge: Knowledge, finding: AuditFinding) -> list[FindingPassage]:
    """Return the passages holding a finding's figures, in text order, with the figures marked (a finding without
    figures, such as a heading number used twice: the first passage of each section its claim names)."""
    marks: dict[str, list[tuple[int, int]]] = {}
    passages: dict[str, Passage] = {}
    for figure in sorted(finding.figures, key=lambda f: f.start):
        passage = knowledge.passage_at(finding.document_id, figure.start)
        if passage is None:
            continue
        passages[passage.id] = passage
        span = (figure.start - passage.start, min(figure.end, passage.end) - passage.start)
        if span not in marks.setdefault(passage.id, []):
            marks[passage.id].append(span)
    if not passages:  # a finding of the outline: the sections it names, else the first passage of its own
        own = [p for p in knowledge.passages if p.document_id == finding.document_id]
        named: dict[str, Passage] = {}
        parent = finding.section.split(SECTION_SEPARATOR)[-1] if finding.section else ""
        for passage in own:
            for heading in passage.section_path:
                if heading != parent and heading in finding.claim:
                    named.setdefault(heading, passage)
        chosen = (
            list(named.values()) or [p for p in own if finding.section and p.section.startswith(finding.section)][:1]
        )
        for passage in chosen:
            passages[passage.id] = passage
            marks[passage.id] = []
    document = knowledge.document(finding.document_id)
    return [
        FindingPassage(
            passage_id=p.id,
            section=p.section,
            page=document.page_at(p.start) if document is not None else None,
            text=p.text,
            marks=marks[p.id],
        )
        for p in passages.values()
    ]


def review(
    knowledge: Knowledge, document_ids: Sequence[str] | None = None, show: Show = "failing"
) -> list[FindingView]:
    """Return the findings of the reports (all when None) to show, 不一致 first, then in the report's order."""
    names = {d.id: d.name for d in knowledge.documents}
    wanted = set(document_ids) if document_ids is not None else set(names)
    chosen = [f for f in knowledge.findings if f.document_id in wanted and _shown(f, show)]
    order = {d.id: i for i, d in enumerate(knowledge.documents)}

    def position(finding: AuditFinding) -> tuple[int, int, int]:
        first = min((f.start for f in finding.figures), default=0)
        return (order.get(finding.document_id, 0), _SEVERITY_ORDER.get(finding.severity, 3), first)

    return [
        FindingView(
            document_id=f.document_id,
            document=names.get(f.document_id, f.document_id),
            severity=f.severity or ("成立" if f.holds else "不一致"),
            kind=f.kind,
            kind_label=KIND_LABELS.get(f.kind, f.kind),
            claim=f.claim,
            formula=f.formula,
            stated=f.stated,
            computed=f.computed,
            holds=f.holds,
            section=f.section,
            passages=finding_passages(knowledge, f),
        )
        for f in sorted(chosen, key=position)
    ]


__all__ = ["KIND_LABELS", "Show", "finding_passages", "review"]
