"""The question frame: what kind of answer is asked, of which measure, about which entities, by what operation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Literal

from index.expand import expand_chinese, register_names, translate_english
from index.facts import Role
from index.figures import COUNT_UNITS, PER_UNITS, parse_figures
from index.lexicon import load, words
from index.segment import Token, boundaries, find_cue, segment
from index.text import is_mostly_chinese, normalise

AnswerType = Literal[
    "amount", "rate", "count", "score", "figure", "name", "date", "list", "reason", "purpose", "remedy", "yesno",
    "grade", "text"
]  # fmt: skip
Operation = Literal[
    "lookup",
    "difference",
    "growth",
    "remaining",
    "sum",
    "average",
    "share",
    "implied_target",
    "completion",
    "deduction",
    "net",
    "earlier",
    "max",
    "min",
]
_NUMERIC_TYPES = frozenset({"amount", "rate", "count", "score", "figure"})
_PART_SPLIT = re.compile(r"[？?；;。!！]+")
_EN_PART_SPLIT = re.compile(
    r"[?;!]+|,?\s+and\s+(?=(?:how|what|which|who|when|why|where|is|are|was|were|did|does|do)\b)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")
_EN_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*月(?:份)?(?!\d)|([一二三四]季度|上半年|下半年|第[一二三四]季度)")
_COUNTER = re.compile(
    r"(?:多少|几)(?P<unit>"
    + "|".join(sorted((*COUNT_UNITS, "天", "公里", "吨", "亩", "小时", "个月"), key=len, reverse=True))
    + ")"
)
_PUNCT = re.compile(r"^[\W_]+$")
_ASKED_TAIL = re.compile(
    r"(?:分别|各自|各|一共|总共|到底|大约|大概)?(?:是|有|为)?(?:多少|几|什么|哪些|哪个|哪几[个项条]?|谁|怎样|如何|怎么样)[^，。？?]{0,3}$"
)
_HOW_MANY = re.compile(
    r"了?(?:一共|总共)?(?:多少|几)(?:人次|家次|批次|台次|车次|架次|个|项|件|人|名|次|家|座|条|辆|户|份|宗|对|张|处|批)?"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PART_OF = re.compile(
    r"[\u4e00-\u9fff）)”，,]\s*(?:占|相当于)[^，。？?；]{2,40}?的?(?:比例|比重|百分比|百分之几|百分之多少|几成|份额)"
)


@dataclass(frozen=True)
class Measure:
    """A measure asked for: a figure role and the word of the question that names it."""

    role: Role
    word: str


@dataclass(frozen=True)
class QuestionFrame:
    """What a question asks, in slots the planner fills from the fact table."""

    text: str
    english: bool
    answer_types: tuple[AnswerType, ...]
    measures: tuple[Measure, ...]
    entities: tuple[str, ...]
    head: str
    operation: Operation
    counter: str = ""
    years: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    previous_period: bool = False
    terms: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    values: tuple[float, ...] = ()  # the figures the question states: never its answer
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # entity -> its register words (公车 -> 公务用车)
    asked_noun: str = ""  # what a "which X" question asks for (断面 in 哪个地表水断面)
    predicate: tuple[str, ...] = ()  # what a "which X" question says of X (承建 in 哪家单位承建的)
    modifiers: tuple[str, ...] = ()  # entities that open with a verb: they qualify, they do not name
    verbs: tuple[str, ...] = ()  # entities made only of verbs ("能放", "能用"): what is asked of a subject
    counters: tuple[str, ...] = ()  # every "how many + counter" of the question (多少路…多少辆)
    negated: tuple[str, ...] = ()  # the words of what the question says was not done (整治 in 还有多少个没有整治完)
    parts: tuple[QuestionFrame, ...] = field(default=(), compare=False)

    @property
    def answer_type(self) -> AnswerType:
        """The first (main) kind of answer asked."""
        return self.answer_types[0] if self.answer_types else "text"

    @property
    def numeric(self) -> bool:
        return bool(set(self.answer_types) & _NUMERIC_TYPES) or self.operation != "lookup"

    @property
    def search_terms(self) -> tuple[str, ...]:
        return (*self.terms, *self.expansions)

    def describe(self) -> str:
        """Say in Chinese (or English) what was asked, for a refusal: the question without its question words.

        >>> build_frame("2023年全区办理了多少件收养登记？").describe()
        '“2023年全区办理的收养登记数量”'
        """
        if self.english:
            return self.text.rstrip("?？ ")
        text = _ASKED_TAIL.sub("", self.text.strip().rstrip("？?。！! "))
        text = _HOW_MANY.sub(lambda m: "的" if m.start() == 0 or text[m.start() - 1] != "哪" else m.group(0), text)
        text = text.rstrip("的")
        if self.answer_type == "count" and not text.endswith(("数", "量")):
            text += "数量"
        return f"“{text}”" if text else "这方面的内容"


@cache
def _frame_words() -> frozenset[str]:
    return frozenset(load("question")["frame"]["question_words"])


@cache
def _negations() -> frozenset[str]:
    return frozenset(load("question")["frame"]["negations"])


@cache
def _no_subject() -> frozenset[str]:
    """Words that never name a subject alone (完成, 实现, 全年): the fact table's list, read the same way here."""
    return frozenset(load("roles")["subjects"]["generic"]) - _scope_words()


