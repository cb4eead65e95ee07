"""Resolve a frame's slots to evidence: which spans answer it, which facts fill each asked measure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.evidence.fillers import (
    FAMILIES,
    GRADE_HEADER,
    asks_counted_kind,
    counted_asked,
    counter_ok,
    fillers,
    names_listed,
)
from assistant.evidence.scoring import (
    Scored,
    binding,
    counted_noun,
    entity_coverage,
    entity_grams,
    fact_binding,
    unwritten_word,
)
from assistant.evidence.spans import Span
from assistant.evidence.weights import TermWeights
from assistant.frame import AnswerType, Measure, QuestionFrame
from assistant.planner.model import Quote
from index.facts import BUDGET_ROLES, Fact, Role
from index.segment import names_something
from index.text import bigrams, normalise

BOUND = 0.5
_SHORT_QUOTE = 12  # a quote shorter than this goes on to the next clause
_WHOLE_SENTENCE = 90  # a descriptive answer quotes the rest of its sentence when it is no longer than this  # share of the head entity's weight a fact's subject (or a span) must carry to be about it
CANDIDATES = 12

_CATEGORY_TAILS: tuple[tuple[str, Role], ...] = (("支出", "spending"), ("收入", "income"), ("预算", "budget"))
_MONEY_ROLES = frozenset({"budget", "adjusted_budget", "initial_budget", "spending", "income", "adjustment"})
# Which fact roles answer an asked measure.
_COMPATIBLE: dict[str, frozenset[str]] = {
    "budget": frozenset({"budget", "adjusted_budget", "initial_budget"}),
    "adjusted_budget": frozenset({"adjusted_budget", "budget"}),
    "initial_budget": frozenset({"initial_budget", "budget"}),
    "spending": frozenset({"spending", "actual"}),
    "actual": frozenset({"actual", "spending", "count", "amount"}),
    "income": frozenset({"income"}),
    "rate": frozenset({"rate"}),
    "share": frozenset({"share", "rate"}),
    "score": frozenset({"score"}),
    "weight": frozenset({"weight"}),
    "target": frozenset({"target"}),
    "change": frozenset({"change"}),
    "adjustment": frozenset({"adjustment"}),
}


@dataclass(frozen=True)
class Slot:
    """One thing a question asks for: a measure (a figure role) or a kind of answer."""

    kind: AnswerType
    measure: Measure | None = None

    def label(self) -> str:
        """Name what the slot asks for, in Chinese (for a note on what the report leaves out)."""
        return self.measure.word if self.measure else _SLOT_NAMES.get(self.kind, "")


_SLOT_NAMES: dict[str, str] = {
    "name": "名称",
    "date": "时间",
    "list": "具体内容",
    "reason": "原因",
    "remedy": "改进措施",
    "purpose": "用途",
    "grade": "等级",
    "count": "数量",
    "amount": "金额",
    "rate": "比例",
    "score": "得分",
    "figure": "具体数字",
}


def slots_of(frame: QuestionFrame) -> list[Slot]:
    """Return the slots of a frame: one per asked measure, else one per kind of answer."""
    if (
        frame.operation in ("difference", "growth")
        and frame.previous_period
        and frame.answer_type != "rate"
        and frame.entities  # the change of a subject named; of nothing named, any change would do
    ):
        # "比上年降了多少", not computed from two years' figures: the change the report states answers it, as a
        # rate or as an amount ("水质投诉件数同比下降15.0%").
        return [Slot("figure", Measure("change", "变化"))]
    slots: list[Slot] = []
    numeric_types = [t for t in frame.answer_types if t in FAMILIES and t != "figure"]
    seen_roles: set[str] = set()
    # "执行率为什么偏低": a reason (or purpose) asked of a measure asks no figure of it.
    why = frame.answer_types[:1] in (("reason",), ("purpose",), ("remedy",))
    others = {m.role for m in frame.measures} - {"actual"}
    for measure in () if why else frame.measures:
        if measure.role in ("share", "change") and frame.operation != "lookup":
            continue
        if measure.role == "actual" and others & {"rate", "share", "spending", "score", "count"}:
            continue  # "满意度实际是多少": 实际 says which value of the rate, it asks no measure of its own
        if frame.operation == "share" and measure.role == "rate" and measure.word in _GENERIC_MEASURES:
            measure = Measure("share", measure.word)  # "X占Y的比例": the stated share answers it
        if measure.role in seen_roles:
            continue
        seen_roles.add(measure.role)
        kind: AnswerType = (
            "rate"
            if measure.role in ("rate", "share")
            else "score"
            if measure.role in ("score", "weight")
            else "figure"
            if measure.role in ("change", "target", "actual")
            else "amount"
        )
        if kind == "amount" and numeric_types and "amount" not in numeric_types:
            if measure.role in _MONEY_ROLES:
                continue  # "使用一般公共预算开支的公务用车保有量": money words that qualify a count
            kind = numeric_types[0]
        slots.append(Slot(kind, measure))
    if not slots and frame.answer_type in ("figure", "amount"):
        # "项目支出是多少？": a category of spending, asked without another measure, asks its spending.
        tail = next((w for w, role in _CATEGORY_TAILS if frame.head.endswith(w)), "")
        if tail:
            slots.append(Slot("amount", Measure(dict(_CATEGORY_TAILS)[tail], tail)))
            return slots
    if frame.answer_type == "count" and not any(s.kind == "count" for s in slots):
        slots = [Slot("count")] + [s for s in slots if s.kind != "amount"]
    taken = {s.kind for s in slots}
    for kind in frame.answer_types:
        if why and kind in FAMILIES:
            continue
        # A figure kind joins only when no figure is asked yet ("得了多少分、是什么等次": the grade and the score).
        if kind not in taken and (kind not in FAMILIES or not any(s.kind in FAMILIES for s in slots)):
            if kind == "text" and slots:
                continue
            slots.append(Slot(kind))
            taken.add(kind)
    return slots or [Slot("text")]


def asks_earlier(frame: QuestionFrame, report_year: str) -> bool:
    """Tell whether a question asks a value before the report's year: of the year before (上年, 2023年底 in a
    report of 2024), or before the year itself (2024年以前).

    >>> from assistant.frame import build_frame
    >>> asks_earlier(build_frame("2023年底全县有多少个供水站点？"), "2024")
    True
    >>> asks_earlier(build_frame("2024年以前建成了多少个供水站点？"), "2024")
    True
    >>> asks_earlier(build_frame("2024年建成了多少个供水站点？"), "2024")
    False
    """
    if frame.previous_period:
        return True
    if not report_year.isdigit() or not frame.years:
        return False
    if all(y.isdigit() and int(y) == int(report_year) - 1 for y in frame.years):
        return True
    return _before_the_year(frame, report_year)


def _before_the_year(frame: QuestionFrame, report_year: str) -> bool:
    return bool(report_year) and re.search(report_year + r"年(?:以前|之前|前)", frame.text) is not None


def period_ok(frame: QuestionFrame, fact: Fact, report_year: str) -> bool:
    """Tell whether a fact is of the period the question asks about."""
    other_years = [y for y in frame.years if y != report_year]
    if (
        other_years
        and report_year not in frame.years
        and frame.operation in ("lookup", "sum", "average", "share", "remaining")
    ):
        return fact.period != "current" and (not fact.year or fact.year in other_years)
    if frame.operation == "lookup" and (frame.previous_period or _before_the_year(frame, report_year)):
        return fact.period == "previous"
    return fact.period == "current" or fact.role == "change"


def fact_fills(slot: Slot, fact: Fact) -> bool:
    """Tell whether a fact can fill a slot: the family of its kind, the role of its measure. A rate, score or
    goal asked by name (执行率, 满意度) is one the fact's own words name: 分担率 is no 执行率."""
    if slot.kind in FAMILIES and fact.family not in FAMILIES[slot.kind]:
        return False
    if slot.measure is None:
        return True
    if fact.role not in _COMPATIBLE.get(slot.measure.role, frozenset({slot.measure.role})):
        return False
    word = slot.measure.word
    if slot.measure.role in _NAMED_ROLES and len(word) >= 2 and word not in _GENERIC_MEASURES:
        own = bigrams(f"{fact.role_word} {fact.label} {fact.column}")
        named = bigrams(word)
        return len(named & own) * 2 >= len(named)
    return True


