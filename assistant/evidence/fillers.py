"""What can fill a question's answer slot inside a span: a figure of the asked kind, a name, a date, a list, a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.evidence.spans import Span
from assistant.frame import AnswerType, QuestionFrame
from index.facts import Fact
from index.figures import COUNT_UNITS
from index.lexicon import load
from index.segment import segment
from index.text import normalise

FAMILIES: dict[str, frozenset[str]] = {
    "amount": frozenset({"money"}),
    "rate": frozenset({"percent", "pp"}),
    "count": frozenset({"count", "duration", "measure"}),
    "score": frozenset({"score"}),
    "figure": frozenset({"money", "percent", "pp", "count", "duration", "measure", "ratio", "score"}),
}
_DATE = re.compile(
    r"(?:(?:19|20)\d{2}年)?\d{1,2}月(?:\d{1,2}日)?(?:前|底|初|中旬|下旬|上旬)?|(?:19|20)\d{2}年(?:[一二三四]季度|上半年|下半年|底|末|初)"
)
_ORGANISATION = re.compile(
    r"[\u4e00-\u9fff（）()]{2,24}?(?:有限公司|股份公司|公司|集团|研究院|研究所|设计院|事务所|协会|学会|基金会|医院|学校|银行"
    r"|委员会|中心|办公室|大队|支队|科|股|处|站|所|院|馆|局)"
)
_ORGANISATION_END = re.compile(
    r"(?:有限公司|股份公司|公司|集团|研究院|研究所|设计院|事务所|协会|学会|基金会|医院|学校|银行|委员会|中心|大队|支队)$"
)
_GENERIC_ORGANISATION = frozenset({"单位", "机构", "部门", "组织", "科室", "处室", "股室"})
_GENERIC_NAME = re.compile(r"^(?:第三方|相关|有关|各|本|该|我|上级|下级|区级|市级|县级|全区|全市|基层|其他|专业)")


def _names_something(name: str) -> bool:
    """Tell whether a match of the organisation pattern ends in a noun (殡仪馆, 水务局), not in a function
    word that happens to be a suffix character (在所)."""
    tokens = segment(name)
    return bool(tokens) and (tokens[-1].flag.startswith("n") or len(tokens[-1].word) >= 2)


_LIST_MARKERS = re.compile(
    r"(?:^|[，；。：])\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|[①-⑳])"
)
_LAST_ITEM = re.compile(r"、[^，。；、]{1,30}(?:和|及|以及|与)[^，。；、]{1,30}")
_REASON = re.compile(
    r"由于|因为|原因|主要是|主要系|系因|受[^，。；]{1,20}影响|导致|造成|致使|所致|未能|尚未|滞后|影响|因[^此而]"
)
_CLAUSE_OPENING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|[①-⑳]|\d+[.、．])?\s*"
)


def _commits(text: str, words: list[str]) -> bool:
    """Tell whether a sentence commits to a step: one of its clauses opens with a word that says what will be
    done ("力争…", "将建立…", "二是加快…"), not one that only contains it ("措施不够完善")."""
    for clause in re.split(r"[，；。：,;:]", text):
        opened = _CLAUSE_OPENING.sub("", clause, count=1)
        if any(opened.startswith(w) for w in words):
            return True
    return False


_REASON_SECTION = re.compile(r"原因")  # a heading that says its sentences give reasons
_PROBLEM_SECTION = re.compile(r"问题")  # a section of the problems a report finds (what lies behind a shortfall)
_PURPOSE = re.compile(r"用于|主要用于|用来|保障|支付|购买|开展|实施|建设|维护|补助|补贴")
_GRADE = re.compile(
    r"[“\"]?(?:优秀|优|良好|良|中|差|合格|不合格)[”\"]?(?:等次|等级|档)|等次为|等级为|评价为"
    r"|(?:评价|自评|考核)?结果为[“\"]?(?:优秀|优|良好|良|中|差|合格|不合格)|[“\"](?:优|良|中|差)[”\"]"
)
GRADE_HEADER = re.compile(r"等次|等级|评价结果|评级")  # a table column that holds grades
_COUNTER_GROUPS = {
    "人": "人",
    "名": "人",
    "位": "人",
    "人次": "人次",
    "批次": "批",
    "批": "批",
    "户": "户",
    "户次": "户",
}


# Measure words of things and places, which the general measure word 个 may stand for (not people, not time).
_THING_COUNTERS = frozenset({"处", "项", "件", "座", "条", "所", "家", "台", "套", "块", "张", "类", "种"})


@dataclass(frozen=True)
class Filler:
    """Something in a span that can answer the slot: its kind and text (and the fact, for a figure)."""

    kind: AnswerType
    text: str
    start: int
    fact: Fact | None = None


def counted_asked(frame: QuestionFrame) -> str:
    """Return the noun a "how many + counter" question counts ("多少张床" -> 床; "" when it names none).

    >>> from assistant.frame import build_frame
    >>> counted_asked(build_frame("宿舍一共能放多少张床？")), counted_asked(build_frame("解决了多少处？"))
    ('床', '')
    """
    return _counted_asked(frame.text, frame.counter)


@lru_cache(maxsize=1024)
def _counted_asked(text: str, counter: str) -> str:
    if not counter:
        return ""
    found = re.search(r"(?:多少|几)" + re.escape(counter) + r"([\u4e00-\u9fff]{1,4})", text)
    return found.group(1).rstrip("的呢吗") if found else ""


def counter_ok(fact: Fact, counter: str, noun: str = "") -> bool:
    """Tell whether a count answers a "how many + counter" question (of the noun it counts, when it names one)."""
    if not counter or counter == "个":
        return True  # 个 is the general measure word: "多少个行政处罚决定" counts 件 as well
    if fact.family in ("duration", "measure"):
        return counter in fact.unit or fact.unit in counter
    group = _COUNTER_GROUPS.get(counter, counter)
    if fact.counter == "个" and counter in _THING_COUNTERS:
        # 个 counts things of any kind: "解决了多少处" is answered by "管网漏损点26个"; "多少张床" is not by
        # "2个乡镇水厂", which counts another thing.
        return not noun or any(ch in f"{fact.subject}{fact.label}{fact.after}" for ch in noun)
    return _COUNTER_GROUPS.get(fact.counter, fact.counter) == group or (counter in COUNT_UNITS and fact.counter == "")


def figure_fillers(frame: QuestionFrame, span: Span, kind: AnswerType) -> list[Filler]:
    """Return the span's facts of the family a numeric slot asks for, leaving out numbers the question states."""
    families = FAMILIES[kind]
    asked = set(frame.numbers)
    out: list[Filler] = []
    noun = counted_asked(frame)
    for fact in span.facts:
        if fact.family not in families or normalise(fact.text) in asked or fact.value in frame.values:
            continue
        if kind == "count" and not any(counter_ok(fact, c, noun) for c in (frame.counters or (frame.counter,))):
            continue
        out.append(Filler(kind, fact.text, fact.start, fact))
    return out


