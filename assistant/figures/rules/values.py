"""One quantity, two values: the same subject and role stated with different values in different places.

Two facts are one quantity when their roles, periods and units agree and their subjects are the same words
(in any order, or one the other with a qualifier dropped: 保障低保对象 / 保障城乡低保对象), or when both are the
reporting unit's own figure of one role (我部门预算总收入). Goals, changes, shares, approximate and qualified
figures are not quantities stated as results. Facts in parallel sections (two projects' 回收有效问卷) are different
quantities: only facts whose sections are the same, nested, or in different parts of the report are compared.
"""

from __future__ import annotations

import re
from functools import cache

from assistant.figures.relations import shown
from assistant.figures.report_view import MONEY_ROLES, ReportView, cjk_count, lexicon
from assistant.figures.rules import register
from assistant.figures.verify import value_matches
from index.facts import Fact
from index.facts.roles import strip_trailing, subject_of
from index.lexicon import load
from index.structure import marker_of

_FAMILIES = frozenset({"money", "count", "measure"})
_EXCLUDED_ROLES = frozenset({"target", "change", "weight", "share", "rate", "score", "adjustment"})
_COUNT_ROLES = frozenset({"count", "actual"})
_ORDINAL = re.compile(r"[一二三四五六七八九十]+是")


@cache
def _leading() -> tuple[str, ...]:
    words: list[str] = load("roles")["subjects"]["generic"]
    return tuple(sorted(words, key=len, reverse=True))


@cache
def _normal(subject: str) -> str:
    text = re.sub(r"[“”\"（）()\s]", "", subject)
    changed = True
    while changed:
        changed = False
        for word in _leading():
            if text.startswith(word) and len(text) > len(word) + 1:
                text = text[len(word) :]
                changed = True
                break
    for verb in lexicon("values", "trailing_verbs"):
        if text.endswith(verb) and len(text) > len(verb) + 2:
            text = text[: -len(verb)]
            break
    if len(text) > 4:
        for suffix in lexicon("values", "measure_suffix"):
            if text.endswith(suffix):
                return text[: -len(suffix)]
    return text


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def same_subject(a: str, b: str) -> bool:
    """Tell whether two subjects name one thing (same words in any order, or one with a qualifier dropped)."""
    x, y = _normal(a), _normal(b)
    if min(cjk_count(x), cjk_count(y)) < 3:
        return False
    if x == y or sorted(x) == sorted(y):
        return True
    short, long = sorted((x, y), key=len)
    return cjk_count(short) >= 4 and len(short) / len(long) >= 0.7 and _subsequence(short, long)


def _row_named_by_prose(a: Fact, subject_a: str, b: Fact, subject_b: str) -> bool:
    """Tell whether a table row's indicator and a prose figure name one thing: the prose names what it counts
    last, after what was done ("组织…群众参加技能培训1,360人" and the row 技能培训人数)."""
    if a.in_table == b.in_table:
        return False
    row, prose = (_normal(subject_a), _normal(subject_b)) if a.in_table else (_normal(subject_b), _normal(subject_a))
    return cjk_count(row) >= 4 and prose.endswith(row) and prose != row


