"""Wholes and parts in running text: 其中/包括 lists, numbered items under an intro, 一是…二是… lists, "N个X中".

The parts of a whole are the facts of the same role listed after it: after 其中 or 包括 (to the end of the
clause group, the sentence when the list opens with a colon, or the closing bracket); in the numbered
paragraphs (（1）（2）, ①②) or the subsections that follow an intro paragraph, one per item; in the 一是/二是
items after a sentence announcing a breakdown (按资金来源分：). A list announced as complete (如下, 具体为)
must add up both ways; any other list may leave items out, so only parts that exceed their whole fail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.figures.relations import (
    FindingKind,
    Magnitudes,
    Outcome,
    difference,
    quantity,
    shown,
    shown_in,
    solve,
    total,
)
from assistant.figures.report_view import ReportView, has_word, lexicon
from assistant.figures.rules import register
from index.facts import BUDGET_ROLES, Fact
from index.facts.roles import role_of, strip_trailing
from index.figures import format_number
from index.structure import Paragraph, marker_number, marker_of
from index.text import Span, clause_groups

_FAMILIES = ("money", "count", "score")
_BREAK = re.compile("|".join(re.escape(w) for w in lexicon("breakdown", "partial")))
_ORDINAL = re.compile(r"(?:^|(?<=[：:；;。，,\s]))([一二三四五六七八九十]+)是")
_OPEN, _CLOSE = "（(", "）)"
_LIST_KINDS = frozenset({"paren_cn", "num", "paren_num", "circled"})
_COUNT_WHOLE = re.compile(r"^[^，。；、,;\d]{0,16}中(?:[，,：:]|有)")


@register("breakdowns", order=30)
def breakdowns(view: ReportView) -> None:
    """Recompute every whole whose parts the text lists after it."""
    for sentence in view.sentences():
        _partial_lists(view, sentence)
    _paragraph_lists(view)
    _section_lists(view)
    _ordinal_lists(view)
    _count_parts(view)


# -- checking ----------------------------------------------------------------------------------------------
def check_parts(
    view: ReportView, whole: Fact, parts: Sequence[Fact], complete: bool, overlap: bool = True, what: str = ""
) -> None:
    """Recompute whole = Σ parts; a list not announced complete fails only when its parts exceed the whole.

    With `overlap`, counts listed under a whole may overlap (其中党员12人、女性15人) and never fail.
    """
    if len(parts) < 2 or any(p.family != whole.family for p in parts):
        return

    def outcome(m: Magnitudes) -> Outcome:
        return total(parts, whole, m)

    found, slipped, magnitude = solve(outcome, view.suspects([*parts, whole]), [view.money_magnitude])
    m = {slipped.id: magnitude} if slipped is not None and magnitude is not None else {}
    if not found.holds and not complete:
        if overlap and whole.family == "count":
            return  # counts listed under a whole may overlap (其中党员…、女性…)
        if found.value < whole.value and not one_digit_apart(found.value, whole):
            return  # a list that need not cover its whole; one digit off is a slip, not a part left out
        if found.value > 1.5 * whole.value:
            return  # parts far beyond the figure before them belong to another whole: no relation
    name = what or view.name_of(whole)
    kind: FindingKind = "score_sum" if whole.family == "score" else "sum"
    formula = f"{' + '.join(shown_in(p, m) for p in parts)} = {quantity(found.value, whole, m)}"
    claim = f"{name}{shown(whole)}等于所列各分项之和"
    if not found.holds:
        formula += f"（相差{difference(found, whole)}）"
        if not complete and found.value > whole.value:
            claim = f"所列分项之和超过{name}{shown(whole)}"
        elif not complete:
            claim = f"{name}{shown(whole)}与所列分项之和只差一位数字，疑为笔误"
    view.report(
        kind, claim, formula, whole, found, quantity(found.value, whole, m), [*parts, whole], slipped, magnitude
    )


def one_digit_apart(value: float, stated: Fact) -> bool:
    """Tell whether a recomputed value, written as the stated figure is, differs from it in exactly one digit
    (1,046.50 for a stated 1,056.50: a slip of the pen, not a part the list leaves out).

    A list's own whole is rarely one digit away from its parts by chance: the parts it leaves out would have to
    add up to one power of ten times a digit.
    """
    a = format_number(value, stated.decimals, separators=False)
    b = format_number(stated.value, stated.decimals, separators=False)
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _same_kind(view: ReportView, a: Fact, b: Fact) -> bool:
    if a.family != b.family:
        return False
    return a.family != "count" or a.figure().counter_group == b.figure().counter_group


def _role_key(fact: Fact) -> str:
    return "budget" if fact.role in BUDGET_ROLES else fact.role


def _by_role(view: ReportView, wholes: Sequence[Fact], parts: Sequence[Fact], complete: bool) -> None:
    """Match parts to their whole: the figure just before the list, or per role when the parts name several."""
    for family in _FAMILIES:
        members = [p for p in parts if p.family == family]
        if not members:
            continue
        candidates = [w for w in wholes if _same_kind(view, w, members[0])]
        if not candidates:
            continue
        keys = list(dict.fromkeys(_role_key(p) for p in members))
        specific = [k for k in keys if _specific(k)]
        if len(specific) == 1:
            keys = specific  # "工资福利支出…；对个人和家庭的补助58.50万元": a part naming no role is one of the others
        if len(keys) == 1:
            key = keys[0]
            whole: Fact | None = candidates[-1]
            if whole is not None and _specific(key) and _specific(_role_key(whole)) and _role_key(whole) != key:
                whole = next((w for w in reversed(candidates) if _role_key(w) == key), None)
            if whole is not None:
                check_parts(view, whole, members, complete)
            continue
        for key in keys:
            group = [p for p in members if _role_key(p) == key]
            found = next((w for w in reversed(candidates) if _role_key(w) == key), None)
            if found is not None:
                check_parts(view, found, group, complete)


def _specific(key: str) -> bool:
    return key not in ("amount", "count", "score", "actual")


def _depths(text: str, start: int, end: int) -> list[int]:
    """Return the bracket depth at each offset of text[start:end]."""
    depth, out = 0, []
    for ch in text[start:end]:
        if ch in _OPEN:
            depth += 1
        out.append(depth)
        if ch in _CLOSE and depth:
            depth -= 1
    return out


# -- 其中 / 包括 ---------------------------------------------------------------------------------------------
def _partial_lists(view: ReportView, sentence: Sequence[Fact]) -> None:
    text = view.text
    s0, s1 = sentence[0].sentence_start, sentence[0].sentence_end
    depths = _depths(text, s0, s1)
    breaks = list(_BREAK.finditer(text, s0, s1))
    for n, match in enumerate(breaks):
        k = match.start()
        depth = depths[k - s0]
        if depth:
            opener = max(text.rfind(ch, s0, k) for ch in _OPEN)
            close = min((i for i in (text.find(ch, k, s1) for ch in _CLOSE) if i != -1), default=s1)
            end = close
            wholes = [f for f in sentence if f.end <= opener and opener - f.end <= 2]
        else:
            colon = text[match.end() : match.end() + 1] in "：:，,"
            end = s1 if colon else next((g.end for g in _groups(view, sentence) if g.start <= k < g.end), s1)
            wholes = [f for f in sentence if f.start < k and depths[f.start - s0] == 0]
            if not wholes and not re.sub(r"[\s，,：:]", "", text[s0:k]):
                wholes = _previous_sentence(view, sentence)  # "…561.27万元。其中：货物类…"
        later = [b.start() for b in breaks[n + 1 :] if depths[b.start() - s0] == depth]
        if later:
            end = min(end, later[0])
        parts = [
            f
            for f in sentence
            if match.end() <= f.start < end and depths[f.start - s0] == depth and f.period == "current"
        ]
        wholes = [w for w in wholes if w.period == "current"]
        if parts and wholes:
            _by_role(view, wholes, parts, complete=False)


def _groups(view: ReportView, sentence: Sequence[Fact]) -> list[Span]:
    return clause_groups(view.text, sentence[0].sentence_start, sentence[0].sentence_end)


def _previous_sentence(view: ReportView, sentence: Sequence[Fact]) -> list[Fact]:
    paragraph = view.paragraph_index(sentence[0])
    earlier = [f for f in view.facts_in(0, sentence[0].sentence_start) if f.sentence_end <= sentence[0].sentence_start]
    if not earlier or view.paragraph_index(earlier[-1]) != paragraph:
        return []
    last = earlier[-1].sentence_start
    depths = _depths(view.text, last, earlier[-1].sentence_end)
    # "等级为“良”（80分及以上为良）。其中，…": a figure in brackets explains; it is not the whole listed
    return [f for f in earlier if f.sentence_start == last and not depths[f.start - last]]


# -- numbered items under an intro paragraph ---------------------------------------------------------------
def _kind(paragraph: Paragraph) -> tuple[str, int | None] | None:
    found = marker_of(paragraph.text)
    if found is None or found[0] not in _LIST_KINDS:
        return None
    return found[0], marker_number(found[1])


def _paragraph_lists(view: ReportView) -> None:
    paragraphs = [p for p in view.paragraphs if p.table is None]
    for i in range(1, len(paragraphs)):
        first = _kind(paragraphs[i])
        intro = paragraphs[i - 1]
        if first is None or first[1] != 1 or intro.heading_only or intro.path != paragraphs[i].path:
            continue
        intro_kind = _kind(intro)
        if intro_kind is not None and intro_kind[0] == first[0]:
            continue
        items: list[Paragraph] = []
        expected = 1
        for p in paragraphs[i:]:
            kind = _kind(p)
            if kind is not None and kind[0] == first[0] and kind[1] == expected and p.path == intro.path:
                items.append(p)
                expected += 1
            elif kind is not None and _deeper(kind[0], first[0]) and items:
                continue
            else:
                break
        if len(items) >= 2:
            ends = [p.start for p in items[1:]] + [_end_of_item(paragraphs, items[-1], first[0])]
            bodies = [view.facts_in(p.start, end) for p, end in zip(items, ends, strict=True)]
            wholes = [f for f in view.facts_in(intro.start, intro.end + 1) if f.period == "current"]
            _items(view, wholes, bodies, _announced(intro.text))


def _deeper(kind: str, than: str) -> bool:
    order = ["paren_cn", "num", "paren_num", "circled"]
    return order.index(kind) > order.index(than)


def _end_of_item(paragraphs: Sequence[Paragraph], last: Paragraph, kind: str) -> int:
    index = paragraphs.index(last)
    end = last.end
    for p in paragraphs[index + 1 :]:
        found = _kind(p)
        if found is not None and _deeper(found[0], kind):
            end = p.end
        else:
            break
    return end


def _announced(text: str) -> bool:
    tail = text.rstrip().rstrip("：:。")
    return any(tail.endswith(w) for w in _complete_words()) or has_word(tail[-8:], "breakdown", "complete")


def _complete_words() -> tuple[str, ...]:
    return lexicon("breakdown", "complete")


def _items(view: ReportView, wholes: Sequence[Fact], bodies: Sequence[Sequence[Fact]], complete: bool) -> None:
    """Check each role of the intro against the first fact of that role in every item."""
    seen: set[str] = set()
    for whole in wholes:
        key = _role_key(whole)
        if whole.family not in _FAMILIES or key in seen or key in ("rate", "share", "change", "target"):
            continue
        seen.add(key)
        parts: list[Fact] = []
        for body in bodies:
            same = [f for f in body if _same_kind(view, f, whole) and f.role == whole.role and f.period == "current"]
            if not same and key == "budget":
                same = [f for f in body if f.role in BUDGET_ROLES and f.family == whole.family]
            if not same:
                break
            parts.append(same[0])
        if len(parts) == len(bodies):
            check_parts(view, whole, parts, complete)


# -- subsections under a section's intro ---------------------------------------------------------------------
def _section_lists(view: ReportView) -> None:
    sections = view.outline.sections
    by_path: dict[tuple[str, ...], list[Paragraph]] = {}
    for p in view.paragraphs:
        if p.table is None and not p.heading_only:
            by_path.setdefault(p.path, []).append(p)
    done: set[tuple[str, ...]] = set()
    for section in sections:
        children = view.children(section)
        if len(children) < 2 or section.path in done:
            continue  # a path named twice reads the same paragraphs: once is enough
        done.add(section.path)
        intro = [p for p in by_path.get(section.path, []) if p.start < children[0].start]
        wholes = [f for p in intro for f in view.facts_in(p.start, p.end + 1) if f.period == "current"]
        bodies = [[f for p in by_path.get(c.path, []) for f in view.facts_in(p.start, p.end + 1)] for c in children]
        if wholes and all(bodies):
            _items(view, wholes, bodies, _announced(intro[-1].text) if intro else False)


# -- 一是…二是… after an announced breakdown ----------------------------------------------------------------
def _ordinal_lists(view: ReportView) -> None:
    for index, paragraph in enumerate(view.paragraphs):
        if paragraph.table is not None:
            continue
        text = view.text
        marks = [m for m in _ORDINAL.finditer(text, paragraph.start, paragraph.end)]
        runs: list[list[re.Match[str]]] = []
        for m in marks:
            number = marker_number(m.group(1))
            if number == 1:
                runs.append([m])
            elif runs and number == len(runs[-1]) + 1:
                runs[-1].append(m)
        for run in runs:
            if len(run) < 2:
                continue
            lead_start = max(text.rfind(ch, paragraph.start, run[0].start()) for ch in "。；;") + 1
            lead = text[max(lead_start, paragraph.start) : run[0].start()]
            if not lead.rstrip().endswith(("：", ":")) or not _breakdown_lead(lead):
                continue
            ends = [m.start() for m in run[1:]] + [_item_end(text, run[-1].end(), paragraph.end)]
            parts: list[Fact] = []
            for m, end in zip(run, ends, strict=True):
                depths = _depths(text, m.end(), end)
                money = [
                    f
                    for f in view.facts_in(m.end(), end)
                    if f.family == "money" and not depths[f.start - m.end()] and not _after_break(text, m.end(), f)
                ]
                if not money:
                    break
                parts.append(money[0])
            if len(parts) != len(run):
                continue
            whole = _lead_whole(view, paragraph, index, run[0].start(), lead)
            if whole is not None:
                check_parts(view, whole, parts, complete=True)


def _breakdown_lead(lead: str) -> bool:
    return has_word(lead, "breakdown", "parts_follow") or bool(re.search(r"按.{1,8}(?:划)?分[：:]", lead))


def _item_end(text: str, start: int, end: int) -> int:
    stop = re.compile(r"[。；;]").search(text, start, end)
    return stop.end() if stop else end


def _after_break(text: str, start: int, fact: Fact) -> bool:
    return bool(_BREAK.search(text, start, fact.start))


def _lead_whole(view: ReportView, paragraph: Paragraph, index: int, at: int, lead: str) -> Fact | None:
    before = [f for f in view.facts_in(paragraph.start, at) if f.family == "money" and f.period == "current"]
    if not before and index > 0:
        previous = view.paragraphs[index - 1]
        before = [
            f for f in view.facts_in(previous.start, previous.end + 1) if f.family == "money" and f.period == "current"
        ]
    if not before:
        return None
    if role_of(strip_trailing(lead.rstrip("：:")), "money")[0] == "spending" or has_word(lead, "breakdown", "spent"):
        spent = [f for f in before if f.role == "spending"]
        if spent:
            return spent[-1]
    return before[-1]


# -- "38个指标中，20个…、9个…" ---------------------------------------------------------------------------------
def _count_parts(view: ReportView) -> None:
    for sentence in view.sentences():
        for i, whole in enumerate(sentence):
            if whole.family != "count" or not _COUNT_WHOLE.match(view.text[whole.end : whole.end + 20]):
                continue
            parts: list[Fact] = []
            for later in sentence[i + 1 :]:
                if later.family != "count" or not _same_kind(view, later, whole):
                    break
                parts.append(later)
            check_parts(view, whole, parts, complete=False, overlap=False)