@cache
def _scope_words() -> frozenset[str]:
    return frozenset(load("question")["frame"]["scope_words"])


@cache
def _cues(table: str) -> dict[str, tuple[str, ...]]:
    return words("question", table)


@cache
def _role_words() -> frozenset[str]:
    return frozenset(_word_roles())


@cache
def _colloquial() -> dict[str, tuple[str, ...]]:
    return words("genre", "colloquial")


def _answer_types(text: str, tokens: tuple[Token, ...], english: bool) -> tuple[AnswerType, ...]:
    found: list[tuple[int, AnswerType]] = []
    lowered = text.lower()
    if english:
        for kind, cues in _cues("english").items():
            if kind in ("amount", "rate", "score", "count", "name", "date", "list", "reason", "purpose", "yesno"):
                positions = [lowered.find(c) for c in cues if lowered.find(c) >= 0]
                if positions:
                    found.append((min(positions), kind))  # type: ignore[arg-type]
    else:
        for kind, cues in _cues("answer_types").items():
            positions = [p for c in cues if (p := find_cue(text, tokens, c)) >= 0]
            # A word that ends in a cue asks what the cue asks ("总得分" as 得分, "总人数" as 人数).
            positions += [
                t.start for t in tokens if any(len(c) >= 2 < len(t.word) and t.word.endswith(c) for c in cues)
            ]
            if positions:
                found.append((min(positions), kind))  # type: ignore[arg-type]
        if not any(k == "rate" for _, k in found):
            # Any word of a rate ("回收率", "整改率") asks for a rate, listed as a cue or not.
            at = next((t.start for t in tokens if len(t.word) >= 2 and t.word.endswith("率")), -1)
            if at >= 0:
                found.append((at, "rate"))
    if not english and any(k in ("name", "date", "list", "reason", "purpose", "remedy") for _, k in found):
        # "满意度调查是委托哪家机构做的": a measure word that qualifies the noun after it names the subject; the
        # question asks who, when or why, not that measure.
        found = [(p, k) for p, k in found if k not in _FIGURE_KINDS or not _qualifies_noun(tokens, p)]
    many = None if english else _WHICH_MANY.search(text)
    if many is not None:
        # "哪几家企业": the names of several, not how many of them ("几家" alone would read as a count).
        found = [(p, k) for p, k in found if not (k == "count" and p >= many.start() and p < many.end())]
        found.append((many.start(), "list"))
    kinds = [k for _, k in sorted(found)]
    if not kinds and re.search(r"多少|几|how much|how many|what (?:was|is) the", lowered):
        kinds = ["figure"]  # "年均浓度是多少": a figure, of whatever unit
    # A "which one" or "how many" question asks for that, whatever money words its subject carries.
    # A score asked ("打了多少分") is what is asked, whatever spending its subject's name carries (整体支出绩效).
    for specific in ("score", "count", "name", "date", "list", "reason", "purpose", "remedy", "grade"):
        if specific in kinds:
            kinds.remove(specific)
            kinds.insert(0, specific)
    if "list" in kinds and "count" in kinds and kinds.index("count") < kinds.index("list"):
        kinds.remove("list")
        kinds.insert(0, "list")
    if "yesno" in kinds and len(kinds) > 1:
        kinds.remove("yesno")
        kinds.append("yesno")
    return tuple(dict.fromkeys(kinds)) or ("text",)


