"""Model an audit finding and recompute one relation (a ratio, a sum, a difference, a product) at stated precision.

Every operand is a fact as the report writes it: its value counts to the precision it is stated with, so a
relation is *exact* when the stated result is the computed one at its stated precision, *rounding* when the
difference is within what rounding the operands allows (worth a 提示, not an alarm), and *off* otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from index.facts import Fact
from index.figures import Figure, format_number

FindingKind = Literal[
    "rate",
    "sum",
    "share",
    "score_sum",
    "score_weight",
    "budget_adjustment",
    "unit_slip",
    "inconsistent_value",
    "count",
    "change",
    "per_unit",
    "average",
    "outline",
]
Severity = Literal["成立", "提示", "不一致"]
Verdict = Literal["exact", "rounding", "off"]
Magnitudes = Mapping[int, float]  # fact id -> the magnitude a relation reads it in (a unit slip corrected)

_EPS = 1e-9


@dataclass(frozen=True)
class AuditFinding:
    """One relation of the report, recomputed: holds or not, with formula and discrepancy.

    `severity` is 不一致 for a relation that fails (a reviewer must look), 提示 for one that holds only within
    the rounding of its figures (shown when asked), 成立 otherwise.
    """

    claim: str
    formula: str
    stated: str
    computed: str
    holds: bool
    kind: FindingKind
    section: str
    document_id: str = ""
    figures: tuple[Figure, ...] = field(default=(), compare=False)
    severity: Severity | Literal[""] = ""

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", "成立" if self.holds else "不一致")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: claim, formula, stated, computed, holds, kind, section (`report-assistant audit`)."""
        return {
            "claim": self.claim,
            "formula": self.formula,
            "stated": self.stated,
            "computed": self.computed,
            "holds": self.holds,
            "kind": self.kind,
            "section": self.section,
        }


@dataclass(frozen=True)
class Outcome:
    """A relation recomputed: the verdict and the computed value, in the unit of the stated figure."""

    verdict: Verdict
    value: float

    @property
    def holds(self) -> bool:
        return self.verdict != "off"


_EXACT_FAMILIES = frozenset({"count", "score"})  # items counted and points given are exact, not rounded


def amount(fact: Fact, magnitudes: Magnitudes | None = None) -> tuple[float, float]:
    """Return a fact's value and half a unit of its last stated digit, in base units (元 for money).

    Counts and scores are exact: their rounding slack is nil.
    """
    magnitude = (magnitudes or {}).get(fact.id, fact.magnitude)
    if fact.family in _EXACT_FAMILIES:
        return fact.value * magnitude, 0.0
    return fact.value * magnitude, 0.5 * 10.0 ** (-fact.decimals) * magnitude


def _judge(computed: float, low: float, high: float, stated: float, slack: float) -> Verdict:
    if abs(computed - stated) <= slack + _EPS * max(1.0, abs(stated)):
        return "exact"
    if low - slack - _EPS * max(1.0, abs(stated)) <= stated <= high + slack + _EPS * max(1.0, abs(stated)):
        return "rounding"
    return "off"


def ratio(
    num: Fact,
    den: Fact | Sequence[Fact],
    stated: Fact,
    scale: float = 100.0,
    magnitudes: Magnitudes | None = None,
) -> Outcome:
    """Recompute stated = num ÷ den × scale (a rate in % with scale 100, a per-unit amount with scale 1).

    A denominator given as several facts is their sum (年初预算 + 年中调整).
    """
    a, ea = amount(num, magnitudes)
    dens = [den] if isinstance(den, Fact) else list(den)
    b = sum(amount(d, magnitudes)[0] for d in dens)
    eb = sum(amount(d, magnitudes)[1] for d in dens)
    p, h = amount(stated, magnitudes)
    magnitude = (magnitudes or {}).get(stated.id, stated.magnitude)
    if b - eb <= 0:
        return Outcome("off", float("inf"))
    computed = a / b * scale
    low, high = (a - ea) / (b + eb) * scale, (a + ea) / (b - eb) * scale
    verdict = _judge(computed, low, high, p, h)
    if verdict == "off" and abs(computed - p) <= 2 * h + _EPS:
        verdict = "rounding"  # a rate truncated rather than rounded
    return Outcome(verdict, computed / magnitude)


def total(
    parts: Sequence[Fact], whole: Fact, magnitudes: Magnitudes | None = None, signs: Sequence[float] = ()
) -> Outcome:
    """Recompute whole = Σ parts.

    Exact when the stated whole is the sum at its stated precision; within rounding when it misses by no more
    than one unit of the coarsest last digit among the figures (parts rounded one by one, 18,977.95 for
    18,977.96); off otherwise. `signs` gives −1 for a part that is taken away (a budget cut).
    """
    values = [amount(p, magnitudes) for p in parts]
    if signs:
        values = [(v * sign, e) for (v, e), sign in zip(values, signs, strict=True)]
    t, et = amount(whole, magnitudes)
    magnitude = (magnitudes or {}).get(whole.id, whole.magnitude)
    s = sum(v for v, _ in values)
    unit = 2 * max([et, *(e for _, e in values)])
    band = max(unit - et, 0.0)
    return Outcome(_judge(s, s - band, s + band, t, et), s / magnitude)