def _comparable(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Tell whether two places may hold one quantity: equal, nested, or apart from the first heading on
    (sibling sections or items under one heading are parallel: each is about its own thing)."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common == 0 or common == min(len(a), len(b))


def _own_subject(view: ReportView, fact: Fact) -> str:
    """Return what a fact's own words say it is of: its label, or the figure it is written right after
    ("5,326户8,971人": the second figure shares the first's words). A table's value cell has none here (its
    row names a line of the table); its prose cells read their labels."""
    if fact.in_table and fact.label == f"{fact.subject}{fact.column}":
        # an indicator table's achieved value (实际完成值) is of the indicator its row names; other cells are lines
        return fact.subject if fact.role == "actual" and fact.family == "count" else ""
    label = strip_trailing(fact.label)
    if label.endswith("中"):
        return ""  # "21个三级指标中有17个…": a part of the figure before it
    if label:
        return subject_of(fact.label, fact.role_word)
    before = [
        f
        for f in view.facts_in(fact.sentence_start, fact.start, prose=False)
        if f.end <= fact.start and f.in_table == fact.in_table and f.sentence_start == fact.sentence_start
    ]
    if before and not view.text[before[-1].end : fact.start].strip():
        return _own_subject(view, before[-1])
    return ""


def place(view: ReportView, fact: Fact) -> tuple[str, ...]:
    """Return where a fact stands: its heading path, then the list item (①, （1）, 一是) it is written in."""
    path = list(fact.scope)
    paragraph = view.paragraph_of(fact)
    if paragraph is not None and not fact.in_table:
        found = marker_of(paragraph.text)
        if found and found[0] in ("num", "paren_num", "circled", "paren_cn"):
            path.append(found[1])
        items = list(_ORDINAL.finditer(view.text, paragraph.start, fact.start))
        if items:
            path.append(items[-1].group(0))
    return tuple(path)


def _key(view: ReportView, fact: Fact) -> tuple[str, str] | None:
    """Return (what kind of subject, subject) of a fact that states a result, or None."""
    if fact.family not in _FAMILIES or fact.role in _EXCLUDED_ROLES or fact.period != "current":
        return None
    if fact.value == 0 or fact.approximate or view.is_target(fact):
        return None
    if fact.family == "money" and fact.role in ("amount", "actual"):
        return None  # a money figure of no role (a fund, a line of a list) says too little of what it is
    if view.unit_level(fact) and fact.role in MONEY_ROLES:
        return "unit", fact.role_word or fact.role
    subject = _own_subject(view, fact)
    return ("subject", subject) if subject else None


def _role_key(fact: Fact) -> str | None:
    """What two facts of one family must share to be one quantity: the counter's group for a count (of the
    count roles only), the counter for a measure, else the role."""
    if fact.family == "count":
        return f"count:{fact.figure().counter_group}" if fact.role in _COUNT_ROLES else None
    if fact.family == "measure":
        return f"measure:{fact.counter}"
    return f"role:{fact.role}"


@register("values", order=70)
def values(view: ReportView) -> None:
    """Find quantities the report states twice with different values."""
    keyed = [(f, k, place(view, f)) for f in view.facts if (k := _key(view, f)) is not None]
    parent = list(range(len(keyed)))
    attribute: set[int] = set()  # facts whose subject recurs in parallel places: an attribute of each

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Only facts of one kind of subject, family and role (and unit, for the reporting unit's own) can pair.
    buckets: dict[tuple[str, str, str, str], list[int]] = {}
    for i, (a, ka, _) in enumerate(keyed):
        role = _role_key(a)
        if role is not None:
            buckets.setdefault((ka[0], a.family, ka[1] if ka[0] == "unit" else "", role), []).append(i)
    pairs = ((i, j) for members in buckets.values() for n, i in enumerate(members) for j in members[n + 1 :])
    for i, j in pairs:
        a, ka, pa = keyed[i]
        b, kb, pb = keyed[j]
        if ka[0] == "unit" and ka[1] != kb[1]:
            continue
        if ka[0] == "subject" and not (same_subject(ka[1], kb[1]) or _row_named_by_prose(a, ka[1], b, kb[1])):
            continue
        if not _comparable(pa, pb):
            if not (a.in_table or b.in_table):
                attribute.update((i, j))  # a table's row elsewhere says nothing of parallel prose places
            continue
        if a.in_table and b.in_table:
            continue  # two cells: rows of tables are compared by the table rules
        if not a.in_table and not b.in_table and a.sentence_start == b.sentence_start:
            continue  # one sentence: "由1,080元提高到1,150元" states two values on purpose
        parent[find(j)] = find(i)
    dropped = {find(i) for i in attribute}
    clusters: dict[int, list[tuple[Fact, tuple[str, str]]]] = {}
    for i, (fact, key, _) in enumerate(keyed):
        clusters.setdefault(find(i), []).append((fact, key))
    for root, members in clusters.items():
        if len(members) < 2 or root in dropped:
            continue
        distinct: list[Fact] = []
        for fact, _ in members:
            if not any(
                value_matches(fact.figure(), g.figure()) or value_matches(g.figure(), fact.figure()) for g in distinct
            ):
                distinct.append(fact)
        if len(distinct) < 2:
            continue
        kind, name = members[0][1]
        if kind == "unit":
            name = distinct[0].role_word or name
        listed = " 与 ".join(shown(f) for f in distinct)
        places = "；".join(f"{view.section(f) or '正文'}：{shown(f)}" for f in distinct)
        view.add(
            "inconsistent_value",
            f"报告中{name}前后不一致：{listed}",
            places,
            shown(distinct[0]),
            shown(distinct[1]),
            False,
            distinct,
        )
