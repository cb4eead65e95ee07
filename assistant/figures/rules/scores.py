"""Scores: a score never exceeds its weight; scored sections add up to the overall score; full marks are the weight.

In a table row (分值 | 得分) and in a clause ("投入指标分值20分，得18.5分") a score above its weight fails. A report
that scores its sections one by one ("甲方面…自评得分为48分", "乙方面…自评得分为45分") states an overall
score ("整体绩效自评分值为94.4分") they add up to; the items a section scores after its own score add up to it;
and items all claimed at full marks (满分) must add up to the section's weight.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.figures.relations import difference, quantity, shown, total
from assistant.figures.report_view import ReportView, cjk_count, has_word, is_deduction
from assistant.figures.rules import register
from index.facts import Fact
from index.facts.roles import strip_trailing
from index.models import Section


@register("scores", order=50)
def scores(view: ReportView) -> None:
    """Check scores against weights, and scored sections against the overall score."""
    for index in range(len(view.document.tables)):
        for row in view.rows(index):
            weight = next((f for f in row.facts if f.role == "weight" and f.family == "score"), None)
            score = next((f for f in row.facts if f.role == "score" and f.family == "score"), None)
            if weight is not None and score is not None:
                _not_above(view, score, weight, row.name)
            _row_total(view, row.facts, row.name)
    for sentence in view.sentences():
        weight = None
        previous: Fact | None = None
        for fact in sentence:
            if fact.family != "score":
                continue
            listed = previous is not None and not view.text[previous.end : fact.start].strip("、和及与 ")
            previous = fact
            if listed:
                continue  # "分值分别为10分、20分和30分": one list of weights, no score among them
            if fact.role == "weight" and not has_word(fact.label, "scores", "full_marks"):
                weight = fact
            elif fact.role == "score" and weight is not None and not is_deduction(fact):
                if view.group_of(fact).start == view.group_of(weight).start:
                    _not_above(view, fact, weight, weight.subject)
                weight = None
    _scored_sections(view)
    _full_marks_against_tables(view)


_WEIGHTED_COLUMN = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]")
_TOTAL_COLUMN = re.compile(r"总分|合计|总计|总得分|综合得分|自评得分|得分合计")


def _row_total(view: ReportView, facts: Sequence[Fact], name: str) -> None:
    """A row of a score summary ("项目 | 产出指标（50分） | 效益指标（30分） | … | 自评总分"): the scores of the
    columns that state their weight add up to the score of the total column."""
    scored = [f for f in facts if f.family == "score" and f.role == "score"]
    parts = [f for f in scored if _WEIGHTED_COLUMN.search(f.column)]
    whole = next((f for f in scored if f not in parts and _TOTAL_COLUMN.search(f.column)), None)
    if whole is None or len(parts) < 2:
        return
    _report_sum(view, parts, whole, f"{name}{strip_trailing(whole.column)}{shown(whole)}等于各列得分之和")


def _report_sum(view: ReportView, parts: Sequence[Fact], whole: Fact, claim: str) -> None:
    """Report a score stated as the sum of parts: the sum recomputed, and by how much it differs."""
    found = total(parts, whole)
    formula = f"{' + '.join(shown(p) for p in parts)} = {quantity(found.value, whole)}"
    if not found.holds:
        formula += f"（相差{difference(found, whole)}）"
    view.report("score_sum", claim, formula, whole, found, quantity(found.value, whole), [*parts, whole])


def _full_marks_against_tables(view: ReportView) -> None:
    """A score the prose claims is full marks ("设施管护指标得满分8分") must be the weight the report's own
    score table gives the item of that name."""
    rows = [row for index in range(len(view.document.tables)) for row in view.rows(index)]
    for fact in view.facts:
        if fact.in_table or fact.family != "score" or fact.role != "score":
            continue
        if not has_word(fact.label, "scores", "full_marks") or is_deduction(fact):
            continue
        named = [r for r in rows if cjk_count(r.name) >= 3 and r.name in fact.label]
        if len(named) != 1:
            continue  # no row, or several rows, of that name: nothing to hold the claim to
        weight = next((f for f in named[0].facts if f.role == "weight" and f.family == "score"), None)
        if weight is None or abs(weight.value - fact.value) < 1e-9:
            continue
        view.add(
            "score_weight",
            f"{named[0].name}称得满分{shown(fact)}，而其分值为{shown(weight)}",
            f"满分应为分值 {shown(weight)}，报告称满分 {shown(fact)}（{_caption(view, weight)}）",
            shown(fact),
            shown(weight),
            False,
            [fact, weight],
        )


def _caption(view: ReportView, fact: Fact) -> str:
    caption = view.document.tables[fact.table].caption if 0 <= fact.table < len(view.document.tables) else ""
    return (caption.split(" ")[0] or "评分表") + f"“{fact.subject}”行"


def _not_above(view: ReportView, score: Fact, weight: Fact, what: str) -> None:
    if score.value > weight.value + 1e-9:
        view.add(
            "score_weight",
            f"{what}得分{shown(score)}超过其分值{shown(weight)}",
            f"得分 {shown(score)} > 分值 {shown(weight)}（单项得分不应超过分值）",
            shown(score),
            f"≤{shown(weight)}",
            False,
            [weight, score],
        )


def _section_score(view: ReportView, section: Section) -> tuple[Fact | None, Fact | None, list[Fact]]:
    """Return a section's own score and weight (in its first paragraph) and the score facts after them."""
    facts = view.prose_scores(section.path)
    if not facts:
        return None, None, []
    first = view.paragraph_index(facts[0])
    head = [f for f in facts if view.paragraph_index(f) == first]
    score = next((f for f in head if f.role == "score" and f.role_word), None)
    weight = next((f for f in head if f.role == "weight" and not has_word(f.label, "scores", "full_marks")), None)
    if score is None:
        return None, weight, []
    items = [
        f
        for f in facts
        if f.start > score.start
        and not is_deduction(f)
        and (f.role != "weight" or has_word(f.label, "scores", "full_marks"))
    ]
    return score, weight, items