def mean(parts: Sequence[Fact], whole: Fact) -> Outcome:
    """Recompute whole = the mean of parts."""
    values = [amount(p) for p in parts]
    t, _ = amount(whole)
    et = 0.5 * 10.0 ** (-whole.decimals) * whole.magnitude  # a mean is rounded to the digits it is stated with
    s = sum(v for v, _ in values) / len(values)
    band = max(2 * max([et, *(e for _, e in values)]) - et, 0.0)
    return Outcome(_judge(s, s - band, s + band, t, et), s / whole.magnitude)


def product(a: Fact, b: Fact, whole: Fact, magnitudes: Magnitudes | None = None) -> Outcome:
    """Recompute whole = a × b (a count times a per-unit amount)."""
    x, ex = amount(a, magnitudes)
    y, ey = amount(b, magnitudes)
    t, et = amount(whole, magnitudes)
    magnitude = (magnitudes or {}).get(whole.id, whole.magnitude)
    computed = x * y
    low, high = (x - ex) * (y - ey), (x + ex) * (y + ey)
    return Outcome(_judge(computed, low, high, t, et), computed / magnitude)


def change(new: Fact, old: Fact, stated: Fact, sign: float, points: bool) -> Outcome:
    """Recompute a change from old to new: in percent of old, or in points or units when `points`."""
    a, ea = amount(new)
    b, eb = amount(old)
    p, h = amount(stated)
    if points:
        computed = (a - b) * sign
        low, high = (a - ea - b - eb) * sign, (a + ea - b + eb) * sign
    else:
        if b - eb <= 0:
            return Outcome("off", float("inf"))
        computed = (a - b) / b * 100.0 * sign
        lo, hi = ((a - ea) - (b + eb)) / (b + eb) * 100.0, ((a + ea) - (b - eb)) / (b - eb) * 100.0
        low, high = (lo, hi) if sign > 0 else (-hi, -lo)
    return Outcome(_judge(computed, min(low, high), max(low, high), p, h), computed / stated.magnitude)


def solve(
    outcome: Callable[[Magnitudes], Outcome],
    suspects: Sequence[Fact],
    magnitudes: Sequence[float],
) -> tuple[Outcome, Fact | None, float | None]:
    """Recompute a relation; when it is off, try reading one suspect money figure in another unit (元 for 万元).

    Return the outcome and, when a unit correction makes the relation hold, the figure and its magnitude.
    """
    found = outcome({})
    if found.holds:
        return found, None, None
    for fact in suspects:
        if fact.family != "money":
            continue
        for magnitude in magnitudes:
            if magnitude == fact.magnitude:
                continue
            fixed = outcome({fact.id: magnitude})
            if fixed.holds:
                return fixed, fact, magnitude
    return found, None, None


UNIT_NAMES = {1.0: "元", 1e3: "千元", 1e4: "万元", 1e8: "亿元"}


def unit_name(magnitude: float) -> str:
    """Return the money unit of a magnitude (1e4 -> 万元)."""
    return UNIT_NAMES.get(magnitude, "元")


def shown(fact: Fact) -> str:
    """Return a fact as the report writes it: number and unit (18,977.96万元)."""
    return f"{format_number(fact.value, fact.decimals)}{fact.unit}"


def shown_in(fact: Fact, magnitudes: Magnitudes) -> str:
    """Return a fact with the unit a relation reads it in (a corrected unit slip shows the corrected unit)."""
    magnitude = magnitudes.get(fact.id)
    if magnitude is None or magnitude == fact.magnitude or fact.family != "money":
        return shown(fact)
    return f"{format_number(fact.value, fact.decimals)}{unit_name(magnitude)}"


def quantity(value: float, like: Fact, magnitudes: Magnitudes | None = None) -> str:
    """Return a computed value written like a fact (its unit, its decimals, at least two for a rate); in the
    corrected unit when the relation reads the fact in another one."""
    decimals = max(like.decimals, 2) if like.family == "percent" else like.decimals
    magnitude = (magnitudes or {}).get(like.id)
    unit = unit_name(magnitude) if magnitude is not None and like.family == "money" else like.unit
    return f"{format_number(value, decimals)}{unit}"


def difference(outcome: Outcome, stated: Fact) -> str:
    """Return how far a computed value is from the stated one, written in the stated unit."""
    return f"{format_number(outcome.value - stated.value, stated.decimals)}{stated.unit}"
