"""What several budget rules share: which facts are execution rates and budget adjustments, and their order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.figures.report_view import ReportView, has_word
from index.facts import BUDGET_ROLES, Fact

# The budget a rate of execution is taken of, most likely first (the genre's 执行率 is 实际支出 ÷ 调整预算).
BUDGET_PREFERENCE = ("adjusted_budget", "budget", "initial_budget")
NUMERATOR_ROLES = ("spending", "income")


def is_execution_rate(fact: Fact) -> bool:
    """Tell whether a percent is a rate of spending against a budget (执行率, 完成预算的…)."""
    if fact.family != "percent" or fact.role != "rate":
        return False
    label = fact.label
    return has_word(label, "budget", "execution_rate") or ("完成" in label and "预算" in label)


def is_adjustment(fact: Fact) -> bool:
    """Tell whether a money fact is a change of the budget during the year (调增, 年中追加…资金)."""
    if fact.family != "money":
        return False
    if fact.role == "adjustment":
        return True
    return fact.role in ("amount", "change") and has_word(fact.label, "budget", "adjustment")


def adjustment_sign(fact: Fact) -> float:
    return -1.0 if has_word(fact.label, "budget", "decrease") else 1.0


def best_budget(facts: Sequence[Fact]) -> list[Fact]:
    """Return budget facts in order of preference (adjusted, unspecified, initial; the last of each first)."""
    out: list[Fact] = []
    for role in BUDGET_PREFERENCE:
        out.extend(reversed([f for f in facts if f.role == role]))
    return out


def is_budget(fact: Fact) -> bool:
    return fact.family == "money" and fact.role in BUDGET_ROLES


@dataclass(frozen=True)
class Adjusted:
    """An initial budget and the adjustments after it in the same section: their sum is the adjusted budget."""

    initial: Fact
    adjustments: tuple[Fact, ...]
    same_paragraph: bool

    @property
    def facts(self) -> tuple[Fact, ...]:
        return (self.initial, *self.adjustments)


def adjustment_chains(view: ReportView) -> list[Adjusted]:
    """Return each prose initial budget with the budget adjustments that follow it in its section."""
    chains: list[Adjusted] = []
    prose = [f for f in view.facts if not f.in_table and f.period == "current"]
    for i, initial in enumerate(prose):
        if initial.role != "initial_budget" or initial.family != "money" or _part_of_initial(view, initial, prose[:i]):
            continue  # a part of the initial budget (其中中央财政补助…) is not adjusted on its own
        adjustments: list[Fact] = []
        for later in prose[i + 1 :]:
            if later.scope != initial.scope:
                break
            nested = _nested(view, later)
            if (later.role == "initial_budget" or later.role == "adjusted_budget") and not nested:
                break
            adjusts = is_adjustment(later) or _adjusted_in_clause(view, later)
            if adjusts and not nested:
                adjustments.append(later)
            elif adjustments and not adjusts:
                break
        if adjustments:
            same = all(view.paragraph_index(a) == view.paragraph_index(initial) for a in adjustments)
            chains.append(Adjusted(initial, tuple(adjustments), same))
    return chains


def _adjusted_in_clause(view: ReportView, fact: Fact) -> bool:
    """Tell whether a money figure of no role is what its clause says was added to or taken off the budget
    ("追加抽检经费、平台建设资金等共计60.00万元": the adjustment word opens the clause, the funds listed between)."""
    if fact.family != "money" or fact.role != "amount":
        return False
    clause = view.clause_of(fact)
    return has_word(view.text[clause.start : fact.start], "budget", "adjustment")


def _part_of_initial(view: ReportView, fact: Fact, earlier: list[Fact]) -> bool:
    """Tell whether an initial budget is listed after 其中 as a part of an initial budget stated before it in its
    clause group ("年初预算1,000.00万元，其中中央补助600.00万元")."""
    if not _nested(view, fact):
        return False
    group = view.group_of(fact)
    for f in reversed(earlier):
        if f.start < group.start:
            return False
        if f.role == "initial_budget":
            return True
    return False


def _nested(view: ReportView, fact: Fact) -> bool:
    """Tell whether a fact is a part listed after 其中/包括 (a part of an adjustment, not one more)."""
    before = view.text[view.group_of(fact).start : fact.start]
    return "其中" in before or "包括" in before
