"""Per-unit amounts: an average is a total over a count, a total is a count times a standard, in one unit.

"共接待50人次，人均接待费用100.00万元" with 0.50万元 spent: 0.50万元 ÷ 50人次 is 100.00元, so the 万元 is a slip.
"服务500万人次，按每人次2.00万元的标准补偿1,000.00万元": 500万 × 2.00元 is 1,000.00万元, a slip again.
And standards stated per the same unit (每人每月) across a report are written in one money unit: one of them a
thousand-fold off in another unit, its number like the others', is written in the wrong unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from assistant.figures.relations import Magnitudes, Outcome, product, quantity, ratio, shown, shown_in, solve, unit_name
from assistant.figures.report_view import ReportView, lexicon
from assistant.figures.rules import register
from assistant.figures.verify import grams
from index.facts import Fact
from index.figures import COUNT_UNITS


def _per(view: ReportView, fact: Fact) -> str:
    """Return the per-unit phrase a money figure is stated with (每人每月, 人均), or ''."""
    if fact.family != "money" or fact.in_table:
        return ""
    clause = view.clause_of(fact)
    before = view.text[clause.start : fact.start]
    best: tuple[int, str] | None = None
    for word in _prefixes():  # longest first: 每人次 before 每人
        at = before.rfind(word)
        if at != -1 and (best is None or at > best[0] or (at == best[0] and len(word) > len(best[1]))):
            best = (at, word)
    if best is None:
        return ""
    at, word = best
    rest = before[at + len(word) :]
    return word + next((p for p in lexicon("per_unit", "period") if rest.startswith(p)), "")


@cache
def _prefixes() -> tuple[str, ...]:
    """The per-unit words: the lexicon's, and 每 before any counter a count is written in (每批次, 每宗)."""
    words = {*lexicon("per_unit", "prefix"), *(f"每{unit}" for unit in COUNT_UNITS if unit not in ("个", "次"))}
    return tuple(sorted(words, key=len, reverse=True))


def _counter(per: str) -> str:
    """Return the counter a per-unit phrase divides by (每人每月 -> 人, 户均 -> 户)."""
    for period in lexicon("per_unit", "period"):
        if per.endswith(period) and len(per) > len(period):
            per = per[: -len(period)]
            break
    if per.endswith("均"):
        return per[:-1]
    return per[1:] if per.startswith("每") else ""


def _counts_match(count: Fact, per: str) -> bool:
    want = _counter(per)
    if not want or count.family not in ("count", "measure"):
        return False
    return count.counter.startswith(want) or count.figure().counter_group == want  # 人均 over 人次 too


@register("per_unit", order=60)
def per_unit(view: ReportView) -> None:
    """Recompute averages and count × standard products, and find a standard stated in the wrong unit."""
    magnitudes = sorted(set(view.money_magnitudes) | {1.0, 1e4}, key=lambda m: m != view.money_magnitude)
    for sentence in view.sentences():
        for i, fact in enumerate(sentence):
            per = _per(view, fact)
            if not per:
                continue
            before = sentence[:i]
            counts = [f for f in before if _counts_match(f, per)]
            totals = [f for f in before if f.family == "money" and not _per(view, f) and f.period == "current"]
            if totals and not counts:
                counts = _counted_before(view, sentence[0], per)  # "抽检2,000批次。…费用300.00万元，平均每批次…"
            after = [f for f in sentence[i + 1 :] if f.family == "money" and not _per(view, f)]
            averaged = counts and totals and (per.endswith("均") or fact.role != "budget")
            if averaged and _average(view, fact, totals, counts[-1], magnitudes):
                continue
            if counts and (totals or after):
                _product(view, fact, (totals or after)[-1] if totals else after[0], counts[-1], magnitudes)
    _standards(view)


def _counted_before(view: ReportView, first: Fact, per: str) -> list[Fact]:
    """Return the count an average divides by when its own sentence states none: the last count of its counter
    stated in the sentences of its paragraph before it (a target aside)."""
    paragraph = view.paragraph_of(first)
    if paragraph is None:
        return []
    earlier = [
        f
        for f in view.facts_in(paragraph.start, first.sentence_start)
        if _counts_match(f, per) and f.period == "current" and f.role in ("count", "actual") and not view.is_target(f)
    ]
    return earlier[-1:]


def _related(a: Fact, b: Fact) -> bool:
    return bool(grams(a.label + a.subject) & grams(b.label + b.subject))


def _average(view: ReportView, per: Fact, totals: Sequence[Fact], count: Fact, magnitudes: Sequence[float]) -> bool:
    spent = [f for f in totals if f.role == "spending"] or list(totals)
    whole = spent[-1]

    def outcome(m: Magnitudes) -> Outcome:
        return ratio(whole, count, per, scale=1.0, magnitudes=m)

    found, slipped, magnitude = solve(outcome, [per], magnitudes)
    if not found.holds and not (_related(whole, per) and 0.5 <= found.value / per.value <= 2):
        return False
    m = {slipped.id: magnitude} if slipped is not None and magnitude is not None else {}
    shown_per = quantity(found.value, per) if not m else f"{found.value:,.{per.decimals}f}{unit_name(m[per.id])}"
    formula = f"{shown(whole)} ÷ {shown(count)} = {shown_per}"
    claim = f"{per.label}{shown_in(per, {})}等于{shown(whole)}除以{shown(count)}"
    view.report("per_unit", claim, formula, per, found, shown_per, [whole, count, per], slipped, magnitude)
    return True


def _product(view: ReportView, per: Fact, whole: Fact, count: Fact, magnitudes: Sequence[float]) -> None:
    def outcome(m: Magnitudes) -> Outcome:
        return product(count, per, whole, m)

    found, slipped, magnitude = solve(outcome, [per], magnitudes)
    if not found.holds and not (0.5 <= found.value / whole.value <= 2):
        return
    m = {slipped.id: magnitude} if slipped is not None and magnitude is not None else {}
    formula = f"{shown(count)} × {shown_in(per, m)}/{_counter(_per(view, per))} = {quantity(found.value, whole, m)}"
    claim = f"{whole.label}{shown(whole)}等于{shown(count)}乘以标准{shown(per)}"
    view.report(
        "per_unit",
        claim,
        formula,
        whole,
        found,
        quantity(found.value, whole, m),
        [count, per, whole],
        slipped,
        magnitude,
    )


def _standards(view: ReportView) -> None:
    """Find a per-unit standard stated a thousand-fold off the others of the same unit (1,840万元 among 元)."""
    groups: dict[str, list[Fact]] = {}
    for fact in view.facts:
        per = _per(view, fact)
        if per and not per.endswith("均"):
            groups.setdefault(per, []).append(fact)
    for per, members in groups.items():
        counts: dict[float, int] = {}
        for f in members:
            counts[f.magnitude] = counts.get(f.magnitude, 0) + 1
        usual = max(counts, key=lambda m: counts[m])
        alike = [f for f in members if f.magnitude == usual]
        if len(alike) < 3:
            continue
        low, high = min(f.value for f in alike), max(f.value for f in alike)
        for odd in (f for f in members if f.magnitude != usual):
            far = odd.base >= 100 * high * usual or odd.base * 100 <= low * usual
            if far and low / 10 <= odd.value <= high * 10 and odd.id not in view.slips:
                others = "、".join(dict.fromkeys(shown(f) for f in alike))
                view.slip(odd, usual, f"同为{per}的标准：{others}；{shown(odd)}数额与之相当而单位为{odd.unit}")