def fillers(frame: QuestionFrame, span: Span, kind: AnswerType) -> list[Filler]:
    """Return what in a span could answer a slot of the given kind (empty: the span cannot answer it)."""
    text = span.text
    if kind in FAMILIES:
        return figure_fillers(frame, span, kind)
    question = normalise(frame.text)
    if kind == "date":
        return [
            Filler(kind, m.group(0), span.start + m.start())
            for m in _DATE.finditer(text)
            if normalise(m.group(0)) not in question
        ]
    if kind == "name":
        found = []
        generic = not frame.asked_noun or frame.asked_noun in _GENERIC_ORGANISATION
        patterns = [_ORGANISATION] if generic else []
        if frame.asked_noun:
            patterns.append(re.compile(r"[\u4e00-\u9fff（）()“”]{2,14}?" + re.escape(frame.asked_noun)))
            if span.is_row and span.table is not None and any(frame.asked_noun in h for h in span.table.header):
                label = span.text.split("|")[0].strip()
                cells = [c.strip() for c in span.text.split("|")]
                named = next(
                    (c for c, h in zip(cells, span.table.header, strict=False) if frame.asked_noun in h), label
                )
                return [Filler(kind, named, span.start)]
        after = _object_of(frame, text)
        for pattern in patterns:
            for m in pattern.finditer(text):
                name, at = m.group(0), m.start()
                if after is not None and at < after < m.end():
                    name, at = text[after : m.end()], after  # "县水务局委托白沙咨询公司": the name after the verb
                else:
                    name = _noun_run(name)
                    at = m.end() - len(name)
                if _GENERIC_NAME.match(name) or normalise(name) in question or len(name) < 3:
                    continue
                if not _names_something(name):
                    continue  # a suffix character that closes no noun (所 after 在)
                if after is not None and at < after:
                    continue  # "委托哪家机构": the one commissioned follows 委托, the one who commissions precedes it
                found.append(Filler(kind, name, span.start + at))
        return found
    if kind == "list":
        # Items separated by 、, numbered (一是…), or quoted one after another (“排水许可一件事”“…”).
        items = text.count("、") + len(_LIST_MARKERS.findall(text)) + text.count("”“")
        if "、" in text and _LAST_ITEM.search(text):
            items += 1  # "A、B和C": 和 joins the last item
        if span.table is not None:
            # A table's rows list its items; a row lists the kind asked only where the table speaks of it.
            header = " ".join(span.table.header)
            row_ok = not frame.asked_noun or frame.asked_noun in f"{text} {span.context} {header}"
            return [Filler(kind, text, span.start)] if row_ok else []
        if _organisations(frame.asked_noun) and frame.asked_noun not in text and names_listed(frame, span) < 2:
            return []  # "哪几家承包单位": a list of conditions or tasks names no organisation
        return [Filler(kind, text, span.start)] if items >= 2 else []
    if kind == "grade" and span.is_row and span.table is not None:
        # A table's 等次 column: the row's cell under it is the grade.
        cells = [c.strip() for c in text.split("|")]
        for cell, header in zip(cells, span.table.header, strict=False):
            if GRADE_HEADER.search(header) and cell and cell not in ("—", "-"):
                return [Filler(kind, cell, span.start + text.find(cell))]
    if kind == "remedy":
        # A step the report commits to: a sentence of its 改进措施 / 下一步 section, or one that says what will be
        # done (将…, 力争…, 计划…) of the subject.
        if span.table is not None:
            return []
        remedy = load("genre")["remedy"]
        in_section = any(w in span.scope for w in remedy["headings"])
        return [Filler(kind, text, span.start)] if in_section or _commits(text, remedy["commitments"]) else []
    cue = {"reason": _REASON, "purpose": _PURPOSE, "grade": _GRADE}.get(kind)
    if cue is not None:
        # What the question names is no answer to it: "为什么上线时间滞后" is not answered by 滞后.
        named = " ".join(frame.entities) if kind == "reason" else ""
        hit = next((m for m in cue.finditer(text) if m.group(0) not in named), None)
        if hit is None and kind == "reason":
            if (
                span.table is None
                and not _restates(frame, text)
                and (_REASON_SECTION.search(span.heading) or (_PROBLEM_SECTION.search(span.scope) and not span.facts))
            ):
                # A sentence of a section the report heads 偏差原因分析, or one of its 存在的问题 that states no
                # figure (the problem, not the shortfall restated).
                return [Filler(kind, text, span.start)]
            cells = [c.strip() for c in text.split("|")]
            columns = span.table.header if span.table is not None else ()
            for cell, name in zip(cells, columns, strict=False):
                if _REASON_SECTION.search(name) and cell and cell not in ("—", "-", "/"):
                    return [Filler(kind, cell, span.start + text.find(cell))]  # a row's 扣分原因 column
        return [Filler(kind, hit.group(0), span.start + hit.start())] if hit else []
    return [Filler(kind, text, span.start)]