def _fits(frame: QuestionFrame, slot: Slot, fact: Fact, report_year: str, loose: bool = False) -> bool:
    """Tell whether a fact may answer a figure slot: of the asked role (or, `loose`, a figure of no role the
    question implies), of the asked period and counter, not a figure the question states, and no goal for what
    was achieved."""
    if not (fact_fills(slot, fact) or (loose and _loosely_fills(frame, slot, fact))):
        return False
    if not period_ok(frame, fact, report_year) or fact.value in frame.values:
        return False
    noun = counted_asked(frame)
    if slot.kind == "count" and not any(counter_ok(fact, c, noun) for c in (frame.counters or (frame.counter,))):
        return False
    return fact.role != "target" or (slot.measure is not None and slot.measure.role == "target")


def _loosely_fills(frame: QuestionFrame, slot: Slot, fact: Fact) -> bool:
    """Tell whether a money figure without a role of its own may answer a measure the question only implies:
    an everyday verb stands for the role ("政府能帮着出多少钱" -> 支出) but the report may state the sum without
    that role word ("每户补助最高300元"). A figure of another role (a budget) never does."""
    if slot.measure is None or frame.english or fact.role != "amount":
        return False
    if slot.kind not in FAMILIES or fact.family not in FAMILIES[slot.kind]:
        return False
    # The measure word written in the figure's own label ("核减不合理支出12.00万元" for 核减了多少) names it too.
    return slot.measure.word not in frame.text or slot.measure.word in fact.label


