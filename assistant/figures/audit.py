"""Audit a report's own arithmetic: rates, sums, shares, scores, budget adjustments, unit slips, inconsistent values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.figures.relations import (
    _GENERIC_LABELS,
    _LABEL_NOISE,
    _RATE_LABEL,
    _SENTENCE_END,
    _SHARE_LABEL,
    _TOTAL_WORDS,
    AuditContext,
    AuditFinding,
    Role,
    _check_rate,
    _check_sum,
    _in,
    _major_magnitude,
    _paragraphs,
    _ratio_holds,
    _sentences,
    _shown,
    _unit_name,
    role_of,
)
from assistant.figures.verify import (
    ReportFigures,
    grams,
    report_figures,
    similarity,
    value_matches,
)
from index.figures import Figure, parse_figures
from index.models import Document, Passage

__all__ = [
    "AuditFinding",
    "audit_corrections",
    "audit_index",
    "audit_report",
    "failing",
    "findings_for_passage",
    "findings_for_text",
]


def _rates(ctx: AuditContext, figures: list[Figure], text: str) -> None:
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
    ctx: AuditContext, num: Figure, rate: Figure, figures: list[Figure]
) -> tuple[Figure, str] | None:
    """Find the budget a rate is taken of when its sentence names only the spending (初始预算+调整, 全年预算…)."""
    section = ctx.section_of(rate)
    pairs = _adjustment_pairs(ctx, figures)
    for initial, adjust, total in pairs:
        if ctx.section_of(initial) == section and _ratio_holds(num, total, rate, False, 1.0)[0]:
            return total, f"({_shown(initial)} + {_shown(adjust)})"
    for g in figures:
        if (g.family == "money" and role_of(g.label) == "budget" and g.start != num.start) and _ratio_holds(
            num, g, rate, False, 1.0
        )[0]:
            return g, ""
    return None


def _adjustment_pairs(ctx: AuditContext, figures: list[Figure]) -> list[tuple[Figure, Figure, Figure]]:
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


def _budget_adjustments(ctx: AuditContext, figures: list[Figure]) -> None:
    for initial, adjust, total in _adjustment_pairs(ctx, figures):
        budgets = [
            g
            for g in figures
            if g.family == "money" and role_of(g.label) == "budget" and g.start > adjust.end and "调整" not in g.label
        ]
        named = [g for g in budgets if re.search(r"全年|调整后|年度预算|预算数|预算总", g.label)]
        if not named:
            named = [g for g in figures if g.family == "money" and re.search(r"全年预算|调整后|预算总收入", g.label)]
        sign = "−" if adjust.base < 0 or re.search(r"减少|调减|核减", adjust.label) else "+"
        formula = f"{_shown(initial)} {sign} {_shown(adjust)} = {_shown(total)}"
        match = next((g for g in named if value_matches(total, g)), None)
        if match is not None:
            ctx.add(
                "budget_adjustment",
                f"年初预算加年中调整等于{match.label}{_shown(match)}",
                formula,
                _shown(match),
                _shown(total),
                True,
                [initial, adjust, match],
            )
        elif named:
            g = named[0]
            ctx.add(
                "budget_adjustment",
                f"年初预算加年中调整等于{g.label}{_shown(g)}",
                formula,
                _shown(g),
                _shown(total),
                False,
                [initial, adjust, g],
            )


def _group_by_role(figures: Sequence[Figure]) -> dict[Role | None, list[Figure]]:
    groups: dict[Role | None, list[Figure]] = {}
    for f in figures:
        groups.setdefault(role_of(f.label), []).append(f)
    return groups


def _breakdown(ctx: AuditContext, pre: Sequence[Figure], post: Sequence[Figure], what: str) -> None:
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


def _breakdowns(ctx: AuditContext, figures: list[Figure], text: str) -> None:
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


def _enumerations(ctx: AuditContext, figures: list[Figure], text: str) -> None:
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


def _shares(ctx: AuditContext, figures: list[Figure], text: str) -> None:
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
            ctx.add(
                "share",
                f"{part.label}{_shown(part)}占{m.group('whole')}的{_shown(f)}",
                f"{_shown(part)} ÷ {_shown(total)} = {ratio:.2f}%",
                _shown(f),
                f"{ratio:.2f}%",
                holds,
                [part, total, f],
            )
            groups.setdefault((ctx.section_of(f), whole), []).append((part, total, f))
    for (_, whole), members in groups.items():
        totals = {m[1].start for m in members}
        share_sum = sum(m[2].value for m in members)
        slack = sum(m[2].half_ulp for m in members) + 1e-9
        if len(members) >= 2 and len(totals) == 1 and abs(share_sum - 100.0) <= slack:
            _check_sum(ctx, [m[0] for m in members], members[0][1], "sum", f"{whole}：")


def _share_total(
    ctx: AuditContext,
    figures: list[Figure],
    part: Figure,
    share: Figure,
    whole: str,
    sentence_start: int,
) -> Figure | None:
    wanted = grams(whole)
    section = ctx.section_of(share)
    scored: list[tuple[float, Figure]] = []
    for g in figures:
        if g.family != "money" or g.start >= sentence_start or ctx.section_of(g) != section or g.base <= 0:
            continue
        scored.append((similarity(wanted, grams(g.window)), g))
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


def _scores(ctx: AuditContext, figures: list[Figure]) -> None:
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
        items = [
            f
            for f in members
            if f is not sub and f.start > sub.start and "权重" not in f.label and "均为" not in f.label
        ]
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


def _inconsistent_values(ctx: AuditContext, figures: list[Figure], text: str) -> None:
    topics: dict[int, str] = {}
    for lo, hi in _paragraphs(text):
        paragraph = text[lo:hi]
        kind = _marker_kind(paragraph)
        topic = re.split(
            r"[，。；：,]",
            re.sub(r"^[（(]?[\d一二三四五六七八九十①-⑳]+[)）.．、]?", "", paragraph),
        )[0]
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
        ctx.add(
            "inconsistent_value",
            f"报告中{label}前后不一致：{values}",
            f"{places}",
            _shown(distinct[0]),
            _shown(distinct[1]),
            False,
            distinct,
        )


def _unit_slip_findings(ctx: AuditContext) -> None:
    for located, formulas in ctx.slips.values():
        f = located.figure
        unit = _unit_name(ctx.money_magnitude)
        fixed = f"{f.number_text()}{unit}"
        ctx.findings.append(
            AuditFinding(
                claim=f"{f.label}{_shown(f)}的单位疑为笔误，应为{fixed}",
                formula="；".join(dict.fromkeys(formulas)),
                stated=_shown(f),
                computed=fixed,
                holds=False,
                kind="unit_slip",
                section=located.section,
                document_id=located.document_id,
                figures=(f,),
            )
        )


def audit_index(index: ReportFigures) -> list[AuditFinding]:
    """Audit every document of a figure index."""
    findings: list[AuditFinding] = []
    for document in index.documents:
        located = index.in_document(document.id)
        figures = [x.figure for x in located]
        money = [f for f in figures if f.family == "money"]
        ctx = AuditContext(index, document, located, _major_magnitude(money))
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


def audit_corrections(
    index: ReportFigures,
) -> dict[tuple[str, int], tuple[str, Figure | None]]:
    """Return (note, corrected figure) for report figures in failing relations, keyed by (document id, offset)."""
    notes: dict[tuple[str, int], tuple[str, Figure | None]] = {}
    for finding in audit_index(index):
        if finding.kind == "inconsistent_value":
            for f in finding.figures:
                notes[(finding.document_id, f.start)] = (finding.claim, None)
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
        if any(
            value_matches(c, f)
            for c in claims
            for f in finding.figures
            if f.family != "percent" or c.family == "percent"
        ):
            out.append(finding)
    return out


def findings_for_passage(findings: Iterable[AuditFinding], passage: Passage) -> list[AuditFinding]:
    """Return the failing findings that involve a figure inside `passage`."""
    return [
        f
        for f in failing(findings)
        if f.document_id == passage.document_id and any(passage.start <= g.start < passage.end for g in f.figures)
    ]