_WHICH_ONE = re.compile(r"哪(?:一)?(?:家|个|位|所)")


def _object_of(frame: QuestionFrame, text: str) -> int | None:
    """Return where, in a span, the name asked must start when the question asks it as the object of a verb
    ("是委托哪家机构做的": after 委托 in the span); None when the question puts no verb before 哪.

    >>> from assistant.frame import build_frame
    >>> _object_of(build_frame("调查是委托哪家机构做的？"), "县水务局委托白沙咨询公司开展调查")
    6
    >>> _object_of(build_frame("哪家单位承建的？"), "由白沙建设公司承建") is None
    True
    """
    which = _WHICH_ONE.search(frame.text)
    if which is None:
        return None
    tokens = [t for t in segment(frame.text[: which.start()]) if t.word.strip()]
    verb = tokens[-1].word if tokens else ""
    if len(verb) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", verb) or verb not in text:
        return None
    return text.find(verb) + len(verb)


def _noun_run(name: str) -> str:
    """Return the end of a matched name that is one noun phrase: "县水务局委托白沙咨询公司" -> "白沙咨询公司"."""
    tokens = segment(name)
    for i in range(len(tokens) - 1, 0, -1):
        if tokens[i - 1].flag.startswith("v") and not tokens[i - 1].flag.startswith("vn"):
            return name[tokens[i].start :]
    return name


_ORDINAL = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是|首先|其次|再次|最后|[（(][一二三四五六七八九十\d]+[)）]|[①-⑳])"
)


