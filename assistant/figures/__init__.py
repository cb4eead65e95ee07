"""Numeric checks: parse figures, verify them against a report, derive new ones, audit a report's arithmetic."""

from assistant.figures.audit import (
    AuditFinding,
    audit_report,
    failing,
    findings_for_passage,
    findings_for_text,
)
from assistant.figures.derive import (
    Derived,
    derive,
    find_derivation,
    format_quantity,
    quantity,
)
from assistant.figures.verify import (
    FigureVerdict,
    ReportFigures,
    check_figures,
    report_figures,
)
from index.figures import Figure, parse_figures

__all__ = [
    "AuditFinding",
    "Derived",
    "Figure",
    "FigureVerdict",
    "ReportFigures",
    "audit_report",
    "check_figures",
    "derive",
    "failing",
    "find_derivation",
    "findings_for_passage",
    "findings_for_text",
    "format_quantity",
    "parse_figures",
    "quantity",
    "report_figures",
]