_NAMED_ROLES = frozenset({"rate", "share", "score", "weight", "target", "change"})
# Measure words that name their role whatever the report calls it (满分 = 分值 = 权重).
_GENERIC_MEASURES = frozenset(
    {
        "比例",
        "得分",
        "分值",
        "满分",
        "权重",
        "评分",
        "自评得分",
        "总得分",
        "比重",
        "占比",
        "目标",
        "增长",
        "下降",
        "率",
        "变化",
    }
)


def known_entities(weights: TermWeights, entities: Sequence[str]) -> list[str]:
    """Return the entities without the everyday words the report never writes ("老同志" beside 退休): the others
    name the subject."""
    return [e for e in entities if not unwritten_word(weights, e)] or list(entities)


def span_binding(weights: TermWeights, frame: QuestionFrame, span: Span, strict: bool = True) -> float:
    """Return how much of the question's entities a span (with its heading and lead) carries.

    The first entity — the question's subject — must be found, by the report's own words for it, and the
    entities on average. Strict (a figure is asked: figures are everywhere), the head entity too — the one
    the figure is asked of ("留守老人" of 受益人口里…留守老人). Otherwise a name, a date or a reason found is
    evidence of its own."""
    entities = [e for e in frame.entities if e != frame.asked_noun] or list(frame.entities)
    if not entities:
        return 1.0
    # A verb the report never uses ("能放", "能用") says what is asked in everyday words: it binds nothing.
    entities = [e for e in entities if e not in frame.verbs or any(g in weights.counts for g in bigrams(e))] or entities
    entities = known_entities(weights, entities)
    text = span.grams() | bigrams(span.context) | bigrams(span.scope)
    found = [entity_coverage(weights, frame, e, text) for e in entities]
    mean = sum(found) / len(found)
    naming = [i for i, e in enumerate(entities) if e not in frame.modifiers] or [0]
    first = found[naming[0]]
    if strict and frame.head in entities:
        return min(first, found[entities.index(frame.head)], mean)
    return min(first, mean)


