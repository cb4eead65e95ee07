"""Shares: a part's share of a whole ("占项目支出总额的40.00%", "其中电动车辆120辆，占比60.00%").

The part is the figure just before the share; the whole is the fact its words name — read as a role and a
subject ("“三公”经费支出" is the spending of “三公”经费) among the facts before it, nearest first — or, for a bare
占比, the whole the part was listed under (其中). Shares of one whole that add up to 100% also say its parts add
up to it. A share whose whole no fact clearly matches is only confirmed, never an alarm.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.figures.relations import quantity, ratio, shown
from assistant.figures.report_view import ReportView, lexicon
from assistant.figures.rules import register
from assistant.figures.rules.breakdowns import check_parts
from assistant.figures.verify import grams, similarity
from index.facts import Fact
from index.facts.roles import role_of, strip_trailing, subject_of

_STRONG = 0.6


@register("shares", order=40)
def shares(view: ReportView) -> None:
    """Recompute every share whose part and whole the report states."""
    by_whole: dict[int, list[tuple[Fact, Fact]]] = {}
    held: dict[str, set[float]] = {}  # the values of the wholes the report's holding shares name by each phrase
    far: list[tuple[Fact, Fact, str]] = []
    for sentence in view.sentences():
        segment: list[Fact] = []
        confirmed: dict[str, Fact] = {}  # the whole a share of the sentence holds with, by the phrase naming it
        pending: list[tuple[Fact, Fact, str]] = []
        for fact in sentence:
            if fact.family != "percent":
                segment.append(fact)
                continue
            if fact.role == "share":
                # "实际支出300.00万元，执行率93.75%，支出额占项目支出的37.50%": the part may stand before the rate
                part = _part(segment) or _part([f for f in sentence if f.start < fact.start and f.family != "percent"])
                if part is not None:
                    whole = _check(view, fact, part, sentence)
                    if whole is not None:
                        by_whole.setdefault(whole.id, []).append((part, fact))
                        confirmed.setdefault(_whole_phrase(fact.label), whole)
                        held.setdefault(_whole_phrase(fact.label), set()).add(whole.value)
                    else:
                        pending.append((fact, part, _whole_phrase(fact.label)))
            segment = []
        for share, part, phrase in pending:
            # Shares listed together ("A…占项目实际支出的45.00%；B…占项目实际支出的30.00%；C…占15.00%") are of
            # the one whole their sibling holds with.
            whole = confirmed.get(phrase) or (next(iter(confirmed.values())) if not phrase and confirmed else None)
            if whole is not None and whole.family == part.family and whole.base >= part.base:
                _report(view, share, part, whole, phrase, ratio(part, whole, share).verdict == "exact")
                by_whole.setdefault(whole.id, []).append((part, share))
            elif phrase:
                far.append((share, part, phrase))
    for share, part, phrase in far:
        # A whole named by a phrase the report's other shares hold with ("占项目支出的62.50%" holds with
        # 800.00万元): a share of the same phrase whose only strong candidate is that whole is of it too.
        _, strong = _candidates(view, share, part, phrase)
        values = {f.value for f in strong}  # a table cell of the same figure may carry no unit
        if len(values) == 1 and values <= held.get(phrase, set()):
            _report(view, share, part, strong[0], phrase, False)
    facts = {f.id: f for f in view.facts}
    for whole_id, members in by_whole.items():
        share_sum = sum(s.value for _, s in members)
        slack = sum(0.5 * 10.0 ** (-s.decimals) for _, s in members)
        if len(members) >= 2 and abs(share_sum - 100.0) <= slack + 1e-9:
            check_parts(view, facts[whole_id], [p for p, _ in members], complete=True)


def _part(segment: Sequence[Fact]) -> Fact | None:
    money = [f for f in segment if f.family in ("money", "count") and f.period == "current"]
    spent = [f for f in money if f.role == "spending"]
    found = spent or money
    return found[-1] if found else None


def _check(view: ReportView, share: Fact, part: Fact, sentence: Sequence[Fact]) -> Fact | None:
    phrase = _whole_phrase(share.label)
    if not phrase:
        whole = _listed_under(view, part, sentence)
        candidates = [whole] if whole is not None else []
        strong = candidates
    else:
        candidates, strong = _candidates(view, share, part, phrase)
    for whole in strong:
        found = ratio(part, whole, share)
        if found.holds:
            _report(view, share, part, whole, phrase, found.verdict == "exact")
            return whole
    for whole in candidates:
        if whole not in strong and ratio(part, whole, share).verdict == "exact":
            _report(view, share, part, whole, phrase, True)
            return whole
    if strong and (strong[0].scope == share.scope or view.paragraph_index(strong[0]) == view.paragraph_index(share)):
        _report(view, share, part, strong[0], phrase, False)
    return None


def _report(view: ReportView, share: Fact, part: Fact, whole: Fact, phrase: str, exact: bool) -> None:
    found = ratio(part, whole, share)
    name = phrase or (whole.label or whole.subject)
    claim = f"{view.name_of(part)}{shown(part)}占{name}的{shown(share)}"
    formula = f"{shown(part)} ÷ {shown(whole)} = {quantity(found.value, share)}"
    view.report("share", claim, formula, share, found, quantity(found.value, share), [part, whole, share])


def _whole_phrase(label: str) -> str:
    core = strip_trailing(label)
    match = re.search(r"占(.*)$", core)
    if not match:
        return ""
    phrase = re.sub(r"(?:的)?(?:比重|比例|份额|比)$", "", match.group(1)).rstrip("的")
    return phrase


def _core(phrase: str) -> str:
    for suffix in lexicon("totals", "total"):
        if phrase.endswith(suffix) and len(phrase) > len(suffix):
            return phrase[: -len(suffix)]
    return re.sub(r"总(?=金额$)", "", phrase)


def _candidates(view: ReportView, share: Fact, part: Fact, phrase: str) -> tuple[list[Fact], list[Fact]]:
    """Return the facts the whole may be (same family, before the share, nearest first) and the strong ones."""
    core = _core(phrase)
    role, word = role_of(core, part.family)
    subject = subject_of(core, word)
    paragraph = view.paragraph_index(share)
    before = [
        f
        for f in view.facts_in(0, share.start, prose=False)
        if f.start < share.start
        and f.id != part.id
        and f.family == part.family
        and f.period == "current"
        and (f.family != "count" or f.figure().counter_group == part.figure().counter_group)
        and f.base >= part.base
    ]
    near = sorted(
        before,
        key=lambda f: (view.paragraph_index(f) != paragraph, f.scope != share.scope, -f.start),
    )
    strong: list[Fact] = []
    for f in near:
        if word and f.role != role:
            continue
        if subject:
            if similarity(grams(subject), grams(f.subject or f.label)) >= _STRONG:
                strong.append(f)
        elif word and (f.generic or view.paragraph_index(f) == paragraph):
            strong.append(f)
    same_section = [f for f in near if f.scope == share.scope]
    return same_section, strong


def _listed_under(view: ReportView, part: Fact, sentence: Sequence[Fact]) -> Fact | None:
    """Return the whole a part was listed under with 其中 ("车辆200辆，其中电动车辆120辆，占比…")."""
    text = view.text
    at = text.rfind("其中", part.sentence_start, part.start)
    if at == -1:
        return None
    before = [f for f in sentence if f.end <= at and f.family == part.family and f.period == "current"]
    if part.family == "count":
        before = [f for f in before if f.figure().counter_group == part.figure().counter_group]
    return before[-1] if before else None
