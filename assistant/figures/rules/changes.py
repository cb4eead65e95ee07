"""Changes against the previous year: a stated growth or fall recomputed from the two values it compares.

In one clause group, a change (增长18.60%, 提高1.64个百分点, 下降9.77%) relates the current value stated before
it and the previous-period value (比上年的…, 2021年为…, 上年为…) — or the two values of "由1,080元提高到1,150元".
A growth in % is relative to the old value; in 百分点, or in the unit of the values, it is their difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from assistant.figures.relations import Outcome, change, quantity, shown
from assistant.figures.report_view import ReportView, has_word
from assistant.figures.rules import register
from index.facts import Fact
from index.lexicon import load

_VALUED = frozenset({"money", "count", "measure", "percent", "duration", "score"})


@register("changes", order=45)
def changes(view: ReportView) -> None:
    """Recompute every stated change whose old and new values its clause group states."""
    for sentence in view.sentences():
        for stated in sentence:
            if stated.role != "change":
                continue
            sign = _direction(stated)
            if sign == 0:
                continue
            group = view.group_of(stated)
            members = [f for f in sentence if group.start <= f.start < group.end and f.id != stated.id]
            pair = _compared(view, stated, members)
            if pair is not None:
                _check(view, stated, pair[0], pair[1], sign)


def _direction(stated: Fact) -> float:
    words = stated.role_word or stated.label
    if has_word(words, "comparison", "decrease"):
        return -1.0
    if has_word(words, "comparison", "increase"):
        return 1.0
    return 0.0


def _compared(view: ReportView, stated: Fact, members: Sequence[Fact]) -> tuple[Fact, Fact] | None:
    """Return (new, old) for a change: the two values of "由A提高到B" right before it, else the previous-period
    value and the current one before the change."""
    before = [f for f in members if f.start < stated.start and f.family in _VALUED and f.role != "change"]
    if len(before) >= 2:
        new, old = before[-1], before[-2]
        if (
            has_word(new.label, "comparison", "to_value")
            and has_word(old.label, "comparison", "from_value")
            and old.family == new.family
        ):
            return new, old  # the sentence names which value is old and which new, whatever its years
    olds = [
        f
        for f in members
        if f.period == "previous" and f.family in _VALUED and f.role != "change" and _names_previous(view, f)
    ]
    if olds:
        old = min(olds, key=lambda f: abs(f.start - stated.start))
        news = [
            f
            for f in members
            if f.start < stated.start
            and f.period == "current"
            and f.role != "change"
            and f.id != old.id
            and f.family == old.family
            and (f.family != "count" or f.figure().counter_group == old.figure().counter_group)
        ]
        # The value of the subject the earlier one is of ("其中A…、B…，较上年的X": the whole, not the last part).
        own = [f for f in news if f.subject == old.subject]
        return ((own or news)[-1], old) if news else None
    for i, new in enumerate(before):
        if has_word(new.label, "comparison", "to_value") and i > 0:
            old = before[i - 1]
            if old.family == new.family and has_word(old.label, "comparison", "from_value"):
                return new, old
    return None


@cache
def _previous_words() -> tuple[str, ...]:
    words: list[str] = load("roles")["subjects"]["previous_period"]
    return tuple(words)


def _names_previous(view: ReportView, fact: Fact) -> bool:
    """Tell whether a fact's own label says it is the earlier value (比上年的…, 2021年为…, 上年为…)."""
    label = fact.label
    if fact.year and fact.year != view.table.report_year:
        return True
    return label.startswith(("比", "较", "与")) or any(w in label for w in _previous_words())


def _check(view: ReportView, stated: Fact, new: Fact, old: Fact, sign: float) -> None:
    points = stated.family == "pp" or stated.family == new.family
    found = change(new, old, stated, sign, points)
    if not found.holds and stated.family == "percent" and new.family == "percent":
        other = change(new, old, stated, sign, not points)  # "提高5%" of a rate may mean points
        if other.holds:
            found, points = other, not points
    word = stated.role_word or ("增长" if sign > 0 else "下降")
    if points:
        unit = "个百分点" if stated.family == "pp" else stated.unit
        formula = f"{shown(new)} − {shown(old)} = {_signed(found, sign)}{unit}"
    else:
        formula = f"({shown(new)} − {shown(old)}) ÷ {shown(old)} = {_signed(found, sign)}%"
    if not found.holds and found.value < 0:
        formula += "（方向与所述相反）"
    claim = f"{view.name_of(new)}{shown(new)}比{shown(old)}{word}{shown(stated)}"
    view.report("change", claim, formula, stated, found, quantity(abs(found.value), stated), [new, old, stated])


def _signed(found: Outcome, sign: float) -> str:
    value = found.value * sign
    return f"{value:,.2f}"
