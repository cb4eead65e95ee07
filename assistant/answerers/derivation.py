"""Compute the figure a derived question asks for (difference, remaining, sum, share, average, implied target)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.evidence import Sentence, bigrams
from assistant.figures import Derived, Figure, derive, parse_figures
from assistant.question import QuestionAnalysis

_BUDGET = re.compile(r"预算|预算数|预算安排|拨款|计划|任务")
_SPENT = re.compile(r"支出|支付|花|使用|完成采购金额|实际")
_RATE = re.compile(r"率|完成预算|占")
_ROLE_WORDS = (
    "调整预算数",
    "调整预算",
    "预算数",
    "预算安排",
    "实际支出",
    "预算",
    "支出",
    "收入",
    "总投资",
    "投资",
    "金额",
)


@dataclass(frozen=True)
class Computation:
    """A derived answer: what was computed, from which sentences."""

    results: list[tuple[str, Derived]]
    sentences: list[Sentence]


def _figures(sentence: Sentence) -> list[Figure]:
    return [f for f in parse_figures(sentence.text) if f.family not in ("plain",)]


def _label_match(figure: Figure, terms: set[str]) -> float:
    label = bigrams(figure.label)
    return len(label & terms) / (len(label) or 1)


def _roles_asked(question: str) -> list[str]:
    roles: list[str] = []
    rest = question
    for word in _ROLE_WORDS:
        if word in rest:
            roles.append(word)
            rest = rest.replace(word, " ")
    return roles


def _pair(sentence: Sentence) -> tuple[Figure, Figure] | None:
    """Return the (budget, spent) money pair a sentence states, if any."""
    money = [f for f in _figures(sentence) if f.family == "money"]
    budget = next((f for f in money if _BUDGET.search(f.label)), None)
    if budget is None:
        return None
    spent = next((f for f in money if f.start > budget.start and _SPENT.search(f.label)), None)
    return (budget, spent) if spent is not None else None


def compute(question: QuestionAnalysis, candidates: Sequence[Sentence]) -> Computation | None:
    """Return the computation a derived question asks for, from the best-matching sentences."""
    kind = question.derive
    if kind is None:
        return None
    terms = {g for t in question.search_terms for g in bigrams(t)}
    if kind == "deduction":
        return _deductions(candidates)
    if kind in ("remaining", "difference"):
        for sentence in candidates[:6]:
            pair = _pair(sentence)
            if pair is None and kind == "difference":
                for family in ("money", "count", "percent", "score"):
                    same = sorted(
                        (f for f in _figures(sentence) if f.family == family),
                        key=lambda f: -_label_match(f, terms),
                    )[:2]
                    if len(same) == 2:
                        pair = (same[0], same[1]) if same[0].base >= same[1].base else (same[1], same[0])
                        break
            if pair is not None:
                result = derive("remaining" if kind == "remaining" else "difference", *pair)
                return Computation([("", result)], [sentence])
        return None
    if kind == "implied_target":
        for sentence in candidates[:6]:
            figures = _figures(sentence)
            rate = next((f for f in figures if f.family == "percent" and "完成" in f.label), None)
            value = next((f for f in figures if f.family in ("count", "money") and rate and f.end <= rate.start), None)
            if rate is not None and value is not None and rate.value > 0:
                decimals = 0 if value.family == "count" else None
                return Computation([("", derive("implied_target", value, rate, decimals=decimals))], [sentence])
        return None
    if kind in ("sum", "average"):
        return _aggregate(question, candidates, kind)
    if kind == "share":
        return _share(question, candidates)
    return None


_SHARE_SPLIT = re.compile(r"相当于|占|是|为|与|和|比")


def _operand(
    phrase: str, candidates: Sequence[Sentence], exclude: Figure | None = None
) -> tuple[Figure, Sentence] | None:
    """Return the report figure whose label (with its sentence's lead) best matches a phrase of the question."""
    grams = bigrams(phrase)
    best: tuple[float, Figure, Sentence] | None = None
    for rank, sentence in enumerate(candidates[:8]):
        for figure in _figures(sentence):
            if figure.family not in ("money", "count") or (exclude is not None and figure == exclude):
                continue
            label = bigrams(figure.label)
            lead = bigrams(sentence.lead) - label
            overlap = (len(grams & label) + 0.3 * len(grams & lead)) / (len(grams) or 1) - 0.01 * rank
            if best is None or overlap > best[0]:
                best = (overlap, figure, sentence)
    return (best[1], best[2]) if best and best[0] > 0 else None


def _stated_share(candidates: Sequence[Sentence]) -> bool:
    """Tell whether the best sentences already state the share (占…的12.66%): then nothing is computed."""
    top = candidates[0].score if candidates else 0.0
    return any(
        f.family == "percent" and "占" in f.label for s in candidates[:3] if s.score >= 0.8 * top for f in _figures(s)
    )


def _share(question: QuestionAnalysis, candidates: Sequence[Sentence]) -> Computation | None:
    """A part as a share of a whole, the two taken from wherever the report states them."""
    if _stated_share(candidates):
        return None
    pieces = [p for p in _SHARE_SPLIT.split(question.text, maxsplit=1) if p.strip()]
    if len(pieces) == 2:
        part = _operand(pieces[0], candidates)
        whole = _operand(pieces[1], candidates, exclude=part[0] if part else None)
        if part and whole and part[0].family == whole[0].family and whole[0].base:
            sentences = [part[1]] if part[1] is whole[1] else [part[1], whole[1]]
            return Computation([("", derive("share", part[0], whole[0]))], sentences)
    for sentence in candidates[:6]:
        money = [f for f in _figures(sentence) if f.family in ("money", "count")]
        if len(money) >= 2:
            small, large = sorted(money[:2], key=lambda f: f.base)
            return Computation([("", derive("share", small, large))], [sentence])
    return None


_WEIGHT = re.compile(r"权重|满分|分值|总分")
_GOT = re.compile(r"得分|得了|评分为")


def _deductions(candidates: Sequence[Sentence]) -> Computation | None:
    """Points lost: for each scored item, its weight minus its score; then the total."""
    results: list[tuple[str, Derived]] = []
    used: list[Sentence] = []
    seen: set[tuple[float, float]] = set()
    for sentence in candidates[:8]:
        scores = [f for f in _figures(sentence) if f.family == "score"]
        weight = next((f for f in scores if _WEIGHT.search(f.label)), None)
        got = next((f for f in scores if weight and f.start > weight.start and _GOT.search(f.label)), None)
        if weight is None or got is None or (weight.value, got.value) in seen:
            continue
        seen.add((weight.value, got.value))
        subject = re.sub(r"^[^\u4e00-\u9fff]*", "", re.split(r"[的，,]", sentence.text)[0])[:12]
        decimals = max(weight.decimals, got.decimals)
        results.append((f"{subject}扣分", derive("difference", weight, got, decimals=decimals)))
        used.append(sentence)
    if not results:
        return None
    if len(results) > 1:
        lost = [parse_figures(r.text)[0] for _, r in results]
        results.append(("合计扣分", derive("sum", *lost, decimals=max(f.decimals for f in lost))))
    return Computation(results, used)


def _aggregate(question: QuestionAnalysis, candidates: Sequence[Sentence], kind: str) -> Computation | None:
    """Sum (or average) the same role across parallel items, e.g. the budgets of two projects."""
    roles = [r for r in _roles_asked(question.text) if r not in ("预算",) or len(_roles_asked(question.text)) == 1]
    used: list[Sentence] = []
    pairs: list[tuple[Figure, Figure]] = []
    seen: set[float] = set()
    top = candidates[0].score if candidates else 0.0
    for sentence in candidates[:8]:
        if sentence.score < 0.5 * top:
            continue
        pair = _pair(sentence)
        if pair is None or pair[0].base in seen:
            continue
        seen.add(pair[0].base)
        pairs.append(pair)
        used.append(sentence)
    if len(pairs) < 2:
        return None
    budgets = [b for b, _ in pairs]
    spent = [s for _, s in pairs]
    op: Literal["sum", "average"] = "sum" if kind == "sum" else "average"
    results = [
        (roles[0] if roles else "预算", derive(op, *budgets)),
        ("实际支出", derive(op, *spent)),
    ]
    if kind == "sum":
        total_budget = derive("sum", *budgets)
        total_spent = derive("sum", *spent)
        ratio = derive("ratio", parse_figures(total_spent.text)[0], parse_figures(total_budget.text)[0])
        results.append(("综合执行率", ratio))
    return Computation(results, used)