def topic_binding(weights: TermWeights, frame: QuestionFrame, span: Span, fact: Fact) -> float:
    """Return how well a figure whose own words name no subject ("其中涉及5个乡镇，总投资3.20亿元": 涉及), or only
    the thing the question counts ("宿舍…，核定床位60张" of 多少张床), is bound to the question's subject by what
    its sentence says before it, up to the last semicolon: the topic the sentence opened with ("以“城乡供水一体化”
    名义申报专项债，…总投资…"). As the heading binds, for less."""
    noun = counted_asked(frame)
    if names_something(fact.subject) and not (noun and noun in fact.subject):
        # The figure names its own subject: its binding says whether it is the one asked. Unless that is the
        # thing counted ("多少张床" of 核定床位24张): then the sentence's topic is whose it is.
        return 0.0
    naming = [e for e in frame.entities if e not in frame.modifiers and e not in frame.verbs and e != frame.asked_noun]
    if not naming:
        return 0.0
    before = bigrams(re.split(r"[；;]", span.text[: max(0, fact.start - span.start)])[-1])
    # The subject and the head both: "专项债项目中水厂改造的总投资" is not answered by the project's own figure.
    asked = {naming[0], frame.head if frame.head in naming else naming[0]}
    return 0.7 * min(entity_coverage(weights, frame, e, before) for e in asked)


@dataclass(frozen=True)
class Filled:
    """A span chosen for some slots, with the facts (or fillers) that fill them."""

    scored: Scored
    slots: tuple[Slot, ...]
    facts: tuple[Fact, ...]
    positions: tuple[int, ...]


def _months_ok(frame: QuestionFrame, span: Span) -> bool:
    text = normalise(span.text + span.context)
    return all(normalise(m) in text for m in frame.months)


def fill_span(
    frame: QuestionFrame,
    scored: Scored,
    slots: Sequence[Slot],
    weights: TermWeights,
    report_year: str,
    bound: float = BOUND,
    unbound: bool = False,
) -> Filled | None:
    """Return which of the slots a span fills (facts bound to the head entity, of the asked period); `unbound`
    takes the span as being about the subject (the embedding said so)."""
    span = scored.span
    if not _months_ok(frame, span):
        return None
    # A figure, or a date, is everywhere: the span must carry the head entity as well ("哪天开工": a date of 完工
    # is no answer).
    strict = any(s.kind in FAMILIES or s.kind == "date" for s in slots)
    where = 1.0 if unbound else span_binding(weights, frame, span, strict=strict)
    if where < BOUND:
        return None
    filled: list[Slot] = []
    facts: list[Fact] = []
    positions: list[int] = []
    for slot in slots:
        if slot.kind in FAMILIES:
            options = [
                f
                for f in span.facts
                if _fits(frame, slot, f, report_year, loose=True)
                and (
                    unbound
                    or max(binding(weights, frame, f), where if span.is_row else topic_binding(weights, frame, span, f))
                    >= bound
                )
            ]
            if slot.measure is None and _sub_entity(frame):
                # "受益的5.6万人里，留守老人有多少": the figure of a part of the first entity is one its own
                # words name, not any figure said about the whole.
                head = bigrams(frame.head)
                options = [
                    f
                    for f in options
                    if weights.known_coverage(head, bigrams(f"{f.subject} {f.label} {counted_noun(f)}")) >= BOUND
                ]
            if not options:
                continue
            best = max(
                options,
                key=lambda f: (
                    fact_fills(slot, f),
                    binding(weights, frame, f),
                    slot.measure is not None and slot.measure.word in f"{f.column}{f.label}",  # the column asked
                    slot.kind == "score" and bool(_OWN_SCORE.search(f.column or f.label)),
                    -abs(f.start - span.start),
                ),
            )
            filled.append(slot)
            if best not in facts:
                facts.append(best)
            positions.append(best.start)
        else:
            if where < BOUND:
                continue
            if slot.kind == "name" and not _says_predicate(weights, frame, span):
                continue  # "哪家单位承建的": a name in a sentence that says nothing of 承建 is not the builder
            found = fillers(frame, span, slot.kind)
            if slot.kind == "date":
                found = [f for f in found if _dated_event(weights, frame, span, f.start)]
            if not found:
                continue
            filled.append(slot)
            positions.append(found[0].start)
    if not filled:
        return None
    return Filled(scored, tuple(filled), tuple(facts), tuple(positions))


