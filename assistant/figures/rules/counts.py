"""Announced counts: "N项：一是…二是…", "共5个，分别为：A、B、C…", "9个项目…见表2" against the items listed.

A count followed by a colon (or 分别为/具体为/包括) announces the list after it: 一是/二是 items, items parted by
、, or the numbered paragraphs that follow. So does a count whose sentence ends its paragraph but for an
announcement ("……设定的4个关键指标均已完成。具体为："): the items are the paragraphs after it, up to the next
heading — those that each score an item ("……此项得10分") when they score, else those opening with a label
and a colon ("产出指标：…"). A count of things whose rows a table the paragraph points to (见表2) names in a
column of the same noun (项目名称) announces that table's rows, totals aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.figures.report_view import ReportView, Row, has_word, is_deduction, lexicon
from assistant.figures.rules import register
from index.facts import Fact
from index.structure import Paragraph, marker_number, marker_of

_NOUN_THEN_COLON = re.compile(r"^[\u4e00-\u9fff“”]{0,10}[：:]")
_LABEL_THEN_COLON = re.compile(r"^[^，。；：:,;]{2,24}[：:]")
_NOUN_THEN_COMMA = re.compile(r"^[\u4e00-\u9fff“”]{0,10}[，,]")
_ORDINAL = re.compile(r"([一二三四五六七八九十]+)是")
_TABLE_REF = re.compile(r"表\s*(\d+)")
_LIST_KINDS = ("paren_cn", "num", "paren_num", "circled")


@register("counts", order=65)
def counts(view: ReportView) -> None:
    """Compare every announced count with the items the report lists for it."""
    for fact in view.facts:
        if fact.in_table or fact.family != "count" or fact.role not in ("count", "actual") or fact.period != "current":
            continue
        announced = _announced_at(view.text[fact.end : fact.end + 20])
        if announced is not None:
            listed = _listed(view, fact, fact.end + announced)
        else:
            listed = _listed_after_paragraph(view, fact)
        if listed is not None:
            _report(view, fact, listed[0], listed[1])
    _table_counts(view)


def _listed_after_paragraph(view: ReportView, fact: Fact) -> tuple[list[int], str] | None:
    """Return the items of a list a paragraph announces at its end, after the sentence of the count (its only
    count): the scored items, or the labelled paragraphs, up to the next heading."""
    paragraph = view.paragraph_of(fact)
    if paragraph is None:
        return None
    tail = view.text[fact.sentence_end : paragraph.end].strip()
    if not any(re.fullmatch(rf"{word}[：:]", tail) for word in lexicon("breakdown", "announce")):
        return None
    if sum(1 for f in view.sentence_of(fact) if f.family == "count" and f.role == "count") != 1:
        return None
    items: list[Paragraph] = []
    for later in (p for p in view.paragraphs if p.start > paragraph.end):
        if later.heading_only or later.path != paragraph.path:
            break
        if later.table is None:
            items.append(later)
    scored = [f for p in items for f in view.facts_in(p.start, p.end) if _item_score(f)]
    if len(scored) >= 2:
        return [len(scored)], "评分项"
    labelled = [p for p in items if _LABEL_THEN_COLON.match(p.text)]
    return ([len(labelled)], "条目") if len(labelled) >= 2 and len(labelled) == len(items) else None


def _item_score(fact: Fact) -> bool:
    """Tell whether a fact is the score an item gets ("评分为10分", "得满分4.4分"), not a weight or points off."""
    if fact.family != "score" or is_deduction(fact):
        return False
    return fact.role == "score" or has_word(fact.label, "scores", "full_marks")


def _announced_at(after: str) -> int | None:
    """Return where the list announced after a count starts ("4项：", "5个，分别为："), or None."""
    colon = _NOUN_THEN_COLON.match(after)
    if colon:
        return colon.end()
    comma = _NOUN_THEN_COMMA.match(after)
    if comma:
        for word in lexicon("breakdown", "announce"):
            if after.startswith(word, comma.end()):
                end = comma.end() + len(word)
                return end + 1 if after[end : end + 1] in "：:" else end
    return None


def _report(view: ReportView, fact: Fact, listed: Sequence[int], what: str) -> None:
    holds = fact.value == int(fact.value) and int(fact.value) in listed
    n = int(fact.value) if holds else listed[-1]  # names joined by 和 in the last item count as two
    stated = fact.text if fact.text.endswith(fact.unit) else f"{fact.text}{fact.unit}"
    tail = view.text[fact.end : max(fact.end, view.clause_of(fact).end)].rstrip("，,。；;：:")
    tail = tail if len(tail) <= 24 else tail[:23] + "…"
    view.add(
        "count",
        f"“{fact.label}{stated}{tail or fact.after}”与所列{what}数目{'一致' if holds else '不符'}",
        f"所列{what}共{n}{fact.unit}",
        stated,
        f"{n}{fact.unit}",
        holds,
        [fact],
    )


def _listed(view: ReportView, fact: Fact, start: int) -> tuple[list[int], str] | None:
    """Return the possible numbers of items listed from an offset, and what kind of items they are."""
    paragraph = view.paragraph_of(fact)
    if paragraph is None:
        return None
    text = view.text
    rest = text[start : paragraph.end]
    first = _ORDINAL.match(rest.lstrip())
    if first and marker_number(first.group(1)) == 1:
        n = _ordinals(rest, 0)
        for later in (p for p in view.paragraphs if p.start > paragraph.end and p.table is None):
            more = _ordinals(later.text, n) if _ORDINAL.match(later.text.lstrip()) else n
            if more == n:
                break  # the items may go on in the paragraphs that follow ("二是…" opening the next one)
            n = more
        return [n], "事项"
    if not rest.strip():
        return _paragraph_items(view, paragraph.end)
    sentence = re.split(r"[。；;，,]", rest, maxsplit=1)[0]  # names are parted by 、; a comma ends the list
    bare = re.sub(r"[（(][^）)]*[）)]", "", sentence).strip()
    if "、" not in bare or bare.endswith("等") or re.search(r"\d", bare):
        return None
    items = [x for x in bare.split("、") if x.strip()]
    allowed = [len(items)]
    if re.search(r"[和及与]", items[-1]):
        allowed.append(len(items) + 1)
    return allowed, "名称"


def _ordinals(text: str, n: int) -> int:
    """Return n plus the number of ordinal items (一是, 二是…) of a text that carry on from item n."""
    for m in _ORDINAL.finditer(text):
        if marker_number(m.group(1)) == n + 1 and (m.start() == 0 or text[m.start() - 1] in "：:；;。，, "):
            n += 1
    return n


def _paragraph_items(view: ReportView, after: int) -> tuple[list[int], str] | None:
    following = [p for p in view.paragraphs if p.start > after and p.table is None]
    kind: str | None = None
    n = 0
    for p in following:
        found = marker_of(p.text)
        if found is None:
            break
        if kind is None:
            if found[0] not in _LIST_KINDS or marker_number(found[1]) != 1:
                return None
            kind = found[0]
        if found[0] == kind:
            if marker_number(found[1]) != n + 1:
                break
            n += 1
        elif found[0] not in _LIST_KINDS or _LIST_KINDS.index(found[0]) < _LIST_KINDS.index(kind):
            break  # a heading or item of another kind ends the list
    return ([n], "条目") if n >= 2 else None


def _table_counts(view: ReportView) -> None:
    captions = {i: t.caption for i, t in enumerate(view.document.tables)}
    for paragraph in view.paragraphs:
        if paragraph.table is not None:
            continue
        for ref in _TABLE_REF.finditer(view.text, paragraph.start, paragraph.end):
            index = next((i for i, c in captions.items() if re.match(rf"表\s*{ref.group(1)}(?!\d)", c)), None)
            if index is None:
                continue
            counted = [
                f
                for f in view.facts_in(paragraph.start, ref.start())
                if f.family == "count" and f.role == "count" and f.period == "current" and _noun(f)
            ]
            table = view.document.tables[index]
            for fact in reversed(counted):
                noun = _noun(fact)
                if any(noun in h and ("名称" in h or h == noun) for h in table.header):
                    rows = [r for r in view.rows(index) if _item(r)]
                    _report(view, fact, [len(rows)], f"{table.caption.split(' ')[0]}中的{noun}")
                    break


def _noun(fact: Fact) -> str:
    match = re.match(r"[\u4e00-\u9fff]{2}", fact.after)
    return match.group(0) if match else ""


def _item(row: Row) -> bool:
    return bool(row.label) and not (row.is_total or row.is_average or row.is_part)