_FIGURE_KINDS = frozenset({"amount", "rate", "count", "score"})


def _qualifies_noun(tokens: tuple[Token, ...], at: int) -> bool:
    """Tell whether the word at an offset is followed at once by a noun it qualifies (满意度 | 调查).

    >>> _qualifies_noun(segment("满意度调查由谁做"), 0), _qualifies_noun(segment("满意度是多少"), 0)
    (True, False)
    """
    word = next((t for t in tokens if t.start == at), None)
    following = next((t for t in tokens if word is not None and t.start == word.end), None)
    return following is not None and (following.flag.startswith("n") or following.flag == "vn")


def _operation(text: str, tokens: tuple[Token, ...], english: bool) -> Operation:
    lowered = text.lower()
    order: tuple[str, ...] = (
        "remaining",
        "deduction",
        "net",
        "implied_target",
        "completion",
        "growth",
        "share",
        "difference",
        "average",
        "sum",
        "extreme_max",
        "extreme_min",
    )
    table = _cues("english") if english else _cues("operations")
    if not english and _BUDGET_COMPLETION.search(text):
        return "lookup"  # "完成了预算的百分之几": the completion rate the report states, not a share to compute
    if not english and _PART_OF.search(text) and not any(c in text for c in table.get("remaining", ())):
        return "share"  # "运行补助占农村供水保障工程实际支出的比例": X 占 Y 的比例 is X's share of Y
    for name in order:
        cues = table.get(name, ())
        # Operation cues are phrases ("还剩多少没用"), matched as such; everyday words go by word boundaries.
        hit = any(c in lowered for c in cues) if english else any(c in text for c in cues if len(c) >= 2)
        if not hit:
            continue
        if name == "growth" and not re.search(r"百分之|%|增长率|增幅|降幅|几成|多少|percent|how much|by how", lowered):
            continue  # "比上年有所下降" says a comparison, not a question about its size
        if name == "growth" and not re.search(r"百分之|%|率|增幅|降幅|几成|percent", lowered):
            name = "difference"
        if name == "implied_target" and not re.search(r"目标|任务|计划|应完成", lowered):
            continue  # "推算…以前共有多少": a reckoning, but not of a target
        if name == "sum" and not re.search(r"合计|加起来|合起来|总计|之和|加在一起|两|几个|各|total|combined", lowered):
            continue
        return {"extreme_max": "max", "extreme_min": "min"}.get(name, name)  # type: ignore[return-value]
    return "lookup"


@cache
def _word_roles() -> dict[str, Role]:
    table: dict[str, Role] = {}
    for role, items in words("roles", "roles").items():
        for word in items:
            table.setdefault(word, role)  # type: ignore[arg-type]
    return table


@cache
def _role_words_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_word_roles(), key=len, reverse=True))


