"""The fact table: every figure of a report typed (value, unit, role, subject, scope, period, span).

Built once per document version at ingest and persisted beside the catalog; the verifier, the derivations,
the audit and the answerers read it, and nothing re-parses sentences for operands.
"""

from index.facts.build import build_fact_table, heading_title
from index.facts.model import BUDGET_ROLES, Fact, FactTable, Role, facts_of, restatements

__all__ = ["BUDGET_ROLES", "Fact", "FactTable", "Role", "build_fact_table", "facts_of", "heading_title", "restatements"]