def _restates(frame: QuestionFrame, text: str) -> bool:
    """Tell whether a sentence only names what the question asks about ("一是上线时间滞后。" of "为什么上线时间
    滞后"): the sentence the report gives the reason in is another one.

    >>> from assistant.frame import build_frame
    >>> _restates(build_frame("平台为什么上线时间滞后？"), "一是上线时间滞后。")
    True
    >>> _restates(build_frame("平台为什么上线时间滞后？"), "接口适配耗时较长，较计划推迟两个月上线。")
    False
    """
    content = re.sub(r"[\W_]", "", _ORDINAL.sub("", text))
    asked = {frame.text[i : i + 2] for i in range(len(frame.text) - 1)}
    pairs = {content[i : i + 2] for i in range(len(content) - 1)}
    return bool(pairs) and pairs <= asked


_ORGANISATION_KINDS = _GENERIC_ORGANISATION | {"企业", "公司", "单位"}


def _organisations(noun: str) -> bool:
    """Tell whether a noun names a kind of organisation (企业, 承包单位, 公司)."""
    return bool(noun) and noun.endswith(tuple(_ORGANISATION_KINDS))


_NUMERALS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_LIST_CLASSIFIERS = r"(?:个|项|类|种|家|条|块|大类|方面)"
# "A、B和C3个子系统": a list closed by the count of its items; "分为三类：A、B、C": opened by it.
_COUNT_CLOSES = re.compile(
    r"(?P<items>[^，。；：:]{2,240}?)(?P<n>\d{1,2}|[两二三四五六七八九十])\s*(?P<c>" + _LIST_CLASSIFIERS + ")"
)
_COUNT_OPENS = re.compile(
    r"(?P<n>\d{1,2}|[两二三四五六七八九十])\s*(?P<c>"
    + _LIST_CLASSIFIERS
    + r")[^，。；：:]{0,8}[：:](?P<items>[^。；]{2,300})"
)
_WHICH_CLASSIFIER = re.compile(r"哪(?:几|[两三四五六七八九十])(" + _LIST_CLASSIFIERS + ")")


def _items(text: str) -> int:
    parts = [p for p in text.split("、") if p.strip()]
    if len(parts) < 2:
        return 0
    return len(parts) + (1 if re.search(r"和|及|以及|与", parts[-1]) else 0)


def counted_list(text: str) -> tuple[str, str]:
    """Return the classifier of a list whose items the text counts itself (the count agrees with the items
    listed) and the noun counted when it follows the count, else ("", "").

    >>> counted_list("平台建设内容包括水质监测、管网巡检和用户服务3个子系统。")
    ('个', '子系统')
    >>> counted_list("业务分为三类：报装受理、缴费结算、故障报修。"), counted_list("完成A、B和C2个项目。")
    (('类', ''), ('', ''))
    """
    for pattern in (_COUNT_OPENS, _COUNT_CLOSES):
        for m in pattern.finditer(text):
            n = m.group("n")
            stated = int(n) if n.isdigit() else _NUMERALS[n]
            if stated >= 2 and _items(m.group("items")) == stated:
                noun = "" if pattern is _COUNT_OPENS else re.split(r"[，。；：、\s]", text[m.end() :], maxsplit=1)[0]
                return m.group("c"), noun
    return "", ""


def asks_counted_kind(frame: QuestionFrame, text: str) -> bool:
    """Tell whether a text lists, counted, the kind of thing a "which ones" question asks ("哪几类" and a list
    of 三类; "哪几个子系统" and a list closed by 3个子系统, not by 4个方面)."""
    classifier, noun = counted_list(text)
    if not classifier:
        return False
    if frame.asked_noun and noun:
        return noun.startswith(frame.asked_noun) or frame.asked_noun.endswith(noun)
    which = _WHICH_CLASSIFIER.search(frame.text)
    return which is not None and which.group(1) == classifier and classifier != "个"


def names_listed(frame: QuestionFrame, span: Span) -> int:
    """Return how many organisations a span names, when a list of organisations is asked ("哪几家企业":
    "即甲公司、乙公司和丙公司"), else 0."""
    if not _organisations(frame.asked_noun):
        return 0
    named = 0
    for clause in re.split(r"[，。；：:;,]", span.text):
        if "、" not in clause:
            continue
        items = [i for part in clause.split("、") for i in re.split(r"和|及|以及|与", part) if i]
        named += sum(1 for item in items if len(item) <= 24 and _ORGANISATION_END.search(item))
    return named
