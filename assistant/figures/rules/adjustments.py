"""Budget adjustments: the initial budget plus the adjustments of the year is the adjusted budget.

Operands relate by role: in a table row, its 年初预算, 调整 and 调整后预算 cells; in text, an initial budget, the
adjustments that follow it, and the adjusted budget after them in the same paragraph. An initial budget and its
adjustment whose adjusted budget the report states elsewhere (the unit's 全年预算数 in another section) are only
confirmed: a loose pairing never raises an alarm.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.figures.relations import quantity, shown, total
from assistant.figures.report_view import ReportView, has_word
from assistant.figures.rules import register
from assistant.figures.rules._budget import Adjusted, adjustment_chains, adjustment_sign, is_adjustment
from index.facts import Fact


@register("adjustments", order=15)
def adjustments(view: ReportView) -> None:
    """Recompute initial budget + adjustments = adjusted budget, in table rows and in text."""
    for index in range(len(view.document.tables)):
        for row in view.rows(index):
            initial = next((f for f in row.facts if f.role == "initial_budget"), None)
            adjusted = next((f for f in row.facts if f.role == "adjusted_budget"), None)
            changes = [f for f in row.facts if is_adjustment(f)]
            if initial is not None and adjusted is not None and changes:
                _check(view, initial, changes, adjusted, row.name, tight=True)
    for chain in adjustment_chains(view):
        adjusted = _adjusted_after(view, chain)
        if adjusted is not None:
            _check(view, chain.initial, chain.adjustments, adjusted, "", tight=True)
            continue
        elsewhere = _elsewhere(view, chain)
        if not any(_check(view, chain.initial, chain.adjustments, c, "", tight=False) for c in elsewhere):
            later = [c for c in elsewhere if c.start > chain.adjustments[-1].start and c.generic]
            if (
                later
                and len({c.value for c in later}) == 1
                and chain.initial.generic
                and not _other_sources(view, chain)
            ):
                _check(view, chain.initial, chain.adjustments, later[0], "", tight=True)


def _adjusted_after(view: ReportView, chain: Adjusted) -> Fact | None:
    if not chain.same_paragraph:
        return None
    last = chain.adjustments[-1]
    paragraph = view.paragraph_index(chain.initial)
    return next(
        (
            f
            for f in view.facts
            if not f.in_table
            and f.start > last.start
            and f.role == "adjusted_budget"
            and f.period == "current"
            and view.paragraph_index(f) == paragraph
        ),
        None,
    )


def _elsewhere(view: ReportView, chain: Adjusted) -> list[Fact]:
    """Return adjusted budgets stated elsewhere that may be this chain's: the unit's own, or in its section."""
    unit = view.unit_level(chain.initial) or chain.initial.generic
    return [
        f
        for f in view.facts
        if f.role == "adjusted_budget"
        and f.period == "current"
        and not f.in_table
        and ((unit and (view.unit_level(f) or f.generic)) or f.scope == chain.initial.scope)
    ]


def _other_sources(view: ReportView, chain: Adjusted) -> bool:
    """Tell whether the chain's section names other sources of the budget (上年结转, 收入) than the adjustments."""
    return any(
        f.family == "money" and (f.role == "income" or has_word(f.label, "budget", "carryover"))
        for f in view.facts
        if f.scope == chain.initial.scope and not f.in_table and f.start > chain.initial.start
    )


def _check(view: ReportView, initial: Fact, changes: Sequence[Fact], adjusted: Fact, what: str, tight: bool) -> bool:
    signs = [1.0, *(adjustment_sign(c) for c in changes)]
    found = total([initial, *changes], adjusted, signs=signs)
    if not tight and found.verdict != "exact":
        return False
    terms = shown(initial) + "".join(
        f" {'−' if s < 0 else '+'} {shown(c)}" for c, s in zip(changes, signs[1:], strict=True)
    )
    formula = f"{terms} = {quantity(found.value, adjusted)}"
    claim = (
        f"{what}年初预算加年中调整等于{adjusted.label if not adjusted.in_table else adjusted.column}{shown(adjusted)}"
    )
    view.report(
        "budget_adjustment",
        claim,
        formula,
        adjusted,
        found,
        quantity(found.value, adjusted),
        [initial, *changes, adjusted],
    )
    return True