def _dated_event(weights: TermWeights, frame: QuestionFrame, span: Span, at: int) -> bool:
    """Tell whether a date sits in the clause that states the event asked ("于2024年4月完成招标采购", not
    "力争2025年6月完成终验" in a sentence that names the procurement elsewhere)."""
    if not frame.head:
        return True
    clause = next((c for c in span.clause_spans if c.start <= at < c.end), None)
    if clause is None:
        return True
    return entity_coverage(weights, frame, frame.head, bigrams(clause.text)) >= BOUND


def _says_predicate(weights: TermWeights, frame: QuestionFrame, span: Span) -> bool:
    """Tell whether a span says what a "which X" question asks of X (承建 of 哪家单位承建), when it asks one."""
    if not frame.predicate:
        return True
    text = span.grams()
    return any(entity_coverage(weights, frame, p, text) >= BOUND for p in frame.predicate)


def _names_asked(frame: QuestionFrame, filled: Filled) -> float:
    """Tell how clearly a list is of the kind asked ("哪些部门": "…6个部门实现…", not a list of subsystems
    of the same project; "哪几家企业": the sentence that names companies)."""
    if not any(s.kind == "list" for s in filled.slots):
        return 0.0
    span = filled.scored.span
    named = bool(frame.asked_noun) and frame.asked_noun in f"{span.text} {span.context}"
    # A list the sentence counts itself, of the kind asked, is the surest sign it is the list asked for.
    return float(named) + float(names_listed(frame, span) >= 2) + 4.0 * asks_counted_kind(frame, span.text)


def _sub_entity(frame: QuestionFrame) -> bool:
    """Tell whether the question asks of a part of its first entity ("受益的5.6万人里，留守老人有多少")."""
    named = frame.entities
    if len(named) < 2 or frame.head != named[-1] or frame.head == named[0]:
        return False
    at = frame.text.find(named[0])
    after = frame.text[at + len(named[0]) :] if at >= 0 else ""
    return bool(frame.values) or bool(_PARTITIVE.match(after))  # "受益人口中，农村人口有多少"


