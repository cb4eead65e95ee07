"""Compute derived figures (difference, sum, ratio, share, remaining, average, implied target) with their formulas."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

from index.figures import (
    Figure,
    format_number,
    parse_figures,
    unit_compatible,
)

DeriveKind = Literal[
    "difference",
    "sum",
    "ratio",
    "share",
    "remaining",
    "average",
    "implied_target",
    "product",
]

_KIND_NAMES: dict[str, str] = {
    "difference": "差额",
    "sum": "合计",
    "ratio": "比率",
    "share": "占比",
    "remaining": "结余",
    "average": "平均",
    "implied_target": "推算目标",
    "product": "乘积",
}


@dataclass(frozen=True)
class Derived:
    """A figure computed from other figures: its value, the formatted figure and the formula."""

    kind: DeriveKind
    value: float
    unit: str
    text: str
    formula: str
    operands: tuple[Figure, ...]

    @property
    def name(self) -> str:
        return _KIND_NAMES[self.kind]


def quantity(value: float | str, unit: str = "") -> Figure:
    """Build a figure from a value and a unit, e.g. quantity(21766.40, "万元") or quantity("87.19%").

    >>> quantity(21766.4, "万元").base
    217664000.0
    """
    if isinstance(value, str):
        text = value
    elif float(value).is_integer():
        text = f"{value:.0f}"
    else:
        text = f"{value:.10g}"
        if len(text.split(".")[-1]) < 2:
            text = f"{value:.2f}"
    found = parse_figures(f"{text}{unit}")
    if not found:
        raise ValueError(f"无法识别的数值：{text}{unit}")
    return found[0]


def _in_unit_of(figure: Figure, reference: Figure) -> float:
    """Return a figure's value expressed in the stated unit (magnitude) of another."""
    if figure.family == "plain":
        return figure.value
    return figure.base / reference.magnitude


def format_quantity(value: float, unit: str, family: str, decimals: int | None = None) -> str:
    """Format a value in a stated unit the way reports print it: 2,788.44万元, 87.19%, 1,795座.

    >>> format_quantity(2788.4412, "万元", "money"), format_quantity(96.4290, "%", "percent")
    ('2,788.44万元', '96.43%')
    """
    if decimals is None:
        decimals = 0 if family in ("count", "duration") and abs(value - round(value)) < 1e-9 else 2
    return f"{format_number(value, decimals)}{unit}"


def _shown(figure: Figure) -> str:
    return f"{figure.number_text()}{figure.unit}"


def _result(
    kind: DeriveKind,
    value: float,
    unit: str,
    family: str,
    formula_lhs: str,
    operands: Sequence[Figure],
    decimals: int | None = None,
) -> Derived:
    text = format_quantity(value, unit, family, decimals)
    shown_decimals = len(text.split(".")[1].rstrip(unit)) if "." in text else 0
    exact = abs(round(value, shown_decimals) - value) < 1e-9
    formula = f"{formula_lhs} {'=' if exact else '≈'} {text}"
    return Derived(
        kind=kind,
        value=value,
        unit=unit,
        text=text,
        formula=formula,
        operands=tuple(operands),
    )


def derive(kind: DeriveKind, *operands: Figure, decimals: int | None = None) -> Derived:
    """Compute a derived figure from report figures.

    difference(a, b) = a − b; sum(a, b, …); ratio(a, b) = a ÷ b as %; share(part, total) as %;
    remaining(budget, spent) = budget − spent; average(a, b, …); implied_target(value, rate) = value ÷ rate;
    product(value, rate) = value × rate.

    >>> derive("difference", quantity(21766.40, "万元"), quantity("18,977.96万元")).formula
    '21,766.40万元 − 18,977.96万元 = 2,788.44万元'
    """
    if not operands:
        raise ValueError("至少需要一个数值")
    first = operands[0]
    if kind in ("difference", "remaining"):
        a, b = _two(operands)
        value = _in_unit_of(a, a) - _in_unit_of(b, a)
        return _result(
            kind,
            value,
            a.unit,
            a.family,
            f"{_shown(a)} − {_shown(b)}",
            operands,
            decimals,
        )
    if kind in ("sum", "average"):
        total = sum(_in_unit_of(f, first) for f in operands)
        lhs = " + ".join(_shown(f) for f in operands)
        if kind == "sum":
            return _result(kind, total, first.unit, first.family, lhs, operands, decimals)
        return _result(
            kind,
            total / len(operands),
            first.unit,
            first.family,
            f"({lhs}) ÷ {len(operands)}",
            operands,
            decimals,
        )
    if kind in ("ratio", "share"):
        a, b = _two(operands)
        if b.base == 0:
            raise ValueError("除数为零")
        value = a.base / b.base * 100.0 if a.family != "plain" and b.family != "plain" else a.value / b.value * 100
        return _result(
            kind,
            value,
            "%",
            "percent",
            f"{_shown(a)} ÷ {_shown(b)}",
            operands,
            2 if decimals is None else decimals,
        )
    if kind in ("implied_target", "product"):
        a, rate = _two(operands)
        factor = rate.value / 100.0 if rate.family in ("percent", "plain") else rate.value
        if kind == "implied_target":
            if factor == 0:
                raise ValueError("除数为零")
            value = a.value / factor
            sign = "÷"
        else:
            value = a.value * factor
            sign = "×"
        return _result(
            kind,
            value,
            a.unit,
            a.family,
            f"{_shown(a)} {sign} {_shown(rate)}",
            operands,
            decimals,
        )
    raise ValueError(f"未知的计算类型：{kind}")


