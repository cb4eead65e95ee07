"""Execution rates: a rate of spending against a budget, in a table row or a sentence, recomputed.

Operands are paired by role: in a table row, the row's spending and budget cells; in a sentence, the spending
and budget stated since the previous rate. A rate whose sentence states no budget is only confirmed against
the budgets of its paragraph, section or the reporting unit (and 年初预算 + 年中调整): a relation found by a
loose pairing is reported when it holds, never as an alarm.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.figures.relations import Magnitudes, Outcome, quantity, ratio, shown, shown_in, solve
from assistant.figures.report_view import ReportView
from assistant.figures.rules import register
from assistant.figures.rules._budget import (
    NUMERATOR_ROLES,
    adjustment_chains,
    adjustment_sign,
    best_budget,
    is_budget,
    is_execution_rate,
)
from index.facts import Fact


@register("rates", order=10)
def rates(view: ReportView) -> None:
    """Recompute every execution rate whose spending and budget the report states with it."""
    for index in range(len(view.document.tables)):
        for row in view.rows(index):
            for rate in (f for f in row.facts if is_execution_rate(f)):
                numerator = _numerator(row.facts)
                if numerator is not None:
                    _check(view, rate, numerator, best_budget(row.facts), tight=True, what=row.name)
    for sentence in view.sentences():
        segment: list[Fact] = []
        for fact in sentence:
            if is_execution_rate(fact):
                numerator = _numerator(segment)
                if numerator is not None:
                    budgets = best_budget([f for f in segment if f.start < fact.start])
                    _check(view, fact, numerator, budgets, tight=bool(budgets))
                segment = []
            elif fact.period == "current" and fact.family == "money":
                segment.append(fact)


def _numerator(facts: Sequence[Fact]) -> Fact | None:
    money = [f for f in facts if f.family == "money" and f.period == "current"]
    for role in NUMERATOR_ROLES:
        found = [f for f in money if f.role == role]
        if found:
            return found[-1]
    if any(is_budget(f) for f in money):
        others = [f for f in money if f.role in ("amount", "actual")]
        if others:
            return others[-1]  # 完成采购金额 against 采购预算
    return None


def _check(view: ReportView, rate: Fact, num: Fact, budgets: Sequence[Fact], tight: bool, what: str = "") -> None:
    if rate.in_table:
        label = f"{what or rate.subject}{rate.column}"
    else:
        subject = next((b.subject for b in budgets[:1] if not b.generic), "") or ("" if num.generic else num.subject)
        subject = subject or view.entity(rate)
        label = rate.label if subject in rate.label else f"{subject}{rate.label}"
    claim = f"{label}{shown(rate)}"
    if not tight:
        _confirm(view, rate, num, claim)
        return
    den = budgets[0]
    for other in budgets[1:]:
        if ratio(num, other, rate).verdict == "exact" and ratio(num, den, rate).verdict != "exact":
            den = other  # the rate is taken of another budget the row states (年初预算, say)
            break

    def outcome(m: Magnitudes) -> Outcome:
        return ratio(num, den, rate, magnitudes=m)

    found, slipped, magnitude = solve(outcome, view.suspects([num, den]), [view.money_magnitude])
    m = {slipped.id: magnitude} if slipped is not None and magnitude is not None else {}
    formula = f"{shown_in(num, m)} ÷ {shown_in(den, m)} = {quantity(found.value, rate, m)}"
    if not found.holds:
        reverse = ratio(den, num, rate)
        if reverse.holds:
            formula += f"；{shown(rate)}恰为{shown(den)} ÷ {shown(num)}，疑似预算与支出颠倒或比率算反"
        else:
            formula += f"（报告写{shown(rate)}）"
    view.report("rate", claim, formula, rate, found, quantity(found.value, rate), [num, den, rate], slipped, magnitude)


def _confirm(view: ReportView, rate: Fact, num: Fact, claim: str) -> None:
    """Confirm a rate whose sentence states no budget against the budgets it may be taken of."""
    for dens in _denominators(view, rate, num):
        found = ratio(num, dens, rate)
        if found.verdict == "exact":
            den_text = shown(dens[0]) if len(dens) == 1 else "(" + " + ".join(shown(d) for d in dens) + ")"
            formula = f"{shown(num)} ÷ {den_text} = {quantity(found.value, rate)}"
            view.report("rate", claim, formula, rate, found, quantity(found.value, rate), [num, *dens, rate])
            return


def _denominators(view: ReportView, rate: Fact, num: Fact) -> list[tuple[Fact, ...]]:
    paragraph = view.paragraph_index(rate)
    budgets = [
        f
        for f in view.facts_in(0, rate.start)
        if is_budget(f) and f.period == "current" and f.id != num.id and f.start < rate.start and not f.in_table
    ]
    near = [f for f in budgets if view.paragraph_index(f) == paragraph]
    section = [f for f in budgets if f.scope == rate.scope and f not in near]
    unit = [f for f in view.facts if is_budget(f) and view.unit_level(f)] if view.unit_level(num) or num.generic else []
    out: list[tuple[Fact, ...]] = [(f,) for f in [*reversed(near), *reversed(section), *unit]]
    for chain in adjustment_chains(view):
        if any(adjustment_sign(a) < 0 for a in chain.adjustments):
            continue
        if chain.initial.scope == rate.scope or (view.unit_level(chain.initial) and view.unit_level(num)):
            out.append(chain.facts)
    return out