def choose(
    frame: QuestionFrame, ranked: Sequence[Scored], weights: TermWeights, report_year: str
) -> tuple[list[Filled], list[Slot]]:
    """Pick spans greedily until every slot is filled; return them and the slots left unfilled."""
    slots = slots_of(frame)
    remaining = list(slots)
    chosen: list[Filled] = []
    why = frame.answer_types[:1] in (("reason",), ("remedy",))
    pool = list(ranked[:CANDIDATES])
    top = ranked[0].score if ranked else 0.0
    # When some figure is clearly about the entity, a figure of a look-alike subject (水污染… for 大气污染…)
    # is another entity's: the bar rises to just below the best.
    fitting = [
        f for s in pool for f in s.span.facts if any(_fits(frame, slot, f, report_year, loose=True) for slot in slots)
    ]
    best = max((binding(weights, frame, f) for f in fitting if period_ok(frame, f, report_year)), default=0.0)
    bound = max(BOUND, best - 0.25)
    while remaining and pool:
        options = [
            (f, s) for s in pool if (f := fill_span(frame, s, remaining, weights, report_year, bound)) is not None
        ]
        if not options:
            break
        if why and not chosen:
            # A reason or a step is asked: the spans that say one are the evidence; a better-matching sentence
            # that says none (the shortfall restated) sets no bar for them.
            top = max(s.score for _, s in options)
        picked, scored = max(
            options,
            key=lambda item: (
                item[1].score
                + 0.35 * len(item[0].slots) / len(slots)
                + _same_span(chosen, item[1])
                + 0.2 * _own_section(weights, frame, item[1].span)
                + 0.15 * _names_asked(frame, item[0])
                - 0.2 * _of_unnamed_item(weights, frame, item[0])
            ),
        )
        if scored.score < 0.35 * top:
            break
        chosen.append(picked)
        remaining = [s for s in remaining if s not in picked.slots]
        pool.remove(scored)
    if not chosen and ranked and unfamiliar(weights, frame) and any(s.kind in FAMILIES for s in remaining):
        # The question's words are not the report's (everyday words, or English): the multilingual embedding
        # found the passage; take its best span that holds exactly what is asked.
        best_dense = max(s.span.dense for s in ranked)
        near = [s for s in pool if s.span.dense >= best_dense - _DENSE_MARGIN]
        options = [
            (f, s) for s in near if (f := fill_span(frame, s, remaining, weights, report_year, 0.0, True)) is not None
        ]
        if options:
            picked, _ = max(options, key=lambda item: (len(item[0].slots), item[1].score))
            chosen.append(picked)
            remaining = [s for s in remaining if s not in picked.slots]
    if not chosen and ranked and _specific(frame):
        # Everyday words may share nothing with the report's ("空气算是好的" for 优良天数). The best span is still
        # taken when it states a figure of exactly the unit asked and shares something with the question.
        relaxed = fill_span(frame, ranked[0], remaining, weights, report_year, RELAXED_BOUND)
        if relaxed is not None and span_binding(weights, frame, ranked[0].span) >= BOUND:
            chosen.append(relaxed)
            remaining = [s for s in remaining if s not in relaxed.slots]
    if not chosen and ranked and unfamiliar(weights, frame):
        nearest = _nearest_sentence(ranked)
        text = nearest.span.grams() | bigrams(nearest.span.context) if nearest is not None else frozenset()
        if nearest is not None and any(entity_coverage(weights, frame, e, text) >= BOUND for e in frame.entities):
            # Everyday words all through ("上班族没空，周末能去吗"): the one sentence of the report nearest in meaning
            # answers when it holds what is asked and shares a word with the question.
            found = fill_span(frame, nearest, remaining, weights, report_year, 0.0, True)
            if found is not None:
                chosen.append(found)
                remaining = [s for s in remaining if s not in found.slots]
    return chosen, remaining


def _nearest_sentence(ranked: Sequence[Scored]) -> Scored | None:
    """Return the span nearest the question by its own embedding similarity, when one is clearly nearest
    (a span that only carries its passage's similarity tells nothing of its own)."""
    by_dense = sorted((s for s in ranked if s.span.own_dense), key=lambda s: -s.span.dense)
    if not by_dense or by_dense[0].span.dense <= 0:
        return None
    if len(by_dense) > 1 and by_dense[1].span.dense >= by_dense[0].span.dense:
        return None
    return by_dense[0]


STRONG = 0.8  # a fact found in the fact table, outside the retrieved spans, must be this clearly about the subject


def lookup_fact(
    frame: QuestionFrame,
    slot: Slot,
    facts: Sequence[Fact],
    weights: TermWeights,
    report_year: str,
    prior: dict[tuple[str, int], float] | None = None,
) -> Fact | None:
    """Return the fact of the whole fact table that fills a slot of a measure asked of a named subject: its
    role the measure's, its subject the question's (by the fact's own subject, label or table caption), its
    period the one asked. None unless one fact is clearly the one (a tie between two values is no answer)."""
    if not frame.entities or (slot.measure is None and not (slot.kind == "count" and _specific(frame))):
        return None
    entities = [e for e in frame.entities if e != frame.asked_noun and e not in frame.modifiers] or list(frame.entities)
    best: list[tuple[float, Fact]] = []
    for fact in facts:
        if not _fits(frame, slot, fact, report_year):
            continue
        bound = binding(weights, frame, fact)
        every = min(fact_binding(weights, bigrams(e), fact) for e in entities)
        if bound < STRONG or every < BOUND:
            continue
        score = bound + 0.1 * every + 0.2 * (prior or {}).get((fact.document_id, fact.start), 0.0)
        best.append((score, fact))
    if not best:
        return None
    best.sort(key=lambda item: -item[0])
    top = best[0]
    rivals = [f for s, f in best[1:] if s >= top[0] - 0.05 and f.base != top[1].base]
    return None if rivals else top[1]