def _two(operands: Sequence[Figure]) -> tuple[Figure, Figure]:
    if len(operands) != 2:
        raise ValueError("需要两个数值")
    return operands[0], operands[1]


def _tolerance(target: Figure, value: float, errors: float) -> float:
    return target.half_ulp / target.magnitude + errors + 1e-9 * max(1.0, abs(value))


def find_derivation(target: Figure, pool: Sequence[Figure], max_pool: int = 24) -> Derived | None:
    """Find a way to compute `target` from figures in `pool` (sum, difference, ratio, implied target …).

    Operands are tried in pool order, so put the figures of the text itself first.
    """
    operands = _dedupe([f for f in pool if f.start != target.start or f.end != target.end])[:max_pool]
    if target.family == "percent":
        return _find_percent(target, operands)
    if target.family in ("pp",):
        return _find_pp(target, operands)
    return _find_amount(target, operands)


def _dedupe(pool: Sequence[Figure]) -> list[Figure]:
    seen: set[tuple[str, float]] = set()
    out: list[Figure] = []
    for figure in pool:
        key = (figure.family, round(figure.base, 6))
        if key not in seen:
            seen.add(key)
            out.append(figure)
    return out


def _err(f: Figure, ref: Figure) -> float:
    """Return the slack an operand contributes: none, since derived figures are computed from stated values."""
    return 0.0


def _find_amount(target: Figure, pool: list[Figure]) -> Derived | None:
    same = [f for f in pool if f.family not in ("percent", "pp") and unit_compatible(f, target) and f.base != 0]
    goal = target.value
    found: list[tuple[float, Derived]] = []

    def consider(computed: float, err: float, make: Callable[[], Derived]) -> None:
        if abs(computed - goal) <= _tolerance(target, goal, err):
            found.append((abs(computed - goal), _as(target, make(), computed)))

    for a, b in itertools.permutations(same, 2):
        va, vb = _in_unit_of(a, target), _in_unit_of(b, target)
        err = _err(a, target) + _err(b, target)
        consider(va + vb, err, partial(derive, "sum", a, b))
        if va > vb:
            consider(va - vb, err, partial(derive, "difference", a, b))
    if found:
        return min(found, key=lambda item: item[0])[1]
    own = [f for f in same if f.family != "plain"][:8]
    for size in (3, 4):
        for combo in itertools.combinations(own, size):
            total = sum(_in_unit_of(f, target) for f in combo)
            err = sum(_err(f, target) for f in combo)
            consider(total, err, partial(derive, "sum", *combo))
            consider(total / size, err / size, partial(derive, "average", *combo))
    rates = [f for f in pool if f.family == "percent" and f.value not in (0.0, 100.0)]
    for a in same:
        va = _in_unit_of(a, target)
        for rate in rates:
            implied = va / (rate.value / 100.0)
            err = implied * (_err(a, target) / max(abs(va), 1e-12) + rate.half_ulp / rate.value)
            consider(implied, err, partial(derive, "implied_target", a, rate))
            consider(
                va * rate.value / 100.0,
                _err(a, target),
                partial(derive, "product", a, rate),
            )
    return min(found, key=lambda item: item[0])[1] if found else None


def _find_percent(target: Figure, pool: list[Figure]) -> Derived | None:
    amounts = [f for f in pool if f.family not in ("percent", "pp")]
    goal = target.value
    for a, b in itertools.permutations(amounts, 2):
        if not unit_compatible(a, b) or b.base == 0:
            continue
        ratio = _ratio(a, b)
        rel = _err(a, a) / max(abs(_in_unit_of(a, a)), 1e-12) + _err(b, b) / max(abs(_in_unit_of(b, b)), 1e-12)
        if abs(ratio - goal) <= _tolerance(target, goal, abs(ratio) * rel):
            return _as(target, derive("ratio", a, b), ratio)
    rates = [f for f in pool if f.family == "percent"]
    for rate in rates:
        if abs(100.0 - rate.value - goal) <= _tolerance(target, goal, rate.half_ulp):
            hundred = quantity("100%")
            return _as(target, derive("difference", hundred, rate), 100.0 - rate.value)
    return None


def _find_pp(target: Figure, pool: list[Figure]) -> Derived | None:
    rates = [f for f in pool if f.family == "percent"]
    for a, b in itertools.permutations(rates, 2):
        if abs(a.value - b.value - target.value) <= _tolerance(target, target.value, a.half_ulp + b.half_ulp):
            return _as(target, derive("difference", a, b), a.value - b.value)
    return None


def _ratio(a: Figure, b: Figure) -> float:
    if a.family == "plain" or b.family == "plain":
        return a.value / b.value * 100.0
    return a.base / b.base * 100.0


def _as(target: Figure, found: Derived, computed: float) -> Derived:
    """Restate a found derivation at the target's precision and unit; `computed` is in the target's unit."""
    text = f"{target.number_text()}{target.unit}"
    lhs = found.formula.split(" = ")[0].split(" ≈ ")[0]
    exact = abs(computed - target.value) <= 1e-9 * max(1.0, abs(computed))
    shown = format_quantity(computed, target.unit, target.family, max(target.decimals, 2))
    if exact:
        formula = f"{lhs} = {text}"
    elif shown == text:
        formula = f"{lhs} ≈ {text}"
    else:
        formula = f"{lhs} = {shown} ≈ {text}"
    return Derived(
        kind=found.kind,
        value=computed,
        unit=target.unit,
        text=text,
        formula=formula,
        operands=found.operands,
    )