def _measures(
    text: str, tokens: tuple[Token, ...], expansions: tuple[str, ...], english: bool = False
) -> tuple[Measure, ...]:
    """Return the figure roles a question names, in the order it names them (longest words first)."""
    roles = _word_roles()
    longest_first = _role_words_longest_first()
    found: list[tuple[int, Measure]] = []
    taken: list[tuple[int, int]] = []
    for word in longest_first:
        at = find_cue(text, tokens, word)
        if at < 0 or any(s < at + len(word) and at < e for s, e in taken):
            continue
        if _inside_name(tokens, at + len(word)):
            continue  # "部门整体支出绩效自评": a role word inside a longer name names no measure
        taken.append((at, at + len(word)))
        found.append((at, Measure(roles[word], word)))
    for token in tokens:
        # A noun closed by a role word ("控制目标", "年度预算") names that role, as the word alone would.
        word = next((w for w in longest_first if len(w) >= 2 and token.word.endswith(w)), "")
        at = token.end - len(word)
        if (
            word
            and len(token.word) > len(word)
            and token.flag.startswith("n")
            and not any(s < token.end and at < e for s, e in taken)
        ):
            taken.append((at, token.end))
            found.append((at, Measure(roles[word], word)))
    for at, word in _rate_words(tokens):
        # A rate the lexicon does not list (入住率, 分担率) is still a rate, named by its own word.
        if not any(s < at + len(word) and at < e for s, e in taken):
            taken.append((at, at + len(word)))
            found.append((at, Measure("rate", word)))
    for word in expansions:
        role = roles.get(word)
        # Everyday money verbs (花了, 用掉) stand for a role; other expansions only help retrieval. English
        # has no words of its own in the text: its genre words name the measures.
        allowed = ("spending", "budget", "income") if not english else tuple(roles.values())
        if role in allowed and not any(m.role == role for _, m in found):
            keys = [k for k, targets in _colloquial().items() if word in targets]
            at = min((p for k in keys if (p := find_cue(text, tokens, k)) >= 0), default=len(text))
            found.append((at, Measure(role, word)))
    found.sort(key=lambda item: item[0])
    if not english and "年初" in text:
        # "年初批的部门预算": the stage named apart from the budget word is the budget's stage.
        found = [(at, Measure("initial_budget", m.word) if m.role == "budget" else m) for at, m in found]
    if not english and "调整后" in text and any(m.role == "budget" for _, m in found):
        # "调整后的部门预算": 调整 names the budget's stage, not an adjustment asked of it.
        found = [
            (at, Measure("adjusted_budget", m.word) if m.role == "budget" else m)
            for at, m in found
            if not (m.role == "adjustment" and m.word == "调整")
        ]
    return tuple(dict.fromkeys(m for _, m in found))


def _rate_words(tokens: tuple[Token, ...]) -> list[tuple[int, str]]:
    """Return the words of a question that name a rate: a noun closed by 率 (入住率, or 分担 + 率).

    >>> _rate_words(segment("床位入住率是多少"))
    [(2, '入住率')]
    """
    out: list[tuple[int, str]] = []
    for i, token in enumerate(tokens):
        word = token.word
        if word == "率" and i > 0 and tokens[i - 1].end == token.start and _CJK.search(tokens[i - 1].word):
            out.append((tokens[i - 1].start, tokens[i - 1].word + word))
        elif len(word) >= 3 and word.endswith("率") and word not in _NOT_RATES:
            out.append((token.start, word))
    return out


_NOT_RATES = frozenset({"效率", "频率", "概率"})


@cache
def _noun_counters() -> tuple[tuple[str, str], ...]:
    pairs = [(noun, counter) for counter, nouns in words("question", "noun_counters").items() for noun in nouns]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _noun_counter(head: str) -> str:
    """Return the measure word of what a "how many" question counts, read from its noun (留守儿童 -> 人).

    >>> _noun_counter("留守儿童"), _noun_counter("专项资金")
    ('人', '')
    """
    return next((counter for noun, counter in _noun_counters() if head.endswith(noun)), "")


def _inside_name(tokens: tuple[Token, ...], end: int) -> bool:
    """Tell whether the word ending at `end` is followed, inside the same name, by a noun that is neither a
    role word nor a word that frames the question ("支出" of 整体支出绩效: 绩效 follows)."""
    following = next((t for t in tokens if t.start == end), None)
    if following is None or not _CJK.search(following.word) or len(following.word) < 2:
        return False
    if following.word in _word_roles() or following.word in _strip_words() or following.word in _scope_words():
        return False
    return following.flag.startswith(("n", "b")) or following.flag == "vn"