RELAXED_BOUND = 0.15
_PARTITIVE = re.compile(r"的?(?:当中|之中|里面|中|里)")
_OWN_SCORE = re.compile(r"(?:自评|总|综合)?得分$|总分")  # a row's own score, not a component's
_DENSE_MARGIN = 0.02
UNFAMILIAR = 0.5  # share of the entities' weight in words the report never uses, above which they are unfamiliar


def unfamiliar(weights: TermWeights, frame: QuestionFrame) -> bool:
    """Tell whether a question names its subject in words the report does not use (English, everyday words)."""
    if frame.english:
        return True
    grams = frozenset(g for e in frame.entities for g in bigrams(e))
    total = weights.weight(grams)
    if not total:
        return False
    known = weights.weight(frozenset(g for g in grams if g in weights.counts))
    return 1 - known / total >= UNFAMILIAR


def _specific(frame: QuestionFrame) -> bool:
    """Tell whether a question asks for a figure of a unit specific enough to identify it (天, 人次, not 个)."""
    return frame.answer_type == "count" and frame.counter not in ("", "个", "项")


def _own_section(weights: TermWeights, frame: QuestionFrame, span: Span) -> float:
    """Return how much the span's own heading names the head entity: a subject in its own section is where the
    report gives its figures (项目支出 under （2）项目支出, not inside the 三公 section)."""
    head = entity_grams(frame)
    return weights.known_coverage(head, bigrams(span.heading)) if head else 0.0


_ITEM = re.compile(r"(?:^|[：:；;。，,])\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|[①-⑳])")


def _of_unnamed_item(weights: TermWeights, frame: QuestionFrame, filled: Filled) -> float:
    """Return 1 when the figures chosen are said of one item of a list ("2项：一是开展二次供水设施专项检查，检查
    水厂6家次") whose own words the question does not use: the figure of the whole ("全年检查水厂40家次") answers it."""
    span = filled.scored.span
    if span.is_row or not filled.facts:
        return 0.0
    asked = bigrams(frame.text)
    for fact in filled.facts:
        before = span.text[: max(0, fact.start - span.start)]
        marks = list(_ITEM.finditer(before))
        if not marks:
            continue
        title = re.split(r"[，,；;。]", before[marks[-1].end() :], maxsplit=1)[0]
        own = bigrams(title) - bigrams(f"{fact.label} {fact.subject} {counted_noun(fact)}")
        if own and weights.known_coverage(own, asked) < BOUND:
            return 1.0
    return 0.0


def _same_span(chosen: Sequence[Filled], scored: Scored) -> float:
    """Prefer spans next to what was already chosen (a sentence's continuation, the same table)."""
    for filled in chosen:
        if filled.scored.span.passage.id == scored.span.passage.id:
            return 0.1
    return 0.0