def _scored_sections(view: ReportView) -> None:
    sections = view.outline.sections
    for parent in sections:
        children = view.children(parent)
        scored = [(c, *_section_score(view, c)) for c in children]
        scored = [x for x in scored if x[1] is not None]
        if len(scored) < 2:
            continue
        subtotals = [x[1] for x in scored if x[1] is not None]
        overall = _overall(view, [c for c, *_ in scored])
        if overall is not None:
            found = total(subtotals, overall)
            formula = f"{' + '.join(shown(s) for s in subtotals)} = {quantity(found.value, overall)}"
            if not found.holds:
                formula += f"（相差{difference(found, overall)}）"
            claim = f"{strip_trailing(overall.label)}{shown(overall)}等于各部分得分之和"
            view.report(
                "score_sum", claim, formula, overall, found, quantity(found.value, overall), [*subtotals, overall]
            )
        for _, score, weight, items in scored:
            if score is not None and len(items) >= 2:
                _items(view, score, weight, items)


def _overall(view: ReportView, sections: Sequence[Section]) -> Fact | None:
    paths = {s.path for s in sections}
    found = [
        f
        for f in view.facts
        if f.family == "score"
        and not f.in_table
        and has_word(f.label, "scores", "overall")
        and not any(f.scope[: len(p)] == p for p in paths)
    ]
    values = {f.value for f in found}
    return found[0] if len(values) == 1 else None


def _items(view: ReportView, score: Fact, weight: Fact | None, items: Sequence[Fact]) -> None:
    _report_sum(view, items, score, f"{strip_trailing(score.label)}{shown(score)}等于各项评分之和")
    if weight is None or not all(_full_marks(view, item, score) for item in items):
        return
    marks = total(items, weight)
    if marks.holds:
        return
    finest = max(items, key=lambda i: i.decimals)
    summed = quantity(marks.value, finest)
    view.add(
        "score_weight",
        f"各项均称得满分，满分之和{summed}与分值{shown(weight)}不符",
        f"{' + '.join(shown(i) for i in items)} = {summed}，分值为{shown(weight)}；称满分的一项得分不等于其分值",
        summed,
        shown(weight),
        False,
        [weight, *items],
    )


def _full_marks(view: ReportView, item: Fact, score: Fact) -> bool:
    """Tell whether an item is claimed at full marks (满分 in its label or in its text since the previous item)."""
    if has_word(item.label, "scores", "full_marks"):
        return True
    paragraph = view.paragraph_of(item)
    start = paragraph.start if paragraph is not None else item.sentence_start
    earlier = [f for f in view.facts if f.family == "score" and start <= f.end <= item.start]
    start = max([start, *(f.end for f in earlier)])
    return has_word(view.text[start : item.start], "scores", "full_marks")