def _mask(text: str) -> str:
    """Blank out years, months, figures and "how many + counter" (same length), so they never join an entity."""
    spans = [m.span() for m in _YEAR_EXPR.finditer(text)]
    spans += [m.span() for m in _MONTH.finditer(text)]
    spans += [m.span() for m in _COUNTER.finditer(text)]
    spans += [m.span() for m in _per_units(text)]
    spans += [(f.start, f.end) for f in parse_figures(text)]
    spans += [m.span() for m in _WHICH.finditer(text) if m.group(0).startswith("哪")]
    spans += [m.span() for m in _WHEN.finditer(text)]
    chars = list(text)
    for lo, hi in spans:
        for i in range(lo, hi):
            chars[i] = "\u3000"
    return "".join(chars)


_WHEN = re.compile(r"哪(?:一)?(?:天|日|年|月)")
_BUDGET_COMPLETION = re.compile(r"完成(?:了)?(?:年度|全年|调整)?预算的?(?:百分之|多少|几成|比例)")
_HOW_MUCH = re.compile(r"多少|几(?:个|项|家|人|件|处|座|万|亿)")
_PER_UNIT = re.compile(r"(?:平均)?每(?:个|一)?(" + "|".join((*PER_UNITS, "天", "月", "年")) + ")")


def per_unit(text: str) -> str:
    """Return the unit a "per" question divides by (人次 in 每人次, 亩 in 平均每亩), never the first character of a
    noun (项 of 每个项目, 场 of 每个场所).

    >>> per_unit("平均每辆车补助多少？"), per_unit("平均每个项目核减了多少？"), per_unit("平均每亩花了多少")
    ('辆', '', '亩')
    """
    return next((m.group(1) for m in _per_units(text) if m.group(1) not in ("天", "月", "年")), "")


def _per_units(text: str) -> list[re.Match[str]]:
    tokens = segment(text)
    return [
        m
        for m in _PER_UNIT.finditer(text)
        if not any(t.start == m.start(1) and t.end > m.end(1) for t in tokens)  # 项 opening 项目 is no unit
    ]


_YEAR_EXPR = re.compile(r"(?:19|20)\d{2}\s*年(?:度|底|末|初)?|\d+\s*[个项名件家]?(?=[\u4e00-\u9fff])")


@cache
def _strip_words() -> tuple[str, ...]:
    """Words that say what is asked, not about what: role words, question and operation cues, everyday
    words that stand for a role (花了 -> 支出)."""
    found: set[str] = set(_role_words())
    for table in ("answer_types", "operations"):
        for cues in _cues(table).values():
            found.update(cues)
    roles = _word_roles()
    found.update(w for w, targets in _colloquial().items() if any(t in roles for t in targets))
    found.update(_frame_words())
    found.update(load("roles")["subjects"]["previous_period"])
    found.update(
        ("实际", "全年", "年度", "上年", "相比", "对比", "对应", "情况", "当地", "每个", "每一个", "每一", "每项")
    )
    # Nouns that head an entity (三公经费, 专项资金, 基本支出) are never stripped from it.
    found -= _ENTITY_HEADS
    return tuple(sorted((w for w in found if len(w) >= 1), key=len, reverse=True))


_SINGLE_STRIP = frozenset("的了吗呢花用是有率占离得")
_MEASURE_TAILS = ("实际支出", "支出", "预算", "收入")
_ENTITY_HEADS = frozenset({"经费", "资金", "费用", "支出", "收入", "项目", "补贴", "补助", "资金规模", "专项资金"})


def strip_asked(phrase: str) -> str:
    """Take the words that say what is asked off both ends of a phrase, leaving the entity.

    >>> strip_asked("乡村文化站提升工程实际花")
    '乡村文化站提升工程'
    >>> strip_asked("总投资合计")
    ''
    """
    text = phrase.strip()
    for word in _MEASURE_TAILS:
        # "公务接待费支出": the spending of a fund; "基本支出" stays a category of spending.
        if text.endswith(word) and text[: -len(word)].endswith(("费", "经费", "资金", "款", "费用")):
            text = text[: -len(word)]
            break
    changed = True
    while changed and text:
        changed = False
        # A word that only frames a question is taken off where it is a word (a longer word opening with 报告 keeps it).
        edges = boundaries(segment(text))
        for word in _strip_words():
            framing = len(word) >= 2 and word in _frame_words()
            if (
                len(word) < len(text)
                and text.endswith(word)
                and (len(word) >= 2 or word in _SINGLE_STRIP)
                and (not framing or len(text) - len(word) in edges)
            ):
                text = text[: -len(word)].strip()
                changed = True
                break
            if (
                len(word) < len(text)
                and text.startswith(word)
                and len(word) >= 2
                and (not framing or len(word) in edges)
            ):
                text = text[len(word) :].strip()
                changed = True
                break
            if text == word:
                return ""
    return text


