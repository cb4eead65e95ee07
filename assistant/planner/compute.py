"""Compute what a question asks from operands resolved per (entity, measure) in the fact table, under checks.

Every operand is a fact chosen because its role, subject and period are the ones asked, never because it
happens to stand near the question's words. A check that fails (units that do not agree, a part larger than
its whole) yields no figure: the planner then quotes what it found and says it cannot compute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.evidence.scoring import Scored, fact_binding
from assistant.evidence.weights import TermWeights
from assistant.figures.derive import format_quantity
from assistant.frame import QuestionFrame
from assistant.planner.model import Computation
from index.facts import BUDGET_ROLES, Fact
from index.text import bigrams, normalise

BOUND = 0.5
_BUDGET_ORDER = ("adjusted_budget", "budget", "initial_budget")
_TOTAL = re.compile(r"^(?:合计|总计|小计|总体|全部|总)")


class CannotCompute(Exception):
    """The operands were found but a check failed; the message says why (Chinese)."""

    def __init__(self, reason: str, found: Sequence[Fact] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.found = tuple(found)


@dataclass(frozen=True)
class Pool:
    """The facts an operation may draw on, with a retrieval prior per fact (its span's score)."""

    facts: tuple[Fact, ...]
    prior: dict[tuple[str, int], float]
    weights: TermWeights
    report_year: str

    @staticmethod
    def build(ranked: Sequence[Scored], facts: Sequence[Fact], weights: TermWeights, report_year: str) -> Pool:
        prior: dict[tuple[str, int], float] = {}
        for scored in ranked:
            for fact in scored.span.facts:
                key = (fact.document_id, fact.start)
                prior[key] = max(prior.get(key, 0.0), scored.score)
        return Pool(tuple(facts), prior, weights, report_year)

    def bind(self, entity: str, fact: Fact) -> float:
        """Return how well a fact is about an entity: its subject and label, then its context."""
        grams = bigrams(entity)
        if not grams:
            # No entity named: the question is about the reporting unit as a whole.
            return 0.6 if fact.generic or is_total(fact) else 0.5
        return fact_binding(self.weights, grams, fact)

    def find(
        self,
        entity: str,
        roles: Sequence[str],
        families: Sequence[str],
        period: str = "current",
        exclude: Sequence[Fact] = (),
        where: Callable[[Fact], bool] | None = None,
    ) -> Fact | None:
        """Return the fact best bound to an entity among those of the roles (earlier roles preferred). A
        question that names no entity asks of the reporting unit: its own figures (and totals) come first."""
        if not bigrams(entity) and where is None:
            # The reporting unit as a whole: its figure of a role is the largest of that role (every part is
            # inside it); the role the question names first.
            taken = {(f.document_id, f.start) for f in exclude}
            for role in roles:
                options = [
                    f
                    for f in self.facts
                    if f.role == role
                    and f.family in families
                    and (f.period == period or period == "any")
                    and (f.document_id, f.start) not in taken
                ]
                if options:
                    return max(options, key=lambda f: (f.base, f.generic, -f.start))
        best: tuple[float, Fact] | None = None
        taken = {(f.document_id, f.start) for f in exclude}
        for fact in self.facts:
            if fact.role not in roles or fact.family not in families or (fact.document_id, fact.start) in taken:
                continue
            if period == "current" and fact.period != "current":
                continue
            if period == "previous" and fact.period != "previous":
                continue
            if where is not None and not where(fact):
                continue
            bound = self.bind(entity, fact)
            if bound < BOUND:
                continue
            # The role the question names comes first; the retrieval prior breaks ties between near equals.
            score = bound + 0.3 * (len(roles) - roles.index(fact.role)) / len(roles)
            score += 0.3 * self.prior.get((fact.document_id, fact.start), 0.0)
            if best is None or score > best[0]:
                best = (score, fact)
        return best[1] if best else None


def shown(fact: Fact, corrected: bool = True) -> str:
    """Return a fact as the answer writes it (its corrected value where the audit corrected it)."""
    if corrected and fact.corrected is not None:
        return format_quantity(fact.corrected, fact.unit, fact.family, fact.decimals)
    unit = "" if fact.text.endswith(fact.unit) else fact.unit
    return f"{fact.text}{unit}"


def _notes(*facts: Fact) -> tuple[str, ...]:
    return tuple(f"按更正后的数值{shown(f)}计算（{f.correction}）" for f in facts if f.corrected is not None)


def _compatible(a: Fact, b: Fact) -> None:
    if a.family != b.family:
        raise CannotCompute(f"{shown(a)}与{shown(b)}的单位不同，不能相减或相比", (a, b))
    if a.family == "count" and a.counter and b.counter and a.counter != b.counter:
        raise CannotCompute(f"{shown(a)}与{shown(b)}的计量单位不同", (a, b))


def _money(value_yuan: float, like: Fact) -> str:
    """Format an amount in 元 in the unit of a reference fact (万元 stays 万元)."""
    return format_quantity(value_yuan / like.magnitude, like.unit, like.family, 2)


def difference(label: str, a: Fact, b: Fact, operation: str = "difference") -> Computation:
    """a − b in a's unit; two rates differ by 个百分点."""
    _compatible(a, b)
    delta = a.base - b.base
    if a.family == "percent":
        # Points written to the precision of the rates compared (30% − 29.6% = 0.4个百分点), two places at most.
        places = min(2, max(a.decimals, b.decimals))
        result = f"{abs(delta):.{places}f}个百分点"
        formula = f"{shown(a)} − {shown(b)} = {result}" if delta >= 0 else f"{shown(b)} − {shown(a)} = {result}"
    else:
        result = (
            _money(abs(delta), a)
            if a.family == "money"
            else format_quantity(abs(delta) / a.magnitude, a.unit, a.family)
        )
        first, second = (a, b) if delta >= 0 else (b, a)
        formula = f"{_role_name(first)}{shown(first)} − {_role_name(second)}{shown(second)} = {result}"
    return Computation(operation, label, formula, result, (a, b), _notes(a, b))  # type: ignore[arg-type]


def growth(current: Fact, previous: Fact) -> list[Computation]:
    """The change from the previous period: the difference and the rate of growth."""
    _compatible(current, previous)
    if previous.base == 0:
        raise CannotCompute("上年数为零，无法计算增长率", (current, previous))
    out = [difference("增加额" if current.base >= previous.base else "减少额", current, previous)]
    rate = (current.base - previous.base) / previous.base * 100
    formula = f"({shown(current)} − {shown(previous)}) ÷ {shown(previous)} ≈ {rate:.2f}%"
    label = "增长率" if rate >= 0 else "下降率"
    out.append(
        Computation("growth", label, formula, f"{abs(rate):.2f}%", (current, previous), _notes(current, previous))
    )
    return out


def against_stated(computed: Computation, stated: Fact) -> Computation:
    """Set a computed rate beside the one the report states: agreeing (at its precision) or not."""
    from dataclasses import replace

    value = float(computed.result.rstrip("%"))
    slack = 0.5 * 10.0 ** (-stated.decimals) + 1e-9
    if abs(abs(value) - stated.value_used) <= slack:
        note = f"与报告所写{shown(stated)}一致"
    else:
        note = f"报告写{shown(stated)}，与按其数字计算的{computed.result}不符"
    return replace(computed, operands=(*computed.operands, stated), notes=(*computed.notes, note))


def against_stated_sum(computed: Computation, stated: Fact) -> Computation:
    """Set the sum of the parts beside the total the report states: agreeing or not."""
    from dataclasses import replace

    agrees = (
        abs(sum(f.base for f in computed.operands) - stated.base)
        <= stated.magnitude * 0.5 * 10.0 ** (-stated.decimals) + 1e-6
    )
    note = (
        f"与报告所写合计{shown(stated)}一致"
        if agrees
        else f"报告写合计{shown(stated)}，与分项之和{computed.result}不符"
    )
    return replace(computed, operands=(*computed.operands, stated), notes=(*computed.notes, note))


def share(part: Fact, whole: Fact) -> Computation:
    """part ÷ whole as a percentage; the part must not exceed the whole."""
    _compatible(part, whole)
    if whole.base <= 0:
        raise CannotCompute("总数为零，无法计算占比", (part, whole))
    if part.base > whole.base * 1.0000001:
        raise CannotCompute(f"{shown(part)}大于{shown(whole)}，不是它的一部分，不能计算占比", (part, whole))
    ratio = part.base / whole.base * 100
    formula = f"{_role_name(part)}{shown(part)} ÷ {_role_name(whole)}{shown(whole)} ≈ {ratio:.2f}%"
    return Computation("share", "占比", formula, f"{ratio:.2f}%", (part, whole), _notes(part, whole))


def ratio(label: str, numerator: Fact, denominator: Fact) -> Computation:
    """numerator ÷ denominator of the same unit, as a percentage (a completion or execution rate)."""
    _compatible(numerator, denominator)
    if denominator.base <= 0:
        raise CannotCompute("分母为零，无法计算", (numerator, denominator))
    value = numerator.base / denominator.base * 100
    formula = f"{shown(numerator)} ÷ {shown(denominator)} ≈ {value:.2f}%"
    return Computation(
        "share", label, formula, f"{value:.2f}%", (numerator, denominator), _notes(numerator, denominator)
    )


def total(label: str, facts: Sequence[Fact]) -> Computation:
    """The sum of facts of one unit."""
    first = facts[0]
    for other in facts[1:]:
        _compatible(first, other)
    value = sum(f.base for f in facts)
    result = (
        _money(value, first)
        if first.family == "money"
        else format_quantity(value / first.magnitude, first.unit, first.family)
    )
    formula = " + ".join(shown(f) for f in facts) + f" = {result}"
    return Computation("sum", label, formula, result, tuple(facts), _notes(*facts))


def combined_rate(spent: Computation, budget: Computation) -> Computation:
    """The rate of two totals computed before (total spending ÷ total budget)."""
    s = sum(f.base for f in spent.operands)
    b = sum(f.base for f in budget.operands)
    if b <= 0:
        raise CannotCompute("预算合计为零，无法计算综合执行率", budget.operands)
    value = s / b * 100
    formula = f"{spent.result} ÷ {budget.result} ≈ {value:.2f}%"
    return Computation("share", "综合执行率", formula, f"{value:.2f}%", (*spent.operands, *budget.operands))


def mean(label: str, facts: Sequence[Fact]) -> Computation:
    """The average of facts of one unit."""
    first = facts[0]
    for other in facts[1:]:
        _compatible(first, other)
    value = sum(f.base for f in facts) / len(facts) / first.magnitude
    result = format_quantity(value, first.unit, first.family, 2)
    formula = f"({' + '.join(shown(f) for f in facts)}) ÷ {len(facts)} ≈ {result}"
    return Computation("average", label, formula, result, tuple(facts), _notes(*facts))


def per_unit(amount: Fact, count: Fact) -> Computation:
    """An amount per counted unit (元 per 人次, 万元 per 公里)."""
    if count.base <= 0:
        raise CannotCompute("数量为零，无法计算平均数", (amount, count))
    if amount.family != "money" or count.family not in ("count", "measure", "duration"):
        raise CannotCompute(f"{shown(amount)}与{shown(count)}不能相除得出平均数", (amount, count))
    per = amount.base / count.base
    unit = count.counter or count.unit
    if per >= 10000:
        result = f"{format_quantity(per / 10000, '万元', 'money', 2)}/{unit}"
    else:
        result = f"{format_quantity(per, '元', 'money', 2)}/{unit}"
    formula = f"{shown(amount)} ÷ {shown(count)} ≈ {result.rsplit('/', 1)[0]}"
    return Computation("average", f"平均每{unit}", formula, result, (amount, count), _notes(amount, count))


def implied_target(done: Fact, rate: Fact) -> Computation:
    """The target a completion rate implies: done ÷ rate."""
    if rate.value_used <= 0:
        raise CannotCompute("完成率为零，无法推算目标", (done, rate))
    value = done.base / (rate.value_used / 100) / done.magnitude
    decimals = 0 if done.family == "count" else 2
    result = format_quantity(value, done.unit if done.family != "count" else done.counter, done.family, decimals)
    formula = f"{shown(done)} ÷ {shown(rate)} ≈ {result}"
    return Computation("implied_target", "推算的目标", formula, result, (done, rate), _notes(done, rate))


def deduction(weight: Fact, score: Fact) -> Computation:
    """Points lost on an item: its weight minus its score."""
    lost = weight.value_used - score.value_used
    decimals = max(weight.decimals, score.decimals)
    result = f"{lost:.{decimals}f}分"
    formula = f"{shown(weight)} − {shown(score)} = {result}"
    return Computation("deduction", f"{score.subject}扣分", formula, result, (weight, score), ())


_ROLE_NAMES = {
    "adjusted_budget": "调整预算",
    "initial_budget": "年初预算",
    "budget": "预算",
    "spending": "支出",
    "income": "收入",
}


def _role_name(fact: Fact) -> str:
    """Name an operand in a formula by what the report calls it (its subject and role word)."""
    word = fact.role_word or _ROLE_NAMES.get(fact.role, "")
    subject = fact.subject if fact.subject and fact.subject not in word else ""
    name = f"{subject}{'' if subject.endswith(word) else word}" if subject else word
    return name[:16]


_YEARS = re.compile(r"(?:19|20)\d{2}年度?|上年|上一年|前一年|同期")


def same_thing(current: Fact, earlier: Fact) -> bool:
    """Tell whether an earlier period's figure is of what a current one is of: an earlier figure with a subject
    of its own ("公用经费…较上年的10.00万元") compares only with a figure whose words name that subject;
    a figure of the reporting unit as a whole compares with another such figure or a total."""
    if earlier.family != current.family or (current.counter and earlier.counter and current.counter != earlier.counter):
        return False
    own = bigrams(_YEARS.sub("", earlier.subject))
    if earlier.generic or is_total(earlier) or not own:
        return current.generic or is_total(current) or not bigrams(_YEARS.sub("", current.subject))
    named = bigrams(_YEARS.sub("", f"{current.subject} {current.label} {current.context}"))
    return len(own & named) >= 0.5 * len(own)


def is_total(fact: Fact) -> bool:
    """Tell whether a fact is a total (a 合计 row, a "总…" label)."""
    return bool(_TOTAL.match(fact.subject)) or bool(_TOTAL.match(normalise(fact.label)))


def budget_roles(frame: QuestionFrame) -> tuple[str, ...]:
    """Return the budget roles to look for, the one the question names first."""
    named = [m.role for m in frame.measures if m.role in BUDGET_ROLES and m.role != "budget"]
    return tuple(dict.fromkeys([*named, *_BUDGET_ORDER]))
