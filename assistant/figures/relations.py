"""Model an audit finding and recompute one relation (a rate or a sum), noting unit slips, at stated precision."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.figures.derive import format_quantity
from assistant.figures.verify import (
    LocatedFigure,
    ReportFigures,
)
from index.figures import Figure
from index.models import Document

FindingKind = Literal[
    "rate",
    "sum",
    "share",
    "score_sum",
    "budget_adjustment",
    "unit_slip",
    "inconsistent_value",
]
Role = Literal["budget", "spend", "income"]

_ROLE_WORDS: tuple[tuple[str, Role], ...] = (
    ("预算安排", "budget"), ("预算数", "budget"), ("预算", "budget"), ("批复", "budget"), ("拨款", "budget"),
    ("实际支出", "spend"), ("支出", "spend"), ("完成采购金额", "spend"), ("已缴", "spend"), ("请款", "spend"),
    ("收入", "income"),
)  # fmt: skip
_RATE_LABEL = re.compile(r"完成.{0,4}预算|预算完成率|执行率|执行进度|支出率|完成率")
_SHARE_LABEL = re.compile(r"占(?P<whole>.+?)的?$")
_TOTAL_WORDS = ("总", "合计")
_GENERIC_LABELS = frozenset(
    {
        "支出",
        "实际支出",
        "预计支出",
        "预算",
        "年度预算",
        "预算安排",
        "收入",
        "一般公共预算",
        "合计",
        "累计",
        "共",
    }
)
_LABEL_NOISE = re.compile(r"^(?:其中|包括|以及|和|及|共|我部门|我局|本部门|我单位|[①-⑳])+|\d{4}年度?|[“”\"]")
_SENTENCE_END = re.compile(r"[。！？\n]")


@dataclass(frozen=True)
class AuditFinding:
    """One relation of the report, recomputed: holds or not, with formula and discrepancy."""

    claim: str
    formula: str
    stated: str
    computed: str
    holds: bool
    kind: FindingKind
    section: str
    document_id: str = ""
    figures: tuple[Figure, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: claim, formula, stated, computed, holds, kind, section."""
        return {
            "claim": self.claim,
            "formula": self.formula,
            "stated": self.stated,
            "computed": self.computed,
            "holds": self.holds,
            "kind": self.kind,
            "section": self.section,
        }


def role_of(label: str) -> Role | None:
    """Return what a money figure is (budget, spending or income) from the last role word of its label."""
    best: tuple[int, Role] | None = None
    for word, role in _ROLE_WORDS:
        at = label.rfind(word)
        if at != -1 and (best is None or at + len(word) > best[0]):
            best = (at + len(word), role)
    return best[1] if best else None


def _shown(f: Figure) -> str:
    return f"{f.number_text()}{f.unit}"


def _major_magnitude(figures: Iterable[Figure]) -> float:
    counts: dict[float, int] = {}
    for f in figures:
        counts[f.magnitude] = counts.get(f.magnitude, 0) + 1
    return max(counts, key=lambda m: counts[m]) if counts else 1.0


@dataclass
class AuditContext:
    index: ReportFigures
    document: Document
    located: list[LocatedFigure]
    money_magnitude: float
    findings: list[AuditFinding] = field(default_factory=list)
    slips: dict[int, tuple[LocatedFigure, list[str]]] = field(default_factory=dict)

    def section_of(self, f: Figure) -> str:
        return next((x.section for x in self.located if x.figure.start == f.start), "")

    def add(
        self,
        kind: FindingKind,
        claim: str,
        formula: str,
        stated: str,
        computed: str,
        holds: bool,
        figures: Sequence[Figure],
    ) -> None:
        self.findings.append(
            AuditFinding(
                claim,
                formula,
                stated,
                computed,
                holds,
                kind,
                self.section_of(figures[-1]),
                self.document.id,
                tuple(figures),
            )
        )


def _value(f: Figure, ignore_magnitude: bool, magnitude: float) -> tuple[float, float]:
    """Return (value, rounding slack) in base units; with ignore_magnitude, as if in the main magnitude."""
    scale = magnitude if ignore_magnitude else f.magnitude
    return f.value * scale, f.half_ulp / f.magnitude * scale


def _ratio_holds(num: Figure, den: Figure, rate: Figure, ignore: bool, mag: float) -> tuple[bool, float]:
    a, ea = _value(num, ignore, mag)
    b, eb = _value(den, ignore, mag)
    if b - eb <= 0:
        return False, float("inf")
    ratio = a / b * 100.0
    low, high = (a - ea) / (b + eb) * 100.0, (a + ea) / (b - eb) * 100.0
    slack = rate.half_ulp + 1e-9
    return low - slack <= rate.value <= high + slack, ratio