def _phrases(
    masked: str, tokens: tuple[Token, ...], english: bool, breaks: frozenset[int] = frozenset()
) -> list[tuple[int, int]]:
    """Return the spans of content runs of a question: words between frame words, particles and punctuation
    (and at `breaks`: the end of the noun a "which X" asks for)."""
    frame_words = _frame_words()
    scope = _scope_words()
    spans: list[tuple[int, int]] = []
    current: list[Token] = []
    for i, token in enumerate(tokens):
        word = token.word.strip()
        glued = (
            i + 1 < len(tokens)
            and tokens[i + 1].start == token.end
            and tokens[i + 1].word[:1].isascii()
            and tokens[i + 1].word[:1].isalpha()
        )
        if word.isdigit() and glued:
            current.append(token)  # "5G", "PM2.5": a number glued to letters is a name, not a figure
            continue
        stop = (
            not word
            or _PUNCT.match(word) is not None
            or word in frame_words
            or (token.flag in ("uj", "ul", "c", "p", "y", "r", "d", "m", "x") and len(word) == 1)
            or token.flag == "f"  # "工程中心下面", "提升以后": a locative ends the name it follows
            or (token.flag in ("m", "t") and word in scope)  # "这一年检查了…": the year scopes, it names nothing
            or (english and not _CJK.search(word))
        )
        if not stop and current and token.start in breaks:
            spans.append((current[0].start, current[-1].end))
            current = []
        if stop:
            if current:
                spans.append((current[0].start, current[-1].end))
            current = []
            continue
        current.append(token)
    if current:
        spans.append((current[0].start, current[-1].end))
    return spans


