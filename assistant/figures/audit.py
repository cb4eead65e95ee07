"""Audit a report's own arithmetic: rates, sums, shares, scores, budget adjustments, unit slips, inconsistent values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.figures.derive import format_quantity
from assistant.figures.parse import Figure, parse_figures
from assistant.figures.verify import LocatedFigure, ReportFigures, report_figures, similarity, value_matches, _grams
from index.models import Document, Passage

FindingKind = Literal["rate", "sum", "share", "score_sum", "budget_adjustment", "unit_slip", "inconsistent_value"]
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
    {"支出", "实际支出", "预计支出", "预算", "年度预算", "预算安排", "收入", "一般公共预算", "合计", "累计", "共"}
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
class _Context:
    index: ReportFigures
    document: Document
    located: list[LocatedFigure]
    money_magnitude: float
    findings: list[AuditFinding] = field(default_factory=list)
    slips: dict[int, tuple[LocatedFigure, list[str]]] = field(default_factory=dict)

    def section_of(self, f: Figure) -> str:
        return next((x.section for x in self.located if x.figure.start == f.start), "")

    def add(self, kind: FindingKind, claim: str, formula: str, stated: str, computed: str, holds: bool,
            figures: Sequence[Figure]) -> None:
        self.findings.append(
            AuditFinding(claim, formula, stated, computed, holds, kind, self.section_of(figures[-1]),
                         self.document.id, tuple(figures))
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


def _record_slips(ctx: _Context, figures: Sequence[Figure], formula: str) -> list[Figure]:
    slipped = _slip_candidates(figures, ctx.money_magnitude)
    for f in slipped:
        located = next(x for x in ctx.located if x.figure.start == f.start)
        ctx.slips.setdefault(f.start, (located, []))[1].append(formula)
    return slipped


def _unit_name(mag: float) -> str:
    return {1.0: "元", 1e4: "万元", 1e8: "亿元", 1e3: "千元"}.get(mag, "元")


def _check_rate(ctx: _Context, num: Figure, den: Figure, rate: Figure, what: str, den_text: str = "") -> None:
    formula_base = f"{_shown(num)} ÷ {den_text or _shown(den)}"
    holds, ratio = _ratio_holds(num, den, rate, False, ctx.money_magnitude)
    if holds:
        ctx.add("rate", f"{what}{rate.label}{_shown(rate)}", f"{formula_base} = {ratio:.2f}%", _shown(rate),
                f"{ratio:.2f}%", True, [num, den, rate])
        return
    if num.family == "money" and den.family == "money" and num.magnitude != den.magnitude:
        ok, fixed = _ratio_holds(num, den, rate, True, ctx.money_magnitude)
        if ok:
            unit = _unit_name(ctx.money_magnitude)
            formula = f"{num.number_text()} ÷ {den.number_text()} = {fixed:.2f}%（按{unit}计）"
            _record_slips(ctx, [num, den], formula)
            ctx.add("rate", f"{what}{rate.label}{_shown(rate)}（按{unit}计成立）", formula, _shown(rate),
                    f"{fixed:.2f}%", True, [num, den, rate])
            return
    reverse_ok, reverse = _ratio_holds(den, num, rate, False, ctx.money_magnitude)
    extra = f"；{_shown(rate)}恰为{_shown(den)} ÷ {_shown(num)}，疑似预算与支出颠倒或比率算反" if reverse_ok else ""
    ctx.add("rate", f"{what}{rate.label}{_shown(rate)}", f"{formula_base} = {ratio:.2f}%{extra}", _shown(rate),
            f"{ratio:.2f}%", False, [num, den, rate])


def _check_sum(ctx: _Context, parts: Sequence[Figure], total: Figure, kind: FindingKind, what: str) -> None:
    lhs = " + ".join(_shown(p) for p in parts)
    holds, s = _sum_holds(parts, total, False, ctx.money_magnitude)
    computed = format_quantity(s / total.magnitude, total.unit, total.family, max(total.decimals, 0))
    claim = f"{what}{total.label or '合计'}{_shown(total)}等于各分项之和"
    if holds:
        ctx.add(kind, claim, f"{lhs} = {computed}", _shown(total), computed, True, [*parts, total])
        return
    if total.family == "money" and len({p.magnitude for p in [*parts, total]}) > 1:
        ok, fixed = _sum_holds(parts, total, True, ctx.money_magnitude)
        if ok:
            unit = _unit_name(ctx.money_magnitude)
            shown = f"{' + '.join(p.number_text() for p in parts)} = {fixed / ctx.money_magnitude:,.2f}（按{unit}计）"
            _record_slips(ctx, [*parts, total], shown)
            ctx.add(kind, claim + f"（按{unit}计成立）", shown, _shown(total), f"{fixed / ctx.money_magnitude:,.2f}{unit}",
                    True, [*parts, total])
            return
    diff = format_quantity((s - total.base) / total.magnitude, total.unit, total.family, max(total.decimals, 0))
    ctx.add(kind, claim, f"{lhs} = {computed}（相差{diff}）", _shown(total), computed, False, [*parts, total])


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


def _rates(ctx: _Context, figures: list[Figure], text: str) -> None:
    for lo, hi in _sentences(text, 0, len(text)):
        segment_start = lo
        for f in _in(figures, lo, hi):
            if f.family != "percent" or not _RATE_LABEL.search(f.label):
                continue
            before = [g for g in _in(figures, segment_start, f.start) if g.family == "money"]
            segment_start = f.end
            dens = [g for g in before if role_of(g.label) == "budget" or "预算" in g.label]
            nums = [g for g in before if role_of(g.label) in ("spend", "income") and g not in dens]
            if nums and dens:
                _check_rate(ctx, nums[-1], dens[-1], f, "")
            elif nums:
                found = _implied_denominator(ctx, nums[-1], f, figures)
                if found is not None:
                    _check_rate(ctx, nums[-1], found[0], f, "", found[1])


def _implied_denominator(
    ctx: _Context, num: Figure, rate: Figure, figures: list[Figure]
) -> tuple[Figure, str] | None:
    """Find the budget a rate is taken of when its sentence names only the spending (初始预算+调整, 全年预算…)."""
    section = ctx.section_of(rate)
    pairs = _adjustment_pairs(ctx, figures)
    for initial, adjust, total in pairs:
        if ctx.section_of(initial) == section and _ratio_holds(num, total, rate, False, 1.0)[0]:
            return total, f"({_shown(initial)} + {_shown(adjust)})"
    for g in figures:
        if g.family == "money" and role_of(g.label) == "budget" and g.start != num.start:
            if _ratio_holds(num, g, rate, False, 1.0)[0]:
                return g, ""
    return None


def _adjustment_pairs(ctx: _Context, figures: list[Figure]) -> list[tuple[Figure, Figure, Figure]]:
    """Return (initial budget, adjustment, synthetic total) for 年初预算 followed by 年中调整."""
    out: list[tuple[Figure, Figure, Figure]] = []
    money = [f for f in figures if f.family == "money"]
    for i, initial in enumerate(money):
        if "年初" not in initial.label or not re.search(r"预算|批复", initial.label):
            continue
        for adjust in money[i + 1 : i + 8]:
            if "调整" in adjust.label or "调增" in adjust.label or "调减" in adjust.label:
                sign = -1.0 if re.search(r"减少|调减|核减", adjust.label) else 1.0
                value = (initial.base + sign * adjust.base) / initial.magnitude
                total = parse_figures(f"{value:.{max(initial.decimals, adjust.decimals)}f}{initial.unit}")[0]
                out.append((initial, adjust, total))
                break
    return out


def _budget_adjustments(ctx: _Context, figures: list[Figure]) -> None:
    for initial, adjust, total in _adjustment_pairs(ctx, figures):
        budgets = [g for g in figures if g.family == "money" and role_of(g.label) == "budget" and g.start > adjust.end
                   and "调整" not in g.label]
        named = [g for g in budgets if re.search(r"全年|调整后|年度预算|预算数|预算总", g.label)]
        if not named:
            named = [g for g in figures if g.family == "money" and re.search(r"全年预算|调整后|预算总收入", g.label)]
        sign = "−" if adjust.base < 0 or re.search(r"减少|调减|核减", adjust.label) else "+"
        formula = f"{_shown(initial)} {sign} {_shown(adjust)} = {_shown(total)}"
        match = next((g for g in named if value_matches(total, g)), None)
        if match is not None:
            ctx.add("budget_adjustment", f"年初预算加年中调整等于{match.label}{_shown(match)}",
                    formula, _shown(match), _shown(total), True, [initial, adjust, match])
        elif named:
            g = named[0]
            ctx.add("budget_adjustment", f"年初预算加年中调整等于{g.label}{_shown(g)}",
                    formula, _shown(g), _shown(total), False, [initial, adjust, g])


def _group_by_role(figures: Sequence[Figure]) -> dict[Role | None, list[Figure]]:
    groups: dict[Role | None, list[Figure]] = {}
    for f in figures:
        groups.setdefault(role_of(f.label), []).append(f)
    return groups


def _breakdown(ctx: _Context, pre: Sequence[Figure], post: Sequence[Figure], what: str) -> None:
    """Check that the parts listed after 其中/包括 add up to the figure(s) before it, role by role."""
    for family in ("money", "count"):
        totals = [f for f in pre if f.family == family]
        parts = [f for f in post if f.family == family]
        if not totals or len(parts) < 2:
            continue
        if len(totals) == 1:
            if all(unit_ok(p, totals[0]) for p in parts):
                _check_sum(ctx, parts, totals[0], "sum", what)
            continue
        by_role_total = _group_by_role(totals)
        by_role_parts = _group_by_role(parts)
        for role, role_parts in by_role_parts.items():
            if role is None or role not in by_role_total or len(role_parts) < 2:
                continue
            _check_sum(ctx, role_parts, by_role_total[role][-1], "sum", what)


def unit_ok(part: Figure, total: Figure) -> bool:
    return part.family == total.family and (part.family != "count" or part.counter_group == total.counter_group)


def _breakdowns(ctx: _Context, figures: list[Figure], text: str) -> None:
    sentences = _sentences(text, 0, len(text))
    for m in re.finditer(r"其中|包括", text):
        k = m.start()
        idx = next(i for i, (lo, hi) in enumerate(sentences) if lo <= k < hi)
        lo, hi = sentences[idx]
        pre = _in(figures, lo, k)
        if not text[lo:k].strip() and idx > 0:
            pre = _in(figures, *sentences[idx - 1])
        post: list[Figure] = []
        for f in _in(figures, m.end(), hi):
            if any(w in f.label for w in _TOTAL_WORDS) or re.search(r"其中|包括", text[m.end() : f.start]):
                break
            if f.family in ("money", "count"):
                post.append(f)
        _breakdown(ctx, pre, post, "")
    # "38个关键性三级指标中，20个数量指标、9个质量指标…": a count followed by "…中，" and its parts.
    for f in figures:
        if f.family != "count":
            continue
        tail = re.match(r"[^，。；、\n]{0,16}中[，,：:]", text[f.end :])
        if not tail:
            continue
        stop = _SENTENCE_END.search(text, f.end)
        end = stop.start() if stop else len(text)
        parts = []
        for g in _in(figures, f.end + tail.end(), end):
            if g.family != "count" or g.counter_group != f.counter_group:
                break
            parts.append(g)
        if len(parts) >= 2:
            _check_sum(ctx, parts, f, "sum", "")


def _marker_kind(paragraph: str) -> str | None:
    from index.structure import marker_of

    found = marker_of(paragraph)
    return found[0] if found else None


def _enumerations(ctx: _Context, figures: list[Figure], text: str) -> None:
    """Check that numbered sub-items (（1）（2）, ①②③) add up to the paragraph that introduces them."""
    paragraphs = _paragraphs(text)
    kinds = [_marker_kind(text[lo:hi]) for lo, hi in paragraphs]
    rank = {"num": 1, "paren_num": 2, "circled": 3}
    for i in range(1, len(paragraphs)):
        kind = kinds[i]
        if kind not in rank:
            continue
        back = i - 1
        while back >= 0 and rank.get(kinds[back] or "", 0) > rank[kind]:
            back -= 1
        if back < 0 or kinds[back] == kind or back != i - 1:
            continue
        intro = paragraphs[i - 1]
        siblings = [i]
        for j in range(i + 1, len(paragraphs)):
            if kinds[j] == kind:
                siblings.append(j)
            elif kinds[j] is None or rank.get(kinds[j] or "", 0) <= rank[kind]:
                break
        if len(siblings) < 2:
            continue
        intro_roles = _first_by_role(_in(figures, *intro))
        child_roles = [_first_by_role(_in(figures, *paragraphs[s])) for s in siblings]
        for role, total in intro_roles.items():
            parts = [c[role] for c in child_roles if role in c]
            if len(parts) == len(siblings):
                _check_sum(ctx, parts, total, "sum", "")


def _first_by_role(figures: Sequence[Figure]) -> dict[Role, Figure]:
    out: dict[Role, Figure] = {}
    for f in figures:
        role = role_of(f.label) if f.family == "money" else None
        if role is not None and role not in out:
            out[role] = f
    return out


def _shares(ctx: _Context, figures: list[Figure], text: str) -> None:
    groups: dict[tuple[str, str], list[tuple[Figure, Figure, Figure]]] = {}
    for lo, hi in _sentences(text, 0, len(text)):
        sentence_figs = _in(figures, lo, hi)
        for f in sentence_figs:
            m = _SHARE_LABEL.search(f.label) if f.family == "percent" else None
            if not m:
                continue
            before = [g for g in sentence_figs if g.end <= f.start and g.family == "money"]
            spent = [g for g in before if role_of(g.label) == "spend"] or before
            if not spent:
                continue
            part = spent[-1]
            whole = re.sub(r"总额|总数|总量|合计", "", m.group("whole"))
            total = _share_total(ctx, figures, part, f, whole, lo)
            if total is None:
                continue
            holds, ratio = _ratio_holds(part, total, f, False, ctx.money_magnitude)
            ctx.add("share", f"{part.label}{_shown(part)}占{m.group('whole')}的{_shown(f)}",
                    f"{_shown(part)} ÷ {_shown(total)} = {ratio:.2f}%", _shown(f), f"{ratio:.2f}%", holds,
                    [part, total, f])
            groups.setdefault((ctx.section_of(f), whole), []).append((part, total, f))
    for (_, whole), members in groups.items():
        totals = {m[1].start for m in members}
        share_sum = sum(m[2].value for m in members)
        slack = sum(m[2].half_ulp for m in members) + 1e-9
        if len(members) >= 2 and len(totals) == 1 and abs(share_sum - 100.0) <= slack:
            _check_sum(ctx, [m[0] for m in members], members[0][1], "sum", f"{whole}：")


def _share_total(ctx: _Context, figures: list[Figure], part: Figure, share: Figure, whole: str,
                 sentence_start: int) -> Figure | None:
    wanted = _grams(whole)
    section = ctx.section_of(share)
    scored: list[tuple[float, Figure]] = []
    for g in figures:
        if g.family != "money" or g.start >= sentence_start or ctx.section_of(g) != section or g.base <= 0:
            continue
        scored.append((similarity(wanted, _grams(g.window)), g))
    if not scored:
        return None
    best_score = max(s for s, _ in scored)
    if best_score < 0.3:
        return None
    close = [g for s, g in scored if s >= best_score - 0.1]
    for g in close:
        if _ratio_holds(part, g, share, False, ctx.money_magnitude)[0]:
            return g
    return max(scored, key=lambda item: item[0])[1]


def _scores(ctx: _Context, figures: list[Figure]) -> None:
    scores = [f for f in figures if f.family == "score"]
    totals = [f for f in scores if re.search(r"总分|总得分|整体|综合得分|自评分值", f.label)]
    by_section: dict[str, list[Figure]] = {}
    for f in scores:
        if f not in totals:
            by_section.setdefault(ctx.section_of(f), []).append(f)
    subtotals: list[Figure] = []
    for members in by_section.values():
        subs = [f for f in members if "得分" in f.label and "满分" not in f.label and "权重" not in f.label]
        if len(subs) != 1:
            continue
        sub = subs[0]
        subtotals.append(sub)
        items = [f for f in members if f is not sub and f.start > sub.start and "权重" not in f.label
                 and "均为" not in f.label]
        if len(items) >= 2:
            _check_sum(ctx, items, sub, "score_sum", "")
    if len(totals) == 1 and len(subtotals) >= 2:
        _check_sum(ctx, subtotals, totals[0], "score_sum", "")


def _normalised_label(label: str) -> str:
    previous = None
    while previous != label:
        previous = label
        label = _LABEL_NOISE.sub("", label).strip()
    return label.rstrip("为达是共约的")


def _inconsistent_values(ctx: _Context, figures: list[Figure], text: str) -> None:
    topics: dict[int, str] = {}
    for lo, hi in _paragraphs(text):
        paragraph = text[lo:hi]
        kind = _marker_kind(paragraph)
        topic = re.split(r"[，。；：,]", re.sub(r"^[（(]?[\d一二三四五六七八九十①-⑳]+[)）.．、]?", "", paragraph))[0]
        for f in _in(figures, lo, hi):
            topics[f.start] = topic if kind else ""
    seen: dict[tuple[str, str, str, str], list[Figure]] = {}
    for f in figures:
        if f.family not in ("money", "count") or f.value == 0:
            continue
        label = _normalised_label(f.label)
        if len(label) < 3 or label in _GENERIC_LABELS or any(w in label for w in ("增加", "减少")):
            continue
        after = f.after if f.family == "count" else ""
        if f.family == "count" and not after:
            continue
        seen.setdefault((topics.get(f.start, ""), label, after, f.family + f.counter_group), []).append(f)
    for (_, label, _, _), members in seen.items():
        distinct: list[Figure] = []
        for f in members:
            if not any(value_matches(f, g) or value_matches(g, f) for g in distinct):
                distinct.append(f)
        if len(distinct) < 2:
            continue
        values = " 与 ".join(_shown(f) for f in distinct)
        places = "；".join(f"{ctx.section_of(f)}：{_shown(f)}" for f in distinct)
        ctx.add("inconsistent_value", f"报告中{label}前后不一致：{values}", f"{places}", _shown(distinct[0]),
                _shown(distinct[1]), False, distinct)


def _unit_slip_findings(ctx: _Context) -> None:
    for located, formulas in ctx.slips.values():
        f = located.figure
        unit = _unit_name(ctx.money_magnitude)
        fixed = f"{f.number_text()}{unit}"
        ctx.findings.append(AuditFinding(
            claim=f"{f.label}{_shown(f)}的单位疑为笔误，应为{fixed}", formula="；".join(dict.fromkeys(formulas)),
            stated=_shown(f), computed=fixed, holds=False, kind="unit_slip", section=located.section,
            document_id=located.document_id, figures=(f,),
        ))


def audit_index(index: ReportFigures) -> list[AuditFinding]:
    """Audit every document of a figure index."""
    findings: list[AuditFinding] = []
    for document in index.documents:
        located = index.in_document(document.id)
        figures = [x.figure for x in located]
        money = [f for f in figures if f.family == "money"]
        ctx = _Context(index, document, located, _major_magnitude(money))
        text = document.text
        _rates(ctx, figures, text)
        _budget_adjustments(ctx, figures)
        _breakdowns(ctx, figures, text)
        _enumerations(ctx, figures, text)
        _shares(ctx, figures, text)
        _scores(ctx, figures)
        _inconsistent_values(ctx, figures, text)
        _unit_slip_findings(ctx)
        findings.extend(_dedupe(ctx.findings))
    return findings


def _dedupe(findings: list[AuditFinding]) -> list[AuditFinding]:
    seen: set[tuple[str, str, bool, str]] = set()
    out: list[AuditFinding] = []
    for f in findings:
        key = (f.kind, f.formula, f.holds, f.section)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def audit_report(documents: Sequence[Document], passages: Sequence[Passage] = ()) -> list[AuditFinding]:
    """Find the relations the report states or implies and recompute each (holds or fails)."""
    return audit_index(report_figures(documents, passages))


def audit_corrections(index: ReportFigures) -> dict[tuple[str, int], tuple[str, Figure]]:
    """Return (note, corrected figure) for report figures that carry a unit slip, keyed by (document id, offset)."""
    notes: dict[tuple[str, int], tuple[str, Figure]] = {}
    for finding in audit_index(index):
        if finding.kind == "unit_slip":
            for f in finding.figures:
                corrected = parse_figures(finding.computed)[0]
                note = f"报告原文为{_shown(f)}，单位疑为笔误（应为{finding.computed}）"
                notes[(finding.document_id, f.start)] = (note, corrected)
    return notes


def failing(findings: Iterable[AuditFinding]) -> list[AuditFinding]:
    """Return the findings that do not hold."""
    return [f for f in findings if not f.holds]


def findings_for_text(findings: Iterable[AuditFinding], text: str) -> list[AuditFinding]:
    """Return the failing findings that involve a figure quoted in `text` (to warn the reader)."""
    claims = [c for c in parse_figures(text) if c.value != 0]
    out = []
    for finding in failing(findings):
        if any(value_matches(c, f) for c in claims for f in finding.figures if f.family != "percent" or c.family == "percent"):
            out.append(finding)
    return out


def findings_for_passage(findings: Iterable[AuditFinding], passage: Passage) -> list[AuditFinding]:
    """Return the failing findings that involve a figure inside `passage`."""
    return [
        f for f in failing(findings)
        if f.document_id == passage.document_id and any(passage.start <= g.start < passage.end for g in f.figures)
    ]
