"""Plan an answer: look up, compute from resolved facts under checks, or refuse saying what the report states.

A lookup question is answered by lookup, never by a computation. An operation is computed only from operands
resolved per (entity, measure) in the fact table; when they cannot be resolved with confidence the plan quotes
what was found and says it cannot compute. A span is accepted only if it holds a filler of the asked kind,
absent from the question and bound to its subject; otherwise the plan refuses.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from assistant.evidence.fillers import asks_counted_kind
from assistant.evidence.scoring import Scored, binding, entity_coverage, score_spans
from assistant.evidence.spans import Span
from assistant.evidence.weights import TermWeights
from assistant.frame import QuestionFrame, per_unit
from assistant.planner import compute as ops
from assistant.planner.compute import CannotCompute, Pool
from assistant.planner.model import Computation, Plan, Quote
from assistant.planner.resolve import (
    BOUND,
    Filled,
    Slot,
    asks_earlier,
    choose,
    fact_fills,
    lookup_fact,
    period_ok,
    quote_of,
    slots_of,
    span_binding,
)
from index.facts import BUDGET_ROLES, Fact, heading_title, restatements
from index.facts.roles import is_subsequence
from index.figures import COUNT_UNITS
from index.lexicon import load
from index.models import Passage
from index.segment import names_something, segment
from index.structure import marker_of
from index.text import bigrams, normalise

MIN_SCORE = 0.12
_SECTION_BOUND = 0.6  # a section heading answers "which are the X" when it names X this well
_MAX_ITEMS = 8
_ITEM_TITLE = 40  # below this the best span shares too little with the question to be about it
_MONEY = ("money",)
_SPEND = ("spending", "actual")
_STATED_CUES: dict[str, re.Pattern[str]] = {
    "average": re.compile(r"平均|人均|每人|每户|每月|每宗|每件|每公里|标准"),
    "sum": re.compile(r"合计|总计|共计|累计|总额|小计"),
    "share": re.compile(r"占"),
}
# The stated result of an operation: a change, an adjustment, a share, or a figure its label names so.
_RESULT_CUES: dict[str, re.Pattern[str]] = {
    "difference": re.compile(r"差|增|减|降|升|提高|节约|结余|超"),
    "growth": re.compile(r"增|减|降|升|提高|同比|上年"),
    "remaining": re.compile(r"结余|结转|剩余|未支出|未使用|余额"),
    "completion": re.compile(r"完成|达到|实现"),
}
_RESULT_ROLES: dict[str, frozenset[str]] = {
    "difference": frozenset({"change", "adjustment"}),
    "growth": frozenset({"change"}),
    "remaining": frozenset(),
    "completion": frozenset({"rate"}),
}


def _states_result(frame: QuestionFrame, fact: Fact) -> bool:
    if fact.role in _RESULT_ROLES[frame.operation] or fact.family == "pp":
        return True
    return bool(_RESULT_CUES[frame.operation].search(f"{fact.label}{fact.role_word}"))


_PRONOUN = re.compile(r"^(?:它|其|该项目|该项|该单位|这个项目|此项目|那个项目)")
_PER_LABEL = re.compile(r"每(?:人|户|月|宗|件|次|公里|辆|家|年)")
_PORTION = re.compile(r"(?:的|之)(?:比例|占比|比重)")
_RATE_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}率")
_DEMONSTRATIVE = re.compile(r"^(?:这块|这部分|这一块|这方面|这项|这笔|该笔|这些)")
_WHICH_ASKED = re.compile(r"哪|谁|什么项目|which|what|who", re.IGNORECASE)
_LIST_COUNT = re.compile(r"(\d+|[两二三四五六七八九十]+)\s*(?:个|项|家|类|大)")


@dataclass
class Planner:
    """Plans answers over the facts and spans of the reports asked about."""

    weights: TermWeights
    facts: Sequence[Fact]
    report_year: str
    locate: Callable[[Fact], Span | None]
    units: tuple[str, ...] = ()
    outline: dict[tuple[str, tuple[str, ...]], list[Passage]] = field(default_factory=dict)
    # The spans of the sections whose heading path a test accepts, retrieved or not (the report's 改进措施).
    sections: Callable[[Callable[[tuple[str, ...]], bool]], list[Span]] | None = None

    def plan(self, frame: QuestionFrame, spans: Sequence[Span]) -> list[Plan]:
        """Return one plan per part of the question (one for a simple question)."""
        parts = frame.parts or (frame,)
        plans: list[Plan] = []
        for part in parts:
            named = next((p.subject for p in reversed(plans) if p.subject), "")
            if named and _PRONOUN.match(part.text):
                # "…最低的是哪个？它得了多少分": 它 is the member the earlier part named.
                part = replace(part, entities=(named,), head=named, aliases=())
            elif plans and _DEMONSTRATIVE.match(part.text) and plans[-1].frame.entities:
                # "聘用人员有多少人？这块经费花了多少？": 这块 is the subject of the part before.
                before = plans[-1].frame
                part = replace(part, entities=before.entities, head=before.head, aliases=before.aliases)
            plans.append(self._plan_part(part, spans))
        plans = _answered_elsewhere(plans, self.weights, self.report_year)
        # A quote shared by an answered part and a refusal stays with the answer (answers are written first).
        _dedupe_quotes(sorted(plans, key=lambda p: p.kind != "answer"))
        return plans

    # -- one part ------------------------------------------------------------------------------------
    def _plan_part(self, frame: QuestionFrame, spans: Sequence[Span]) -> Plan:
        frame = without_unit(frame, self.units)
        facts = self.facts
        if frame.english and not frame.entities:
            # English names its subject in words no Chinese report uses: the multilingual embedding's nearest
            # passages are where the subject is; figures are resolved among theirs.
            spans, facts = _nearest(spans, self.facts)
        self._facts_now = facts
        kind = frame.answer_types[0] if frame.answer_types else ""
        if kind in ("remedy", "reason") and self.sections is not None:
            # What will be done, and why a shortfall happened, are said in the report's own sections for them
            # (改进措施, 偏差原因, 存在的问题), which a compound question's other words may not retrieve ("…为啥拖了？
            # 今年打算怎么避免？"): their sentences join the ones retrieved.
            headings = load("genre")[kind]["headings"]
            seen = {s.key for s in spans}
            extra = self.sections(lambda path: any(w in h for h in path for w in headings))
            spans = [*spans, *(s for s in extra if s.key not in seen)]
        ranked = score_spans(frame, spans, self.weights)
        if not ranked or ranked[0].score < MIN_SCORE:
            return Plan(frame, "refuse", missing=frame.describe())
        if frame.operation in ("max", "min"):
            extreme = self._extreme(frame, ranked)
            if extreme is not None:
                return extreme
        if (below := self._beyond(frame, ranked)) is not None:
            return below
        if frame.operation != "lookup":
            stated = self._stated(frame, ranked)
            if stated is not None and frame.operation in ("average", "share", "sum"):
                return stated  # the report states it: quoted, not recomputed (a sum is checked against its parts)
            computed = self._compute(frame, ranked)
            if computed is not None:
                return computed
        if (
            frame.answer_type == "list"
            and frame.operation == "lookup"
            # A sentence that lists the kind asked and counts it ("营业厅业务分为三类：…") answers before any outline.
            and not any(asks_counted_kind(frame, s.span.text) for s in ranked[:6])
        ):
            listed = self._sections(frame, ranked)
            if listed is not None:
                return listed
        chosen, missing = choose(frame, ranked, self.weights, self.report_year)
        found, missing = self._looked_up(frame, ranked, missing)
        chosen = [*chosen, *found]
        if not chosen:
            if frame.operation == "lookup" and asks_earlier(frame, self.report_year):
                # A value before the report's year that the report does not state, of the value it states and
                # the year's change ("58个，较上年增加6个" -> 上年52个).
                earlier = self._compute(frame, ranked, self._earlier_value)
                if earlier is not None:
                    return earlier
            if frame.answer_type == "rate" and frame.operation == "lookup":
                # A rate the report does not state, of counts it does ("发放问卷500份，回收有效问卷460份").
                derived = self._compute(frame, ranked, self._rate_of_counts)
                if derived is not None:
                    return derived
            return self._refusal(frame, ranked)
        quotes = self._quotes(frame, chosen)
        if frame.operation in _RESULT_CUES and not any(_states_result(frame, f) for c in chosen for f in c.facts):
            # An operation asked that the planner could not compute, and no figure of its result is stated:
            # the figures found are quoted, not offered as the answer.
            what = frame.describe()
            return Plan(frame, "cannot_compute", quotes=quotes, missing=f"报告没有直接给出{what}，也缺少计算所需的数字")
        plan = Plan(frame, "answer", quotes=quotes)
        labels = [s.label() for s in missing if s.label()]
        if labels:
            plan.notes.append(f"报告未提及{frame.head or ''}的{'、'.join(dict.fromkeys(labels))}")
        return plan

    def _looked_up(
        self, frame: QuestionFrame, ranked: Sequence[Scored], missing: Sequence[Slot]
    ) -> tuple[list[Filled], list[Slot]]:
        """Fill the measures the retrieved spans left open from the fact table itself: a figure stated in a
        table or section retrieval did not reach is still the report's figure of that subject and role."""
        found: list[Filled] = []
        left: list[Slot] = []
        pool = self._pool(ranked)
        for slot in missing:
            fact = lookup_fact(frame, slot, pool.facts, self.weights, self.report_year, pool.prior)
            span = self.locate(fact) if fact is not None else None
            if fact is None or span is None:
                left.append(slot)
                continue
            scored = next((s for s in ranked if s.span.key == span.key), None) or Scored(
                span, 0.0, (0, len(span.clause_spans))
            )
            found.append(Filled(scored, (slot,), (fact,), (fact.start,)))
        return found, left

    def _announced(self, frame: QuestionFrame, ranked: Sequence[Scored]) -> Plan | None:
        """Answer "which are the N X" with the numbered items a sentence announces ("共实施项目6个，各项目执行情况
        如下：" then （1）…（6）): the items after it in its section, as many as the question counts, if it counts."""
        expected = _group_size(frame.text)
        for scored in ranked[:3]:
            span = scored.span
            if span.is_row or not re.search(r"如下[：:]\s*$", span.text):
                continue
            if span_binding(self.weights, frame, span, strict=False) < BOUND:
                continue
            key = (span.passage.document_id, span.passage.section_path)
            items = [item for item in self._items(key) if item[1] > span.start]
            if len(items) < 2 or (expected and len(items) != expected):
                continue
            quotes = []
            for passage, start, title in items[:_MAX_ITEMS]:
                quotes.append(Quote(Span(passage, 0, start, start + len(title), title, passage.section, ""), title))
            return Plan(frame, "answer", quotes=quotes)
        return None

    def _sections(self, frame: QuestionFrame, ranked: Sequence[Scored]) -> Plan | None:
        """Answer "which are the X" with the headings of the section the report gives X (its sub-sections)."""
        if (announced := self._announced(frame, ranked)) is not None:
            return announced
        best: tuple[float, tuple[str, tuple[str, ...]]] | None = None
        for scored in ranked[:6]:
            path = scored.span.passage.section_path
            for depth in range(1, len(path) + 1):
                key = (scored.span.passage.document_id, path[:depth])
                if len(self.outline.get(key, [])) < 2 and len(self._items(key)) < 2:
                    continue
                title = heading_title(path[depth - 1])
                if frame.asked_noun and frame.asked_noun not in title:
                    continue  # "哪几家企业" asks for companies: a section named after the subject lists its parts
                cover = max(
                    (entity_coverage(self.weights, frame, e, bigrams(title)) for e in frame.entities), default=0.0
                )
                if cover >= _SECTION_BOUND and (best is None or cover > best[0]):
                    best = (cover, key)
        if best is None:
            return None
        quotes = []
        children = self.outline.get(best[1], [])
        if len(children) >= 2:
            for passage in children[:_MAX_ITEMS]:
                title = passage.section_path[len(best[1][1])]
                span = Span(passage, 0, passage.start, passage.start + len(title), title, heading_title(title), "")
                quotes.append(Quote(span, title))
        else:
            for passage, start, title in self._items(best[1])[:_MAX_ITEMS]:
                span = Span(passage, 0, start, start + len(title), title, passage.section, "")
                quotes.append(Quote(span, title))
        return Plan(frame, "answer", quotes=quotes)

    def _items(self, key: tuple[str, tuple[str, ...]]) -> list[tuple[Passage, int, str]]:
        """Return the numbered items of a section ("（一）预算执行进度不够均衡。…"): passage, offset, title."""
        items: list[tuple[Passage, int, str]] = []
        for passage in self.outline.get((key[0], (*key[1], "")), []):
            offset = passage.start
            for line in passage.text.split("\n"):
                if marker_of(line) and not line.startswith(passage.section_path[-1] if passage.section_path else "\0"):
                    title = re.split(r"[。；;：:]", line, maxsplit=1)[0][:_ITEM_TITLE]
                    items.append((passage, offset, title))
                offset += len(line) + 1
        return items

    def _stated(self, frame: QuestionFrame, ranked: Sequence[Scored]) -> Plan | None:
        """Return a lookup plan when the report states the result an operation asks for (平均得分90.43分)."""
        cue = _STATED_CUES.get(frame.operation)
        if cue is None:
            return None
        chosen, _ = choose(frame, ranked, self.weights, self.report_year)

        def own_words(label: str) -> str:
            # The cue is the label's own word, not a piece of the subject's name (标准 in 高标准苗圃).
            for entity in sorted(frame.entities, key=len, reverse=True):
                label = label.replace(entity, "") if entity else label
            return label

        hits = [
            c
            for c in chosen
            if any(
                cue.search(own_words(f.label)) or (f.role == "share" and frame.operation == "share") for f in c.facts
            )
        ]
        if not hits:
            return None
        plan = Plan(frame, "answer", quotes=self._quotes(frame, hits))
        if frame.operation == "sum":
            pool = self._pool(ranked)
            for filled in hits:
                for total in filled.facts:
                    members = [
                        f
                        for f in self._members(frame, pool, (total.role,))
                        if f.start != total.start and f.family == total.family
                    ]
                    if len(members) >= 2:
                        plan.computations.append(ops.against_stated_sum(ops.total("分项合计", members), total))
        return plan

    def _quotes(self, frame: QuestionFrame, chosen: Sequence[Filled]) -> list[Quote]:
        quotes: list[Quote] = []
        chosen = [self._in_prose(f) for f in chosen]
        for filled in sorted(chosen, key=lambda f: (f.scored.span.passage.document_id, f.scored.span.start)):
            quote = quote_of(filled, self.weights, frame)
            if any(q.text == quote.text for q in quotes):
                continue
            quotes.append(quote)
        return quotes

    def _in_prose(self, filled: Filled) -> Filled:
        """Quote the report's own sentence for figures of a table row that the subject's section states in
        prose as well ("本项目调整后预算800.00万元…"): the sentence says what the row's cells only list."""
        span = filled.scored.span
        if not span.is_row or not filled.facts or any(f.family != "money" for f in filled.facts):
            return filled  # a funds table restated in prose; a score or grade is what the row itself says
        prose: list[Fact] = []
        for fact in filled.facts:
            same = next((r for r in restatements(self.facts, fact) if not r.in_table), None)
            if same is None:
                return filled
            prose.append(same)
        located = [self.locate(p) for p in prose]
        first = located[0]
        if first is None or any(s is None or s.key != first.key for s in located):
            return filled
        scored = Scored(first, filled.scored.score, (0, len(first.clause_spans)))
        return Filled(scored, filled.slots, tuple(prose), tuple(p.start for p in prose))

    def _refusal(self, frame: QuestionFrame, ranked: Sequence[Scored]) -> Plan:
        """Refuse; say what the report does state about the subject when a span is clearly about it."""
        plan = Plan(frame, "refuse", missing=frame.describe())
        for scored in ranked[:3]:
            if span_binding(self.weights, frame, scored.span) >= 0.75 and scored.score >= 2 * MIN_SCORE:
                filled = Filled(scored, (), (), ())
                plan.quotes.append(quote_of(filled, self.weights, frame))
                break
        return plan

    # -- operations ----------------------------------------------------------------------------------
    def _pool(self, ranked: Sequence[Scored]) -> Pool:
        facts = getattr(self, "_facts_now", None)
        facts = self.facts if facts is None else facts
        if ranked and len({f.document_id for f in facts}) > 1:
            # Several reports indexed together: a figure is computed from, and looked up in, one report — the
            # one whose passage answers best — never from the figures of two.
            document = ranked[0].span.passage.document_id
            facts = [f for f in facts if f.document_id == document]
        return Pool.build(ranked, facts, self.weights, self.report_year)

    def _compute(
        self,
        frame: QuestionFrame,
        ranked: Sequence[Scored],
        handler: Callable[[QuestionFrame, Pool], list[Computation]] | None = None,
    ) -> Plan | None:
        pool = self._pool(ranked)
        handler = handler or {
            "remaining": self._remaining,
            "difference": self._difference,
            "growth": self._growth,
            "share": self._share,
            "sum": self._sum,
            "average": self._average,
            "implied_target": self._implied,
            "completion": self._completion,
            "deduction": self._deduction,
            "net": self._net,
        }.get(frame.operation)
        if handler is None:
            return None
        try:
            computations = handler(frame, pool)
        except CannotCompute as exc:
            plan = Plan(frame, "cannot_compute", missing=exc.reason)
            plan.quotes = [q for f in exc.found if (q := self._fact_quote(frame, f, ranked)) is not None]
            return plan
        if not computations:
            return None
        plan = Plan(frame, "answer", computations=computations)
        for computation in computations:
            for quote in self.operand_quotes(frame, computation, ranked):
                if not any(q.span.key == quote.span.key for q in plan.quotes):
                    plan.quotes.append(quote)
        return plan

    def _fact_quote(self, frame: QuestionFrame, fact: Fact, ranked: Sequence[Scored]) -> Quote | None:
        """Quote the span that states a fact (a retrieved one, or the one the fact table points to)."""
        if fact.in_table and fact.family == "money":
            # The same sum in the prose of its subject's section is the sentence to quote.
            prose = next((r for r in restatements(self.facts, fact) if not r.in_table), None)
            fact = prose if prose is not None and self.locate(prose) is not None else fact
        scored = next((s for s in ranked if fact in s.span.facts), None)
        if scored is None:
            span = self.locate(fact)
            if span is None:
                return None
            scored = Scored(span, 0.0, (0, len(span.clause_spans)))
        return quote_of(Filled(scored, (), (fact,), (fact.start,)), self.weights, frame)

    def operand_quotes(self, frame: QuestionFrame, computation: Computation, ranked: Sequence[Scored]) -> list[Quote]:
        """Quote the spans that state a computation's operands."""
        quotes: list[Quote] = []
        for fact in computation.operands:
            quote = self._fact_quote(frame, fact, ranked)
            if quote is not None and not any(q.span.key == quote.span.key for q in quotes):
                quotes.append(quote)
        return quotes

    def _entity(self, frame: QuestionFrame) -> str:
        return frame.head or (frame.entities[0] if frame.entities else "")

    def _spend_measure(self, frame: QuestionFrame) -> tuple[str, ...]:
        named = [m.role for m in frame.measures if m.role not in ("share", "change", "rate")]
        return tuple(dict.fromkeys(named)) or _SPEND

    def _any_measure(self, frame: QuestionFrame) -> tuple[str, ...]:
        """The roles a comparison may take: those named, else any amount of the subject."""
        named = [m.role for m in frame.measures if m.role not in ("share", "change")]
        return tuple(dict.fromkeys(named)) or (
            *_SPEND,
            "amount",
            "count",
            "income",
            "budget",
            "adjusted_budget",
            "rate",
        )

    def _remaining(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        entity = self._entity(frame)
        done, done_before = _deeds_asked(frame.text)
        if frame.counter or frame.answer_type == "count":
            for deed in dict.fromkeys(w for w in (done or done_before, *frame.negated) if w):
                if found := self._remaining_count(pool, entity, deed):
                    return found
            return []
        if done_before and not done:
            return self._unspent_of_deed(pool, entity, done_before)
        budget = pool.find(entity, ops.budget_roles(frame), _MONEY)
        if budget is None:
            return []
        spent = None
        if done:
            # "有多少钱没有实际到位": what the question says was not done (到位, 拨付) is taken off, not spending.
            spent = pool.find(
                entity,
                (*_SPEND, "amount"),
                _MONEY,
                exclude=[budget],
                where=lambda f: done in f.label + f.column and f.base <= budget.base,
            )
        spent = spent or pool.find(entity, _SPEND, _MONEY, exclude=[budget])
        if spent is None or spent.base > budget.base:
            return []  # what is spent of a budget is at most the budget: a larger spending is another subject's
        label = "未支出（结余）" if spent.role in _SPEND and not done else f"未{done or '支出'}"
        return [ops.difference(label, budget, spent, "remaining")]

    def _earlier_value(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        """The value before the report's year: the value the report states less the change over the year it
        states beside it in one sentence, of one counter — "较上年增加6条" (or plus a decrease), or what the year
        added to a cumulative count ("累计建成58个，其中2024年新建6个"). Never from a change stated as a rate."""
        entity = self._entity(frame)
        families = ("count", "money", "measure", "duration")
        inflows = load("genre")["flows"]["in"]

        def of_the_year(f: Fact) -> bool:  # what the year added ("2024年新建6个"), not what there is
            return self.report_year in f.label or any(w in f.label for w in inflows)

        if any(w in frame.text for w in inflows):
            return []  # "2023年新建了多少": what an earlier year added, which no stock less a change tells

        current = pool.find(entity, self._any_measure(frame), families, where=lambda f: not of_the_year(f))
        if current is None:
            return []
        same = _in_sentence_of(current)
        previous_words = load("roles")["subjects"]["previous_period"]

        def of_one_kind(f: Fact) -> bool:
            return same(f) and f is not current and f.family == current.family and f.counter == current.counter

        change = pool.find(
            entity,
            ("change",),
            families,
            where=lambda f: of_one_kind(f) and f.start > current.start and any(w in f.label for w in previous_words),
        )
        if frame.previous_period:
            label = "上年数（推算）"
        elif self.report_year in frame.years:
            label = f"{self.report_year}年以前（推算）"
        else:
            label = f"{frame.years[0]}年（推算）"
        if change is not None:
            fell = any(w in change.label for w in load("genre")["earlier"]["fell"])
            if fell:
                return [replace(ops.total(label, [current, change]), operation="earlier")]
            if change.base > current.base:
                return []
            return [ops.difference(label, current, change, "earlier")]
        if not any(w in current.label for w in load("genre")["earlier"]["cumulative"]):
            return []
        # What the year added, in the sentence of the cumulative count: of the entity, or of no subject of its own
        # ("累计建成监测点120个，其中2024年新建15个").
        added = next(
            (
                f
                for f in pool.facts
                if of_one_kind(f)
                and of_the_year(f)
                and f.period == "current"
                and (pool.bind(entity, f) >= BOUND or not names_something(_without(f.subject, inflows)))
            ),
            None,
        )
        if added is None or added.base > current.base:
            return []
        return [ops.difference(label, current, added, "earlier")]

    def _unspent_of_deed(self, pool: Pool, entity: str, deed: str) -> list[Computation]:
        """What is not spent of the money a deed brought ("平台已拨付的资金还有多少没花出去"): the amount the
        report says was so (拨付 of 到位: one deed) less the spending, never the budget less the spending."""
        same = _deed_group(deed)
        whole = pool.find(
            entity,
            (*BUDGET_ROLES, "amount"),
            _MONEY,
            where=lambda f: any(w in f.label + f.column for w in same),
        )
        if whole is None:
            return []
        spent = pool.find(entity, _SPEND, _MONEY, exclude=[whole], where=_in_sentence_of(whole)) or pool.find(
            entity, _SPEND, _MONEY, exclude=[whole]
        )
        if spent is None or spent.base > whole.base:
            return []
        return [ops.difference(f"已{deed}未支出", whole, spent, "remaining")]

    def _net(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        """What came in less what went out, both stated in one sentence of the entity with one counter
        ("新增纳入补助的困难户35户，退出12户"); never when the sentence states the net change itself, or more
        flows than one each way (what else went out, the report may not say)."""
        flows = load("genre")["flows"]
        entity = self._entity(frame)
        sentences: dict[tuple[str, int], list[Fact]] = {}
        for fact in pool.facts:
            if fact.family == "count":
                sentences.setdefault((fact.document_id, fact.sentence_start), []).append(fact)
        for group in sentences.values():
            if any(f.role == "change" for f in group):
                continue  # "比上年减少2人（调入1人、调出3人、退休1人）": the report states the net itself
            ins = [f for f in group if any(w in f.label for w in flows["in"])]
            outs = [f for f in group if f not in ins and any(w in f.label for w in flows["out"])]
            if len(ins) != 1 or len(outs) != 1 or ins[0].counter != outs[0].counter:
                continue
            if max(pool.bind(e, f) for e in frame.entities or (entity,) for f in group) < BOUND:
                continue
            came, went = ins[0], outs[0]
            return [ops.difference("净增加" if came.base >= went.base else "净减少", came, went, "net")]
        return []

    def _rate_of_counts(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        """A rate named after a deed (回收率, 整改率) as the count of the deed over the count it is of, both
        stated in one sentence with one counter ("发放问卷500份，回收有效问卷460份")."""
        words = _RATE_WORD.findall(frame.text)
        deed = next((e for e in reversed(frame.entities) if e in frame.verbs), frame.head)
        if not words and _PORTION.search(frame.text) and deed:
            # "排查的渗漏点中，完成修复的比例": the portion of the whole that the deed named last (or the head) names.
            words = [deed + "率"]
        for word in words:
            deeds = [t.word for t in segment(word[:-1]) if len(t.word) >= 2]
            found = _done_of_whole(pool, frame.entities, deeds[-1]) if deeds else None
            if found is not None:
                whole, part = found
                return [ops.ratio(word if word in frame.text else "比例", part, whole)]
        return []

    def _remaining_count(self, pool: Pool, entity: str, done: str) -> list[Computation]:
        """What is left of a counted whole: the whole and the part done, stated together (one sentence, one
        unit) about the entity ("排查堤防渗漏点40处，完成修复32处")."""
        found = _done_of_whole(pool, (entity,), done) if done else None
        if found is None:
            return []
        whole, part = found
        return [ops.difference(f"未{done}", whole, part, "remaining")]

    def _difference(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        entities = [e for e in frame.entities if e]
        roles = self._any_measure(frame)
        families = ("money", "count", "percent", "score", "duration", "measure")
        if len(entities) >= 2:
            a = pool.find(entities[0], roles, families)
            b = pool.find(entities[1], roles, families, exclude=[a] if a else [])
            if (
                a is not None
                and b is not None
                and pool.bind(entities[0], a) > pool.bind(entities[1], a)
                and pool.bind(entities[1], b) > pool.bind(entities[0], b)
            ):
                return [ops.difference("相差", a, b)]
        entity = self._entity(frame)
        measures = [m.role for m in frame.measures if m.role not in ("change",)]
        if "target" in measures:
            # "离目标还差多少": the value achieved set against the target stated beside it (its row or sentence),
            # of the targets about the subject the best bound first.
            targets = sorted(
                (f for f in pool.facts if f.role == "target" and f.family in families and f.period == "current"),
                key=lambda f: -pool.bind(entity, f),
            )
            for target in targets[:3]:
                if pool.bind(entity, target) < BOUND:
                    break
                achieved = pool.find(
                    entity,
                    ("actual", "rate", "share", "count", "amount", "score", *_SPEND),
                    (target.family,),
                    exclude=[target],
                    where=_beside_of_counter(target),
                )
                if achieved is not None:
                    return [ops.difference("与目标相差", target, achieved)]
        comparable = len(set(measures)) >= 2 and (
            set(measures[:2]) <= BUDGET_ROLES or set(measures[:2]) <= {"spending", "actual"}
        )
        if comparable:
            a = pool.find(entity, (measures[0],), families)
            b = pool.find(entity, (measures[1],), families, exclude=[a] if a else [])
            if a is not None and b is not None:
                return [ops.difference("相差", a, b)]
        if len(set(measures)) >= 2 and set(measures) & BUDGET_ROLES and set(measures) & set(_SPEND):
            # "预算数和实际支出之间相差多少": what was budgeted less what was spent, of one subject.
            budget = pool.find(entity, ops.budget_roles(frame), _MONEY)
            spent = pool.find(entity, _SPEND, _MONEY, exclude=[budget] if budget else [])
            if budget is not None and spent is not None:
                return [ops.difference("相差", budget, spent)]
        if frame.previous_period or len(frame.years) >= 2:
            current = pool.find(entity, roles, families)
            earlier = self._earlier_year(frame)
            previous = (
                pool.find(
                    entity,
                    (current.role,),
                    families,
                    period="previous",
                    where=lambda f: ops.same_thing(current, f) and earlier(f),
                )
                if current is not None
                else None
            )
            if current is None or previous is None:
                return []  # a change over periods not found is not a budget's adjustment within the year
            changes = [ops.difference("增加额" if current.base >= previous.base else "减少额", current, previous)]
            stated = _stated_change(pool, entity, current, previous)
            amount = _stated_change(pool, entity, current, previous, current.family)
            if stated is not None and amount is None and current.family != "percent":
                # The report states the change only as a rate: check that rate against its own two figures.
                changes = [ops.against_stated(ops.growth(current, previous)[-1], stated)]
            return changes
        budgets = [m.role for m in frame.measures if m.role in BUDGET_ROLES]
        if len(set(budgets)) == 1 and budgets[0] != "initial_budget":
            initial = pool.find(entity, ("initial_budget",), _MONEY)
            adjusted = pool.find(entity, ("adjusted_budget",), _MONEY)
            if initial is not None and adjusted is not None:
                return [ops.difference("调整额", adjusted, initial)]
        return []

    def _growth(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        entity = self._entity(frame)
        families = ("money", "count", "percent", "duration", "measure")
        roles = self._any_measure(frame)
        current = pool.find(entity, roles, families)
        if current is None:
            return []
        earlier = self._earlier_year(frame)
        previous = pool.find(
            entity,
            tuple(dict.fromkeys((current.role, *roles))),
            (current.family,),
            period="previous",
            where=lambda f: ops.same_thing(current, f) and earlier(f),
        )
        if previous is None:
            return []
        rate = ops.growth(current, previous)[-1]  # the rate asked, not the difference as well
        stated = _stated_change(pool, entity, current, previous)
        return [ops.against_stated(rate, stated) if stated is not None else rate]

    def _earlier_year(self, frame: QuestionFrame) -> Callable[[Fact], bool]:
        """The earlier side of a comparison: of the year it names ("2024年比2023年"), or of the year before the
        report's when it says 上年 — a figure of that year, or one the report gives as 上年 without a year. Any
        earlier figure when it names neither."""
        if not self.report_year.isdigit():
            return lambda f: True
        before = str(int(self.report_year) - 1)
        earlier = sorted(y for y in set(frame.years) if y < self.report_year)
        if not earlier and not frame.previous_period:
            return lambda f: True
        asked = earlier[-1] if earlier else before  # 上年: the year before the report's
        return lambda f: f.year == asked or (not f.year and asked == before)

    def _share(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        if of_stated := self._share_of_stated_whole(frame, pool):
            return of_stated
        part_name, whole_name = _split_share(frame)
        named = [m.role for m in frame.measures if m.role not in ("share", "change", "rate")]
        # No measure named ("专用设备占固定资产原值的比例"): an amount or count of the part, of any role.
        roles = tuple(dict.fromkeys(named)) or (*_SPEND, "amount", "count", "income", "budget", "adjusted_budget")
        whole_roles: tuple[str, ...] = ()
        pivot = next((p for p in _SHARE_PIVOTS if p in frame.text), "")
        if pivot:
            # "年中追加的金额相当于年初预算的百分之多少": the measure before the pivot is the part's, after it the whole's.
            before = frame.text.split(pivot, 1)[0]
            sides = [m for m in frame.measures if m.role not in ("share", "change", "rate")]
            part_side = tuple(dict.fromkeys(m.role for m in sides if m.word in before))
            whole_side = tuple(dict.fromkeys(m.role for m in sides if m.word not in before))
            if part_side and whole_side:
                roles, whole_roles = part_side, whole_side
        if not part_name and not whole_roles:
            return []  # no part named: nothing to divide
        any_role = (*_SPEND, "amount", "count", "income", "budget", "adjusted_budget")
        part = pool.find(part_name, roles, ("money", "count", "measure"))
        if part is None and named and not whole_roles:
            whole_roles = roles
            # "管网工程占…工程实际支出的比例": the measure named is the whole's; the part is the amount its
            # own words name, of whatever role.
            part = pool.find(part_name, any_role, ("money", "count", "measure"))
        if part is None:
            return []
        stated = pool.find(part_name, ("share",), ("percent",))
        if (
            stated is not None
            and pool.bind(part_name, stated) >= 0.8
            and whole_name
            and pool.bind(whole_name, stated) >= BOUND
        ):
            return []  # the report states this share itself: quote it, do not recompute

        # The part as the report states it anywhere: a table row restated in its subject's prose is one figure.
        places = [part, *restatements(self.facts, part)]

        def contains(f: Fact) -> bool:
            # The whole is as wide as the part or wider: at its level of the outline or above it.
            return f.base >= part.base and any(tuple(p.scope[: len(f.scope)]) == f.scope for p in places)

        # The whole is an amount of the same kind: spending of spending, never a budget for a spending (that
        # is an execution rate, not a share).
        kinds = whole_roles or tuple(
            dict.fromkeys((part.role, "amount", *(_SPEND if part.role in (*_SPEND, "amount") else ())))
        )
        whole = None
        if not whole_name:
            # The whole is the reporting unit's own total (全年实际支出): a figure of no subject, or a total.
            whole = pool.find(
                "",
                kinds,
                (part.family,),
                exclude=[part],
                where=lambda f: contains(f) and (f.generic or ops.is_total(f)),
            )
        whole = whole or pool.find(whole_name, kinds, (part.family,), exclude=[part], where=contains)
        if whole is None:
            return []
        return [ops.share(part, whole)]

    def _share_of_stated_whole(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        """The share of a whole the question names by its own figure ("1.50亿元专项债资金里，已经支付的占多大比例"):
        the report's figure of that value and subject is the whole; the part is the figure its sentence says the
        deed asked of (支付, 拨付), after the figure or before it. Nothing when no such figure is stated."""
        deeds = [m.word for m in frame.measures if m.role not in ("share", "rate", "change")]
        deeds += [w for w in _deeds_asked(frame.text) if w]
        if not frame.values or not deeds or not frame.entities:
            return []
        wholes = [
            f
            for f in pool.facts
            if f.value in frame.values
            and f.family in ("money", "count", "measure")
            and f.period == "current"
            and normalise(f.text) in frame.numbers
            and max(pool.bind(e, f) for e in frame.entities) >= BOUND
        ]
        for whole in wholes:
            same = _in_sentence_of(whole)
            parts = [
                f
                for f in pool.facts
                if same(f)
                and f is not whole
                and f.family == whole.family
                and f.counter == whole.counter
                and f.base <= whole.base
                and any(w in f.label + f.after for w in deeds)
            ]
            if len(parts) == 1:
                return [ops.share(parts[0], whole)]
        return []

    def _beyond(self, frame: QuestionFrame, ranked: Sequence[Scored]) -> Plan | None:
        """Answer "which of the group are below (above) N%" ("哪几个项目执行率低于85%") from one rate per member of
        the group, each named with its rate; None when the question sets no such bound or no group is found."""
        bound = _BEYOND.search(frame.text)
        if bound is None or not _WHICH_ASKED.search(frame.text):
            return None
        limit = float(bound.group(2))
        below = bound.group(1) in _BELOW
        # The comparison names no member: an entity is cut before it ("重点项目执行率低于" -> 重点项目执行率), and
        # that names the group the members are of.
        cut = [e.split(bound.group(1))[0] for e in frame.entities]
        group = next((c for c, e in zip(cut, frame.entities, strict=True) if c != e and len(c) >= 2), "")
        kept = tuple(c for c in cut if len(c) >= 2)
        frame = replace(frame, entities=kept, head=group or (frame.head if frame.head in kept else ""))
        pool = self._pool(ranked)
        named = [m.role for m in frame.measures if m.role in ("rate", "share")] or ["rate"]
        # The count the question gives is of the members picked ("两个项目低于85%"), not of the group.
        members = [m for m in self._members(frame, pool, named, 0) if m.subject and m.family == "percent"]
        if len(members) < 2:
            return None
        picked = [m for m in members if (m.value_used < limit if below else m.value_used > limit)]
        word = f"{bound.group(1)}{bound.group(2)}%"
        listing = "、".join(f"{m.subject}{ops.shown(m)}" for m in members)
        if not picked:
            plan = Plan(frame, "answer", quotes=[q for m in members[:2] if (q := self._fact_quote(frame, m, ranked))])
            plan.notes.append(f"{len(members)}项中没有{word}的；各项为{listing}")
            return plan
        quotes = []
        for member in picked:
            quote = self._fact_quote(frame, member, ranked)
            if quote is not None and quote.span.is_row:
                # A row is quoted by the one cell compared, not by every cell of it.
                quote = replace(quote, text=f"{member.subject}：{member.column}{ops.shown(member)}", prefix="")
            if quote is not None:
                quotes.append(quote)
        if not quotes:
            return None
        plan = Plan(frame, "answer", quotes=quotes)
        chosen = "、".join(f"{m.subject}（{ops.shown(m)}）" for m in picked)
        plan.notes.append(f"{len(members)}项中{word}的是{chosen}")
        return plan

    def _members(
        self, frame: QuestionFrame, pool: Pool, roles: Sequence[str], expected: int | None = None
    ) -> list[Fact]:
        """Return one fact per member of a group the question names (several entities, or a table's rows), as many
        as the question counts (`expected`: that count; 0 for any, and then the entities name the group only)."""
        entities = [e for e in frame.entities if e]
        families = ("money", "count", "score", "percent")
        if len(entities) >= 2 and expected is None:
            found = [pool.find(e, roles, families) for e in entities]
            members = [f for f in found if f is not None]
            if len(members) == len(entities) and len({m.start for m in members}) == len(members):
                return members
        expected = _group_size(frame.text) if expected is None else expected
        for table_facts in _by_table(pool.facts, roles):
            rows = [f for f in table_facts if not ops.is_total(f)]
            if expected and len(rows) != expected:
                continue
            if len(rows) >= 2 and pool.bind(self._entity(frame), rows[0]) >= 0.3:
                return rows
        return self._section_members(frame, pool, roles, expected)

    def _section_members(self, frame: QuestionFrame, pool: Pool, roles: Sequence[str], expected: int) -> list[Fact]:
        """Return one fact per sub-section of the section the report gives the group ("两个重点任务项目":
        the section 重点任务项目 and its two sub-sections), resolved from the report's own list."""
        families = ("money", "count", "score", "percent")
        for (document_id, path), children in self.outline.items():
            if not path or not path[-1] or len(children) < 2 or (expected and len(children) != expected):
                continue
            title = heading_title(path[-1])
            if (
                max((entity_coverage(self.weights, frame, e, bigrams(title)) for e in frame.entities), default=0)
                < _SECTION_BOUND
            ):
                continue
            members: list[Fact] = []
            for child in children:
                scope = child.section_path[: len(path) + 1]
                found = pool.find("", roles, families, where=_under(document_id, scope))
                if found is None:
                    break
                members.append(found)
            if len(members) == len(children):
                return members
        return self._item_members(frame, pool, roles, expected)

    def _item_members(self, frame: QuestionFrame, pool: Pool, roles: Sequence[str], expected: int) -> list[Fact]:
        """As `_section_members`, for a group the report lists as numbered items of one section."""
        families = ("money", "count", "score", "percent")
        for (document_id, path), passages in self.outline.items():
            if not path or path[-1] != "" or not passages:
                continue
            key = (document_id, path[:-1])
            title = heading_title(key[1][-1]) if key[1] else ""
            if (
                max((entity_coverage(self.weights, frame, e, bigrams(title)) for e in frame.entities), default=0)
                < _SECTION_BOUND
            ):
                continue
            items = self._items(key)
            if len(items) < 2 or (expected and len(items) != expected):
                continue
            bounds = [start for _, start, _ in items] + [passages[-1].end]
            members: list[Fact] = []
            for lo, hi in itertools.pairwise(bounds):
                found = pool.find("", roles, families, where=_between(document_id, lo, hi))
                if found is None:
                    break
                members.append(found)
            if len(members) == len(items):
                return members
        return []

    def _sum(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        out: list[Computation] = []
        measures: list[str] = [m.role for m in frame.measures if m.role not in ("rate", "share", "change")]
        measures = measures or list(_SPEND)
        for role in dict.fromkeys(measures):
            members = self._members(frame, pool, (role,) if role not in _SPEND else _SPEND)
            if len(members) < 2:
                continue
            word = next((m.word for m in frame.measures if m.role == role), "")
            out.append(ops.total(f"{word}合计", members))
        budgets = [c for c in out if c.operands and c.operands[0].role in BUDGET_ROLES]
        spent = [c for c in out if c.operands and c.operands[0].role in _SPEND]
        if any(m.role == "rate" for m in frame.measures) and budgets and spent:
            # "综合执行率": the total spending over the total budget.
            out.append(ops.combined_rate(spent[0], budgets[0]))
        return out

    def _average(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        entity = self._entity(frame)
        counter = frame.counter or per_unit(frame.text)
        per = _per_entity(frame)
        if per in COUNT_UNITS:
            per = ""  # "每公里", "每人次": a unit to divide by, named by the counter branch
        money_roles = (*self._spend_measure(frame), "amount", "budget", "spending")
        pool = replace(pool, facts=tuple(f for f in pool.facts if not _PER_LABEL.search(f.label)))  # 每人每月170元 is
        # already an amount per unit: it is never divided again
        count_roles = ("count", "actual")
        if counter:
            # "平均每亩花了多少", "每辆车拿到多少": the count of that unit divides the amount.
            count = pool.find(
                entity,
                count_roles,
                ("count", "measure", "duration"),
                where=lambda f: counter in (f.counter, f.unit) or f.unit.endswith(counter),
            )
            if count is not None:
                # The amount stated beside the count (its sentence) is the one it divides; else the entity's.
                amount = pool.find(entity, money_roles, _MONEY, where=_in_sentence_of(count)) or pool.find(
                    entity, money_roles, _MONEY
                )
                if amount is not None:
                    return [ops.per_unit(amount, count)]
        if per:
            # "平均每个（每份）行政处罚决定对应的罚没款": the count is of the entity after 每, the amount of the other —
            # whatever counter the report counts it by.
            others = [e for e in frame.entities if e != per and per not in e] or [entity]
            count = pool.find(per, count_roles, ("count", "measure", "duration"))
            amount = pool.find(others[-1], money_roles, _MONEY)
            if count is not None:
                # "审核村级供水工程24个，累计核减金额48.00万元": the amount the count's own sentence states (the one the
                # question's measure names, when it states several) is what is divided.
                in_its_sentence = _in_sentence_of(count)
                beside = [
                    f
                    for f in pool.facts
                    if f.family == "money" and f.role in money_roles and f.period == "current" and in_its_sentence(f)
                ]
                named = [f for f in beside if any(m.word in f.label for m in frame.measures)]
                amount = next(iter(named if len(named) == 1 else beside if len(beside) == 1 else ()), amount)
            if amount is not None and count is not None:
                return [ops.per_unit(amount, count)]
        if _group_size(frame.text) or "各" in frame.text:  # "4个项目平均得分": the mean over a named group
            members = self._members(frame, pool, [m.role for m in frame.measures] or ["score"])
            if len(members) >= 2:
                return [ops.mean("平均", members)]
        return []

    def _implied(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        """The target a completion rate implies: what was done and its rate of completion, stated together
        (in one clause group) about the entity."""
        entity = self._entity(frame)
        best: tuple[float, Fact, Fact] | None = None
        for rate in pool.facts:
            if rate.family != "percent" or rate.role != "rate" or "完成" not in rate.label + rate.role_word:
                continue
            for done in pool.facts:
                if (
                    done.sentence_start != rate.sentence_start
                    or done.document_id != rate.document_id
                    or done.start >= rate.start
                    or done.family not in ("count", "money")
                    or done.role == "target"
                    or (frame.counter and done.counter != frame.counter)
                ):
                    continue
                score = pool.bind(entity, done) + pool.bind(entity, rate)
                if best is None or score > best[0]:
                    best = (score, done, rate)
        if best is None or best[0] < 2 * BOUND:
            return []
        return [ops.implied_target(best[1], best[2])]

    def _completion(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        """What was achieved over its own target: the two of one subject, of one unit (the target and actual
        cells of one indicator row when a table states them)."""
        entity = self._entity(frame)
        families = ("count", "money", "measure", "duration")
        target = pool.find(entity, ("target",), families)
        if target is None:
            return []

        def alike(f: Fact) -> bool:
            return f.family == target.family and f.counter == target.counter and f.unit == target.unit

        def same_row(f: Fact) -> bool:
            return alike(f) and (f.document_id, f.table, f.row) == (target.document_id, target.table, target.row)

        roles = ("actual", "count", "spending", "amount")
        actual = (
            pool.find(entity, roles, families, exclude=[target], where=same_row) if target.in_table else None
        ) or (pool.find(entity, roles, families, exclude=[target], where=alike))
        if actual is None:
            return []
        return [ops.ratio("完成率", actual, target)]

    def _deduction(self, frame: QuestionFrame, pool: Pool) -> list[Computation]:
        if re.search(r"最多|最大|最高", frame.text):
            return self._most_deducted(pool)
        entity = self._entity(frame)
        score = pool.find(entity, ("score",), ("score",))
        if score is None:
            return []
        in_its_sentence = _in_sentence_of(score)
        weight = pool.find(
            entity,
            ("weight",),
            ("score",),
            # The weight of the same item: its table row, or the sentence that states the score.
            where=lambda f: (f.table == score.table and f.row == score.row) if score.in_table else in_its_sentence(f),
        )
        if weight is None or weight.base < score.base:
            return []
        return [ops.deduction(weight, score)]

    def _most_deducted(self, pool: Pool) -> list[Computation]:
        """The item that lost most points, of the rows of a scoring table (each pairs a weight with a score)."""
        pairs: list[tuple[float, Fact, Fact]] = []
        for weight in pool.facts:
            if weight.role != "weight" or not weight.in_table or ops.is_total(weight):
                continue
            for score in pool.facts:
                same = (score.table, score.row) == (weight.table, weight.row)
                if score.role == "score" and same and score.document_id == weight.document_id:
                    pairs.append((weight.value_used - score.value_used, weight, score))
        if not pairs:
            return []
        lost, weight, score = max(pairs, key=lambda p: p[0])
        if lost <= 0:
            return []
        return [ops.deduction(weight, score)]

    def _extreme(self, frame: QuestionFrame, ranked: Sequence[Scored]) -> Plan | None:
        """Answer "which of the group is highest/lowest" from one figure per member of the group (a table's
        rows, or the sub-sections the report gives the group), all of one role and unit: the member is named
        with its figure and the figures it was compared with."""
        if not _WHICH_ASKED.search(frame.text):
            return None  # "最高达到多少": a figure asked, not a member of a group
        pool = self._pool(ranked)
        named = [m.role for m in frame.measures if m.role != "change"]
        for roles in ([named[0]],) if named else (["rate"], ["score"], list(_SPEND), ["count"]):
            members = [m for m in self._members(frame, pool, roles) if m.subject]
            if len(members) < 2 or len({(m.family, m.unit) for m in members}) > 1:
                continue
            pick = max if frame.operation == "max" else min
            best = pick(members, key=lambda f: f.base)
            quote = self._fact_quote(frame, best, ranked)
            if quote is None:
                continue
            ties = [m.subject for m in members if m.base == best.base]
            word = "最高" if frame.operation == "max" else "最低"
            listing = "、".join(f"{m.subject}{ops.shown(m)}" for m in members)
            plan = Plan(frame, "answer", quotes=[quote], subject=best.subject if len(ties) == 1 else "")
            plan.notes.append(f"{len(members)}项中{word}的是{'、'.join(ties)}（{ops.shown(best)}）；各项为{listing}")
            return plan
        return None


_BEYOND = re.compile(r"(低于|不到|不足|未达到?|小于|少于|高于|超过|大于|多于)\s*(\d+(?:\.\d+)?)\s*%")
_BELOW = frozenset({"低于", "不到", "不足", "未达", "未达到", "小于", "少于"})


_SELF = ("分局", "我局", "本局", "局里", "本部门", "部门", "我部门", "本单位", "单位", "全局", "局机关")
_ORG_END = ("局", "委", "办", "院", "中心", "分局", "所", "站")
_PLACE_END = ("省", "市", "区", "县", "镇", "乡", "街道")


def _unit_prefix(entity: str, units: Sequence[str]) -> int:
    """Return the length of the prefix of an entity that names the reporting unit (0 when none)."""
    for size in range(len(entity), 1, -1):
        prefix = entity[:size]
        if prefix in _SELF or prefix in units:
            return size
        if prefix.endswith(_PLACE_END) and any(prefix in u for u in units):
            return size  # the unit's own district or city ("青禾县" of 青禾县文化旅游局)
        if any(prefix + end in u for end in _PLACE_END for u in units):
            return size  # its name without 区/县 ("青禾" of 青禾县文化旅游局)
        if prefix.endswith(_ORG_END) and any(is_subsequence(prefix, u) for u in units):
            return size
    return 0


def without_unit(frame: QuestionFrame, units: Sequence[str]) -> QuestionFrame:
    """Drop the reporting unit from a frame's entities ("分局", "区政数局下属" -> "下属"): it is the scope of
    every figure of its report, not a subject to bind figures to."""
    entities: list[str] = []
    head = ""
    for entity in frame.entities:
        cut = _unit_prefix(entity, units)
        rest = entity[cut:].lstrip("的")
        if sum(1 for ch in rest if "\u4e00" <= ch <= "\u9fff") >= 2:
            entities.append(rest)
            head = rest if entity == frame.head else head
    if tuple(entities) == frame.entities:
        return frame
    # The head stays the entity the question asks of (not simply the last one once the unit is dropped).
    head = head or (entities[-1] if entities else "")
    return replace(frame, entities=tuple(entities), head=head)


def _stated_change(pool: Pool, entity: str, current: Fact, previous: Fact, family: str = "percent") -> Fact | None:
    """Return the change the report states for the two operands, in the sentence of either: as a rate, or
    (family given) as an amount of their own family."""
    sentences = {(current.document_id, current.sentence_start), (previous.document_id, previous.sentence_start)}
    return pool.find(entity, ("change",), (family,), where=lambda f: (f.document_id, f.sentence_start) in sentences)


NEAREST_PASSAGES = 3


def _nearest(spans: Sequence[Span], facts: Sequence[Fact]) -> tuple[list[Span], list[Fact]]:
    """Return the spans of the passages the embedding finds nearest the question, and their facts."""
    by_passage: dict[str, float] = {}
    for span in spans:
        by_passage[span.passage.id] = max(by_passage.get(span.passage.id, 0.0), span.dense)
    keep = set(sorted(by_passage, key=lambda pid: -by_passage[pid])[:NEAREST_PASSAGES])
    near = [s for s in spans if s.passage.id in keep]
    starts = {(f.document_id, f.start) for s in near for f in s.facts}
    return near, [f for f in facts if (f.document_id, f.start) in starts]


def _answered_elsewhere(plans: list[Plan], weights: TermWeights, report_year: str) -> list[Plan]:
    """Drop a part's refusal when what it asks is already in another part's quote ("平均得了多少分？总体评价是
    什么等次？": one sentence states both): the figure of its measure, or the stated result of its operation."""
    if len(plans) < 2:
        return plans
    kept: list[Plan] = []
    for plan in plans:
        others = [q for p in plans if p is not plan for q in p.quotes]
        if plan.kind == "refuse" and _stated_in(plan.frame, others, weights, report_year):
            continue
        kept.append(plan)
    return kept or plans


def _stated_in(frame: QuestionFrame, quotes: Sequence[Quote], weights: TermWeights, report_year: str) -> bool:
    cue = _STATED_CUES.get(frame.operation)
    for slot in slots_of(frame):
        if slot.measure is None and cue is None:
            continue
        for quote in quotes:
            for fact in quote.facts:
                if not fact_fills(slot, fact) or not period_ok(frame, fact, report_year):
                    continue
                if cue is not None and cue.search(fact.label + fact.role_word):
                    return True  # the result the operation asks for, stated in the answer to the same question
                bound = not frame.entities or binding(weights, frame, fact) >= BOUND
                if frame.operation == "lookup" and slot.measure is not None and bound:
                    return True
    return False


def _dedupe_quotes(plans: Sequence[Plan]) -> None:
    """Drop a quote that an earlier part already quoted (or quoted inside a longer quote), and a computation
    an earlier part already made."""
    kept: list[Quote] = []
    formulas: set[str] = set()
    for plan in plans:
        plan.computations = [c for c in plan.computations if c.formula not in formulas]
        formulas.update(c.formula for c in plan.computations)
        fresh: list[Quote] = []
        for quote in plan.quotes:
            if any(quote.span.key == k.span.key and quote.text in k.text for k in kept):
                continue
            fresh.append(quote)
            kept.append(quote)
        plan.quotes = fresh


_SHARE_PIVOTS = ("相当于", "占")
_WITHIN = re.compile(r"在(.{2,30}?)(?:里|中|之中|当中|内)")


def _split_share(frame: QuestionFrame) -> tuple[str, str]:
    """Return (part, whole) of a share question: the entity before 占 (相当于) and the one after it."""
    text = frame.text
    pivot = next((p for p in _SHARE_PIVOTS if p in text), "")
    within = _WITHIN.search(text.split(pivot, 1)[0]) if pivot else None
    if within is not None:
        # "管网工程在供水保障工程实际支出里占多大比例": what is named inside 在…里 is the whole.
        whole = next((e for e in frame.entities if e in within.group(1)), "")
        part = next((e for e in frame.entities if e and e not in within.group(1) and whole not in e), "")
        if whole and part:
            return part, whole
    if pivot:
        before, after = text.split(pivot, 1)
        # A measure named after the pivot is the whole's measure, not a subject ("相当于年初预算的百分之多少").
        for measure in frame.measures:
            if measure.word in after and measure.word not in before:
                after = after.replace(measure.word, "的", 1)
        # The part is the entity nearest 占; a whole named first ("2,136人次临时救助里，因重大疾病的占多少") is
        # the whole when none follows 占.
        inside = [e for e in frame.entities if e in before]
        part = inside[-1] if inside else ""
        whole = next((e for e in frame.entities if e in after), "") or (inside[0] if len(inside) >= 2 else "")
        if not part:
            part = re.sub(r"[的是]$", "", before.strip("，。？ "))
        if not whole:
            whole = re.split(r"的?(?:比重|比例|百分|多少|几)", after)[0].strip("的")
        return part, _whole_subject(whole)
    entities = list(frame.entities)
    return (entities[0] if entities else "", entities[1] if len(entities) > 1 else "")


_WHOLE_NOISE = re.compile(r"全年|全部|全局|整体|部门|本部门|总|合计|实际|的")


def _whole_subject(whole: str) -> str:
    """Return the subject of a share's whole; "" when it is the reporting unit's total (全年实际支出).

    >>> _whole_subject("全年实际支出"), _whole_subject("全部项目支出")
    ('', '项目支出')
    """
    rest = _WHOLE_NOISE.sub("", whole)
    for word in ("支出", "预算", "收入", "资金", "经费"):
        if rest == word:
            return ""
    return whole.removeprefix("全部").removeprefix("全年") if len(rest) >= 2 else ""


def _done_of_whole(pool: Pool, names: Sequence[str], done: str) -> tuple[Fact, Fact] | None:
    """Return (whole, part done) of a count: the part's label says the deed, the whole is the larger count of
    the same counter its sentence names before it ("排查堤防渗漏点40处，完成修复32处"), and one of the two is
    about one of the names."""
    for part in pool.facts:
        if part.family != "count" or done not in part.label:
            continue
        beside = _in_sentence_of(part)
        wholes = [
            f
            for f in pool.facts
            if f is not part
            and beside(f)
            and f.family == "count"
            and f.counter == part.counter
            and f.start < part.start
            and f.base > part.base
            and f.role != "target"
        ]
        if wholes and max((pool.bind(e, f) for e in names for f in (part, wholes[-1])), default=0.0) >= BOUND:
            return wholes[-1], part
    return None


def _without(text: str, words: Sequence[str]) -> str:
    """Return a text with the words taken out ("新建" of 新建: the flow word names no subject)."""
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    return text


def _deed_group(deed: str) -> tuple[str, ...]:
    """Return the words that name the same deed as one of them (到位 -> 到位, 拨付, 下达)."""
    return next((group for group in _deeds().values() if deed in group), (deed,))


@cache
def _deeds() -> dict[str, tuple[str, ...]]:
    return {name: tuple(group) for name, group in load("genre")["deeds"].items()}


def _deeds_asked(text: str) -> tuple[str, str]:
    """Return the deed a question says was not done and the deed it says was done before that.

    >>> _deeds_asked("已经拨付的资金还有多少没使用？")
    ('使用', '拨付')
    >>> _deeds_asked("专项资金有多少没有到位？")
    ('到位', '')
    """
    cues = load("question")["frame"]["negations"]
    at = max((text.rfind(c) for c in cues), default=-1)
    flat = [w for group in _deeds().values() for w in group]
    after, before = (text[at:], text[:at]) if at >= 0 else (text, "")
    done = next((w for w in flat if w in after), "")
    return done, next((w for w in flat if w in before), "")


def _beside_of_counter(fact: Fact) -> Callable[[Fact], bool]:
    """Return a test for the facts of a fact's sentence (or row) counted as it is."""
    beside = _in_sentence_of(fact)
    return lambda f: beside(f) and f.counter == fact.counter


def _in_sentence_of(fact: Fact) -> Callable[[Fact], bool]:
    """Return a test for the facts stated in the same sentence as a fact."""
    at = (fact.document_id, fact.sentence_start)
    return lambda f: (f.document_id, f.sentence_start) == at


def _under(document_id: str, scope: tuple[str, ...]) -> Callable[[Fact], bool]:
    """Return a test for the facts of a document under a heading path."""
    return lambda f: f.document_id == document_id and f.scope[: len(scope)] == scope


def _between(document_id: str, lo: int, hi: int) -> Callable[[Fact], bool]:
    """Return a test for the facts of a document inside [lo, hi)."""
    return lambda f: f.document_id == document_id and lo <= f.start < hi


def _group_size(text: str) -> int:
    from index.figures import cn_numeral_value

    match = _LIST_COUNT.search(text)
    if not match:
        return 0
    token = match.group(1)
    if token.isdigit():
        return int(token)
    return cn_numeral_value(token) or 0


_PER_ENTITY = re.compile(
    r"每(?:个|一个|一|项|件|家|名|位)?([\u4e00-\u9fff]{2,12}?)(?:对应|的|平均|花|用|支出|是|有|能|可|多少|大约|约|[，,？?])"
)


def _per_entity(frame: QuestionFrame) -> str:
    """Return the entity a "per X" question divides by (行政处罚决定 in 平均每个行政处罚决定…), if any."""
    match = _PER_ENTITY.search(frame.text)
    if not match:
        return ""
    word = match.group(1)
    # "每个项目核减了多少": the entity is the nouns after 每, up to the verb that says what is divided.
    tokens = segment(word)
    lead = next((i for i, t in enumerate(tokens) if i and not t.flag.startswith(("n", "b"))), len(tokens))
    if lead and lead < len(tokens) and len("".join(t.word for t in tokens[:lead])) >= 2:
        word = "".join(t.word for t in tokens[:lead])
    return next((e for e in frame.entities if word in e or e in word), word)


def _by_table(facts: Sequence[Fact], roles: Sequence[str]) -> list[list[Fact]]:
    """Group table facts of the roles by (document, table, column): the members of a listed group."""
    groups: dict[tuple[str, int, str], list[Fact]] = {}
    for fact in facts:
        if fact.in_table and fact.role in roles:
            groups.setdefault((fact.document_id, fact.table, fact.column), []).append(fact)
    return list(groups.values())


__all__ = ["Planner", "bigrams"]