def _entities(
    text: str, english: bool, deeds_named: bool = True
) -> tuple[tuple[str, ...], str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return entity phrases, the head entity, the content terms of a question, the entities that say what
    a "which X" question asks of X, and the words of what it says was not done (with `deeds_named` False, a
    phrase after a negation is only that, not an entity)."""
    masked = re.sub(r"[“”\"‘’「」『』《》]", "", _mask(text))
    tokens = segment(masked)
    entities: list[str] = []
    terms: list[str] = []
    scope = _scope_words()
    breaks: set[int] = set()
    asked = "" if english else _asked_noun(text)
    which = _WHICH.search(text)
    if asked and which is not None and (at := text.find(asked, which.end())) >= 0:
        breaks.add(at + len(asked))  # "哪些部门实现了…": 部门 is what is asked; 实现 opens what is said of it
    predicate: list[str] = []
    negated: list[str] = []
    negations = _negations()
    ends = {t.end: t.word.strip() for t in tokens}
    for lo, hi in _phrases(masked, tokens, english, frozenset(breaks)):
        phrase = masked[lo:hi].strip()
        if ends.get(lo) in negations:
            negated.extend(t.word for t in tokens if lo <= t.start < hi and len(t.word) >= 2 and _CJK.search(t.word))
            if not deeds_named:
                continue  # "还有多少个没有整治完": 整治 is the deed whose remainder is asked, not a thing named
        terms.extend(
            t.word
            for t in tokens
            if lo <= t.start < hi and t.word not in scope and (len(t.word) >= 2) and _CJK.search(t.word)
        )
        name = strip_asked(phrase)
        if name in _ENTITY_HEADS or name in _role_words() or name in COUNT_UNITS:
            continue  # "支出" alone names a measure, "家次" a unit: neither is an entity
        if name in _no_subject() and lo not in breaks and ends.get(lo) not in negations:
            continue  # "完成了预算的百分之几": 完成 names nothing (what a "which X" says of X, or a deed not done, does)
        if sum(1 for ch in name if _CJK.match(ch)) >= 2 and name not in entities:
            entities.append(name)
            if lo in breaks:
                predicate.append(name)
    # An entity contained in an earlier one repeats it ("文化站改造…每个文化站改造"): keep the fuller one.
    entities = [
        e
        for i, e in enumerate(entities)
        if not any(e in other for j, other in enumerate(entities) if j != i and len(other) > len(e))
    ]
    head = entities[-1] if entities else ""
    return (
        tuple(entities),
        head,
        tuple(dict.fromkeys(terms)),
        tuple(p for p in predicate if p in entities),
        tuple(dict.fromkeys(negated)),
    )


_VERB_FLAGS = frozenset({"v", "vd", "vi", "vg", "vq"})


def _modifiers(entities: tuple[str, ...]) -> tuple[str, ...]:
    """Return the entities that open with a verb ("纳入自评", "负责考核"): they qualify, they do not name."""
    out = []
    for entity in entities:
        tokens = segment(entity)
        if tokens and tokens[0].flag == "v" and len(tokens) > 1:
            out.append(entity)
    return tuple(out)


def _verbs(entities: tuple[str, ...]) -> tuple[str, ...]:
    """Return the entities made only of verbs: they say what is asked of a subject, in the question's words.

    >>> _verbs(("职工宿舍", "能放"))
    ('能放',)
    """
    return tuple(e for e in entities if (tokens := segment(e)) and all(t.flag in _VERB_FLAGS for t in tokens))


def _aliases(entities: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return, per entity, the report-register names its everyday words have in the genre lexicon."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for entity in entities:
        names = tuple(register_names(entity))
        if names:
            out.append((entity, names))
    return tuple(out)


def _expansions(text: str, english: bool) -> tuple[str, ...]:
    return tuple(translate_english(text) if english else expand_chinese(text))


_WHICH = re.compile(
    r"哪(?:一|几|[两三四五六七八九十]+)?(?:个|家|位|项|条|类|种|些|所|座|处|批|块|方面)?|什么(?:样的?)?"
)
# "哪几家 / 哪两个 / 哪三项": which ones, several of them: the answer names them all.
_WHICH_MANY = re.compile(r"哪(?:几|[两三四五六七八九十]+)(?:个|家|位|项|条|类|种|所|座|处|批|块|方面)")


def _asked_noun(text: str) -> str:
    """Return the noun a "which X" question asks for: the last word of the noun run after 哪个/哪家.

    >>> _asked_noun("全县哪个地表水断面没有达到年度水质考核目标？")
    '断面'
    >>> _asked_noun("调查是委托哪家第三方机构做的？")
    '机构'
    """
    match = _WHICH.search(text)
    if not match or match.end() >= len(text):
        return ""
    tail = text[match.end() :]
    nouns: list[str] = []
    for token in segment(tail):
        # "哪家第三方机构": a word the dictionary reads as a numeral but that holds a noun (第三方) is part of X.
        wordlike = token.flag == "m" and re.search(r"[^\d一二三四五六七八九十百千万亿两第几]", token.word)
        if (
            (token.flag.startswith(("n", "v", "b", "j", "l")) or wordlike)
            and _CJK.search(token.word)
            and token.word not in _frame_words()
        ):
            if token.flag.startswith("v") and nouns:
                break
            nouns.append(token.word)
        else:
            break
    return nouns[-1] if nouns else ""


def build_frame(question: str, with_parts: bool = True) -> QuestionFrame:
    """Read a question into a frame; a compound question gets one frame per part as well.

    >>> f = build_frame("乡村文化站提升工程花了多少？执行率多少？")
    >>> f.head, [m.role for m in f.measures], len(f.parts)
    ('乡村文化站提升工程', ['spending', 'rate'], 2)
    """
    text = question.strip()
    english = not is_mostly_chinese(text)
    tokens = segment(text)
    expansions = _expansions(text, english)
    operation = _operation(text, tokens, english)
    how_much = _HOW_MUCH.search(text) is not None
    entities, head, terms, predicate, negated = _entities(text, english, operation != "remaining" or not how_much)
    if operation == "lookup" and negated and how_much:
        # "有多少钱没有实际到位" / "还有多少个没验收": how much of something was not done is what remains of it.
        operation = "remaining"
        entities, head, terms, predicate, negated = _entities(text, english, False)
    if english:
        terms = tuple(dict.fromkeys([*terms, *expansions]))
    counter_match = _COUNTER.search(text)
    years = tuple(_EN_YEAR.findall(text) if english else _YEAR.findall(text))
    months = tuple(m.group(0) for m in _MONTH.finditer(text))
    numbers = tuple(normalise(f.text) for f in parse_figures(text))
    values = tuple(f.value for f in parse_figures(text))
    modifiers = _modifiers(entities)
    verbs = _verbs(entities)
    naming = [e for e in entities if e not in modifiers and e not in verbs]
    if head in verbs and naming:
        head = naming[-1]  # "职工宿舍一共能放多少张床": the figure is asked of 职工宿舍; 能放 says which
    asked_noun = _asked_noun(text)
    which = _WHICH.search(text)
    if asked_noun and which and len(entities) > 1:
        # "档案馆是什么性质的单位": what comes after 什么/哪个 is what is asked of the entity, not the entity.
        before = [e for e in entities if 0 <= text.find(e) < which.start()]
        asked_run = [e for e in entities if e.endswith(asked_noun) and text.find(e) >= which.end()]
        head = before[-1] if before else (asked_run[0] if asked_run else head)
    answer_types = _answer_types(text, tokens, english)
    if answer_types[:1] in (("reason",), ("purpose",), ("remedy",)):
        operation = "lookup"  # "为什么没花完": a reason asked of what remains asks no figure of it
    counter = counter_match.group("unit") if counter_match else ""
    if not counter and not english and answer_types[:1] == ("figure",):
        counter = _noun_counter(head)
        if counter:
            answer_types = ("count", *(t for t in answer_types if t != "figure"))
    measures = _measures(text, tokens, expansions, english)
    completion = None if english else _BUDGET_COMPLETION.search(text)
    if completion is not None and not any(m.role == "rate" for m in measures):
        measures = (*measures, Measure("rate", "执行率"))  # "完成了预算的百分之几" asks the execution rate
    frame = QuestionFrame(
        text=text,
        english=english,
        answer_types=answer_types,
        measures=measures,
        entities=entities,
        head=head,
        operation=operation,
        counter=counter,
        years=years,
        months=months,
        previous_period=bool(re.search(r"上年|上一年|前一年|previous year|a year earlier", text.lower())),
        terms=terms,
        expansions=expansions,
        numbers=numbers,
        values=values,
        aliases=_aliases(entities),
        modifiers=modifiers,
        verbs=verbs,
        counters=tuple(m.group("unit") for m in _COUNTER.finditer(text)),
        asked_noun=asked_noun,
        predicate=predicate,
        negated=negated,
    )
    if not with_parts:
        return frame
    splitter = _EN_PART_SPLIT if english else _PART_SPLIT
    pieces = [p.strip(" ，,") for p in splitter.split(text) if len(p.strip(" ，,")) >= 2]
    if len(pieces) < 2:
        return frame
    parts: list[QuestionFrame] = []
    for piece in pieces:
        part = build_frame(piece, with_parts=False)
        if not part.entities and parts:
            # "执行率多少？" after "专项资金花了多少？": the part is about the same entity.
            part = replace(part, entities=parts[0].entities, head=parts[0].head, terms=(*parts[0].terms, *part.terms))
        if parts and not part.measures and part.operation in ("difference", "growth") and parts[-1].measures:
            # "调整后预算是多少？比上年多了多少？": the comparison is of the measure the part before asked.
            prior = parts[-1]
            part = replace(part, measures=prior.measures, years=part.years or prior.years)
        parts.append(part)
    return replace(frame, parts=tuple(parts))