def _sum_holds(parts: Sequence[Figure], total: Figure, ignore: bool, mag: float) -> tuple[bool, float]:
    values = [_value(p, ignore, mag) for p in parts]
    t, et = _value(total, ignore, mag)
    s = sum(v for v, _ in values)
    slack = sum(e for _, e in values) + et + 1e-9 * max(1.0, abs(t))
    return abs(s - t) <= slack, s


def _slip_candidates(figures: Sequence[Figure], mag: float) -> list[Figure]:
    return [f for f in figures if f.family == "money" and f.magnitude != mag]


def _record_slips(ctx: AuditContext, figures: Sequence[Figure], formula: str) -> list[Figure]:
    slipped = _slip_candidates(figures, ctx.money_magnitude)
    for f in slipped:
        located = next(x for x in ctx.located if x.figure.start == f.start)
        ctx.slips.setdefault(f.start, (located, []))[1].append(formula)
    return slipped


def _unit_name(mag: float) -> str:
    return {1.0: "元", 1e4: "万元", 1e8: "亿元", 1e3: "千元"}.get(mag, "元")


def _check_rate(
    ctx: AuditContext,
    num: Figure,
    den: Figure,
    rate: Figure,
    what: str,
    den_text: str = "",
) -> None:
    formula_base = f"{_shown(num)} ÷ {den_text or _shown(den)}"
    holds, ratio = _ratio_holds(num, den, rate, False, ctx.money_magnitude)
    if holds:
        ctx.add(
            "rate",
            f"{what}{rate.label}{_shown(rate)}",
            f"{formula_base} = {ratio:.2f}%",
            _shown(rate),
            f"{ratio:.2f}%",
            True,
            [num, den, rate],
        )
        return
    if num.family == "money" and den.family == "money" and num.magnitude != den.magnitude:
        ok, fixed = _ratio_holds(num, den, rate, True, ctx.money_magnitude)
        if ok:
            unit = _unit_name(ctx.money_magnitude)
            formula = f"{num.number_text()} ÷ {den.number_text()} = {fixed:.2f}%（按{unit}计）"
            _record_slips(ctx, [num, den], formula)
            ctx.add(
                "rate",
                f"{what}{rate.label}{_shown(rate)}（按{unit}计成立）",
                formula,
                _shown(rate),
                f"{fixed:.2f}%",
                True,
                [num, den, rate],
            )
            return
    reverse_ok, _ = _ratio_holds(den, num, rate, False, ctx.money_magnitude)
    extra = f"；{_shown(rate)}恰为{_shown(den)} ÷ {_shown(num)}，疑似预算与支出颠倒或比率算反" if reverse_ok else ""
    ctx.add(
        "rate",
        f"{what}{rate.label}{_shown(rate)}",
        f"{formula_base} = {ratio:.2f}%{extra}",
        _shown(rate),
        f"{ratio:.2f}%",
        False,
        [num, den, rate],
    )


def _check_sum(
    ctx: AuditContext,
    parts: Sequence[Figure],
    total: Figure,
    kind: FindingKind,
    what: str,
) -> None:
    lhs = " + ".join(_shown(p) for p in parts)
    holds, s = _sum_holds(parts, total, False, ctx.money_magnitude)
    computed = format_quantity(s / total.magnitude, total.unit, total.family, max(total.decimals, 0))
    claim = f"{what}{total.label or '合计'}{_shown(total)}等于各分项之和"
    if holds:
        ctx.add(
            kind,
            claim,
            f"{lhs} = {computed}",
            _shown(total),
            computed,
            True,
            [*parts, total],
        )
        return
    if total.family == "money" and len({p.magnitude for p in [*parts, total]}) > 1:
        ok, fixed = _sum_holds(parts, total, True, ctx.money_magnitude)
        if ok:
            unit = _unit_name(ctx.money_magnitude)
            shown = f"{' + '.join(p.number_text() for p in parts)} = {fixed / ctx.money_magnitude:,.2f}（按{unit}计）"
            _record_slips(ctx, [*parts, total], shown)
            ctx.add(
                kind,
                claim + f"（按{unit}计成立）",
                shown,
                _shown(total),
                f"{fixed / ctx.money_magnitude:,.2f}{unit}",
                True,
                [*parts, total],
            )
            return
    diff = format_quantity(
        (s - total.base) / total.magnitude,
        total.unit,
        total.family,
        max(total.decimals, 0),
    )
    ctx.add(
        kind,
        claim,
        f"{lhs} = {computed}（相差{diff}）",
        _shown(total),
        computed,
        False,
        [*parts, total],
    )


def _sentences(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = lo
    for m in _SENTENCE_END.finditer(text, lo, hi):
        spans.append((start, m.end()))
        start = m.end()
    if start < hi:
        spans.append((start, hi))
    return spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def _in(figures: Sequence[Figure], lo: int, hi: int) -> list[Figure]:
    return [f for f in figures if lo <= f.start < hi]
