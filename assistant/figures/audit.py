"""Audit a report's own arithmetic: rates, sums, shares, scores, budget adjustments, unit slips, two values.

The audit reads each document's fact table (every figure typed with its role, subject, scope and period) and
runs the registered rules of `assistant.figures.rules` over it. Each rule relates facts through roles and
subjects — a table row's cells, a total row and the rows above it, a sentence's spending and budget, a whole
and the parts listed after 其中 — and records the relation recomputed: holds, holds within rounding (提示),
or fails (不一致). Failing findings are what answers warn about.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from assistant.figures.relations import AuditFinding, shown, unit_name
from assistant.figures.report_view import ReportView
from assistant.figures.rules import registered
from assistant.figures.verify import ReportFigures, report_figures, value_matches
from index.facts import FactTable, build_fact_table
from index.figures import Figure, format_number, parse_figures
from index.models import Document, Passage

_log = logging.getLogger(__name__)

__all__ = [
    "AuditFinding",
    "audit_corrections",
    "audit_document",
    "audit_index",
    "audit_report",
    "failing",
    "findings_for_passage",
    "findings_for_text",
    "findings_of",
]


def audit_document(view: ReportView) -> list[AuditFinding]:
    """Run every registered rule over one document's view and return its findings, unit slips included.

    A rule that fails on a report it was not written for loses its own findings only (logged): the report is
    still answered, and the other rules still run.
    """
    for name, rule in registered().items():
        try:
            rule(view)
        except Exception:  # one rule's defect must not make a report unanswerable
            _log.exception("audit rule %s failed on %s", name, view.document.name)
    _slip_findings(view)
    return _dedupe(view.findings)


def _slip_findings(view: ReportView) -> None:
    for slip in view.slips.values():
        fact = slip.fact
        fixed = f"{format_number(fact.value, fact.decimals)}{unit_name(slip.magnitude)}"
        view.add(
            "unit_slip",
            f"{fact.label}{shown(fact)}的单位疑为笔误，应为{fixed}",
            "；".join(dict.fromkeys(slip.formulas)),
            shown(fact),
            fixed,
            False,
            [fact],
        )


_CACHED_VERSIONS = 256
_cache: OrderedDict[tuple[str, ...], list[AuditFinding]] = OrderedDict()
_cache_lock = threading.Lock()


def _version_key(document: Document, table: FactTable) -> tuple[str, ...]:
    """What a document's findings depend on: its text, its fact table and the rules that run."""
    text = document.sha256 or hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    facts = hashlib.sha1(repr(table.facts).encode("utf-8")).hexdigest()
    return (document.id, text, facts, ",".join(registered()))


def findings_of(document: Document, table: FactTable | None = None) -> list[AuditFinding]:
    """Return the findings of one document version: computed once, then kept (a corpus that gains a report does
    not audit the others again)."""
    table = table or build_fact_table(document)
    key = _version_key(document, table)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return list(cached)
    found = audit_document(ReportView(document, table))
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > _CACHED_VERSIONS:
            _cache.popitem(last=False)
    return list(found)


def audit_index(index: ReportFigures) -> list[AuditFinding]:
    """Audit every document of a figure index (each document version once per process)."""
    findings: list[AuditFinding] = []
    for document in index.documents:
        findings.extend(findings_of(document, index.fact_tables.get(document.id)))
    return findings


def _dedupe(findings: list[AuditFinding]) -> list[AuditFinding]:
    seen: set[tuple[str, str, bool, str]] = set()
    out: list[AuditFinding] = []
    for f in findings:
        key = (f.kind, f.formula, f.holds, f.section)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def audit_report(documents: Sequence[Document], passages: Sequence[Passage] = ()) -> list[AuditFinding]:
    """Find the relations the report states or implies and recompute each (holds or fails)."""
    return audit_index(report_figures(documents, passages))


def audit_corrections(
    index: ReportFigures,
) -> dict[tuple[str, int], tuple[str, Figure | None]]:
    """Return (note, corrected figure) for report figures in failing relations, keyed by (document id, offset)."""
    notes: dict[tuple[str, int], tuple[str, Figure | None]] = {}
    for finding in audit_index(index):
        if finding.kind == "inconsistent_value":
            for f in finding.figures:
                notes[(finding.document_id, f.start)] = (finding.claim, None)
        if finding.kind == "unit_slip":
            for f in finding.figures:
                corrected = parse_figures(finding.computed)[0]
                note = f"报告原文为{f.number_text()}{f.unit}，单位疑为笔误（应为{finding.computed}）"
                notes[(finding.document_id, f.start)] = (note, corrected)
    return notes


def failing(findings: Iterable[AuditFinding]) -> list[AuditFinding]:
    """Return the findings that do not hold (不一致)."""
    return [f for f in findings if not f.holds]


def findings_for_text(findings: Iterable[AuditFinding], text: str) -> list[AuditFinding]:
    """Return the failing findings that involve a figure quoted in `text` (to warn the reader)."""
    claims = [c for c in parse_figures(text) if c.value != 0]
    out = []
    for finding in failing(findings):
        if any(
            value_matches(c, f)
            for c in claims
            for f in finding.figures
            if f.family != "percent" or c.family == "percent"
        ):
            out.append(finding)
    return out


def findings_for_passage(findings: Iterable[AuditFinding], passage: Passage) -> list[AuditFinding]:
    """Return the failing findings that involve a figure inside `passage`."""
    return [
        f
        for f in failing(findings)
        if f.document_id == passage.document_id and any(passage.start <= g.start < passage.end for g in f.figures)
    ]