def quote_of(filled: Filled, weights: TermWeights, frame: QuestionFrame) -> Quote:
    """Quote a span from the clause that holds the first filler to the end of the last one's clause group."""
    span = filled.scored.span
    if span.is_row:
        text = render_row(span, filled.facts)
        head = entity_grams(frame)
        caption = span.table.caption if span.table is not None else ""
        prefix = ""
        if head and weights.coverage(head, bigrams(text)) < BOUND and weights.coverage(head, bigrams(caption)) >= BOUND:
            prefix = caption  # an indicator table's row (预算执行率) names its subject only in the caption
        return Quote(span, text, filled.facts, prefix)
    clauses = list(span.clause_spans) or []
    if not clauses:
        return Quote(span, span.text, filled.facts)
    window_lo, window_hi = filled.scored.window
    window_hi = max(window_lo + 1, min(len(clauses), window_hi))
    if filled.positions:
        first = min(filled.positions)
        last = max(filled.positions)
        lo = max((i for i, c in enumerate(clauses) if c.start <= first), default=0)
        hi_pos = last
    else:
        lo = window_lo
        hi_pos = clauses[window_hi - 1].start
    if any(s.kind not in FAMILIES for s in filled.slots):
        # A name, reason or description: the clauses that matched the question and what they say.
        lo = min(lo, window_lo)
        hi_pos = max(hi_pos, clauses[window_hi - 1].start)
        if span.end - clauses[lo].start <= _WHOLE_SENTENCE:
            hi_pos = clauses[-1].start
        elif any(s.kind == "remedy" for s in filled.slots):
            # A step the report commits to is quoted to the end of its clause group (the date or target that
            # closes it), not into the next step after a semicolon.
            group = next((g for g in span.group_spans if g.start <= hi_pos < g.end), None)
            if group is not None:
                hi_pos = max(c.start for c in clauses if c.start < group.end)
    # Extend back over the clauses that name the subject when the quote would start without it.
    # The first entity is a subject too ("公务接待费占…的比例": the part the share is of).
    subjects = [entity_grams(frame), *([bigrams(frame.entities[0])] if frame.entities else [])]
    for head in subjects:
        while lo > 0 and head and weights.coverage(head, bigrams("".join(c.text for c in clauses[lo:]))) < BOUND:
            if weights.coverage(head, bigrams(clauses[lo - 1].text)) > 0:
                lo -= 1
            else:
                break
    group_end = next((g.end for g in span.group_spans if g.start <= hi_pos < g.end), span.end)
    last = max((i for i, c in enumerate(clauses) if c.start <= hi_pos), default=lo)
    last = max(last, lo)
    # Go on to the end of the clause group through clauses that still state figures, so that an answer is
    # not cut off ("共发放问卷1,200份，回收有效问卷1,146份"); a descriptive tail is left out.
    while last + 1 < len(clauses) and clauses[last + 1].start < group_end:
        following = clauses[last + 1]
        states = any(following.start <= f.start < following.end for f in span.facts)
        if not states and clauses[last].end - clauses[lo].start >= _SHORT_QUOTE:
            break
        last += 1
    start = clauses[lo].start
    text = _slice(span, start, min(clauses[last].end, group_end))
    prefix = ""
    if head and weights.coverage(head, bigrams(text)) < BOUND:
        subject = next((f.subject for f in filled.facts if f.subject), "") or span.heading
        if subject and weights.coverage(head, bigrams(subject)) >= BOUND:
            prefix = subject
    # Every figure the quote shows is one the answer rests on: each is checked and warned about.
    lo_at, hi_at = start, start + len(text)
    shown = tuple(f for f in span.facts if lo_at <= f.start < hi_at)
    facts = (*filled.facts, *(f for f in shown if f not in filled.facts))
    return Quote(span, text.strip(), facts, prefix)


def _slice(span: Span, start: int, end: int) -> str:
    offset = span.start
    return span.text[start - offset : end - offset]


def render_row(span: Span, facts: Sequence[Fact]) -> str:
    """Write a table row as prose: its label, then "header value" for the cells the answer uses (every cell
    when it uses no figure of the row: a date or a name is what the cells say)."""
    table = span.table
    assert table is not None
    used = {f.start for f in facts}
    subject = next((f.subject for f in span.facts), "")
    by_column = {f.column: f for f in span.facts}
    cells = [c.strip() for c in span.text.split("|")]
    head = subject or cells[0]
    first_value = next((i for i, c in enumerate(cells) if c == head), -1) + 1  # the label cells come before
    pieces: list[str] = []
    for column, cell in enumerate(cells):
        if column < first_value:
            continue
        header = table.header[column] if column < len(table.header) else ""
        fact = by_column.get(header)
        if fact is not None:
            if used and fact.start not in used and len(span.facts) > 4:
                continue
            unit = "" if fact.text.endswith(fact.unit) or not fact.unit else fact.unit
            pieces.append(f"{header}{cell.replace(fact.text, fact.text + unit, 1)}")
        elif (
            (not used or GRADE_HEADER.search(header))  # a grade is shown with the score it goes with
            and header
            and cell not in ("", "—", "-")
            and cell != head
            and not cell.isdigit()
        ):
            pieces.append(f"{header}{cell}")
    return f"{head}：{'，'.join(pieces)}" if pieces else span.text


def budget_like(role: str) -> bool:
    return role in BUDGET_ROLES
