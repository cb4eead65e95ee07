"""Read a figure's role, subject and period from the words around it, with the genre's role lexicon."""

from __future__ import annotations

import re
from functools import cache

from index.facts.model import Period, Role
from index.figures import Family
from index.lexicon import load, words

# Which roles a figure of each unit family can take; the first is its default.
_FAMILY_ROLES: dict[str, tuple[Role, ...]] = {
    "money": (
        "amount",
        "adjusted_budget",
        "initial_budget",
        "budget",
        "adjustment",
        "spending",
        "income",
        "target",
        "actual",
        "change",
    ),
    "percent": ("rate", "share", "change", "target", "actual"),
    "pp": ("change",),
    "score": ("score", "weight", "change", "target"),
    "count": ("count", "target", "actual", "change", "budget", "spending"),
    "duration": ("count", "target", "actual", "change"),
    "measure": ("count", "target", "actual", "change"),
    "ratio": ("count", "change"),
    "plain": ("amount",),
}
_YEAR = re.compile(r"((?:19|20)\d{2})年度?")
_TRAILING_CHARS = frozenset("的为是达约共计至了在将比较")
_LEADING = re.compile(r"^[的和及与、，,：:（(）)\s]+")
_MARKER = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）.．、]|[①-⑳]|[一二三四五六七八九十]+是)")
_MONEY_NOUNS = ("费", "经费", "资金", "款", "金", "费用")
_CONNECTOR = re.compile(r"^(?:其中|包括|以及|和|及|、|：|:)+")
_RATE_WORD = re.compile(r"[\u4e00-\u9fff]{1,6}率$")


@cache
def _role_words() -> tuple[tuple[str, Role], ...]:
    pairs: list[tuple[str, Role]] = []
    for role, items in words("roles", "roles").items():
        pairs.extend((w, role) for w in items)  # type: ignore[misc]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@cache
def _generic() -> tuple[str, ...]:
    return tuple(sorted(load("roles")["subjects"]["generic"], key=len, reverse=True))


@cache
def _previous_words() -> tuple[str, ...]:
    return tuple(load("roles")["subjects"]["previous_period"])


@cache
def _trailing() -> tuple[str, ...]:
    return tuple(sorted(load("roles")["subjects"]["trailing"], key=len, reverse=True))


def strip_trailing(label: str) -> str:
    """Drop the particles a label ends with before its figure ("执行率为" -> "执行率").

    >>> strip_trailing("完成预算的")
    '完成预算'
    """
    text = label.rstrip()
    changed = True
    while changed and text:
        changed = False
        for word in _trailing():
            if text.endswith(word) and len(text) > len(word) and _stands_alone(text, word):
                text = text[: -len(word)].rstrip()
                changed = True
                break
    return text


def _stands_alone(text: str, particle: str) -> bool:
    """Tell whether a one-character particle closing a text is a word of its own there, not the end of a
    longer word ("签约", "统计", "节约" keep their last character)."""
    if len(particle) > 1:
        return True
    from index.segment import last_word

    return len(last_word(text[-6:])) == 1


def _strip_particles(text: str) -> str:
    while text and text[-1] in _TRAILING_CHARS and _stands_alone(text, text[-1]):
        text = text[:-1].rstrip()
    return text


def role_of(label: str, family: Family) -> tuple[Role, str]:
    """Return the role of a figure of a family, and the word that says so, from the label before it.

    The role word must close the label (particles such as 为/的 aside): a role word inside a longer noun
    (转移支付资金) says nothing about the figure. Of the words closing it, the longest wins.

    >>> role_of("基本支出调整预算", "money")
    ('adjusted_budget', '调整预算')
    >>> role_of("完成预算的", "percent")
    ('rate', '完成预算')
    >>> role_of("占实际支出的", "percent")
    ('share', '占')
    >>> role_of("其中上级转移支付资金", "money")
    ('amount', '')
    >>> role_of("年初批复某某预算收入", "money")
    ('initial_budget', '预算收入')
    """
    allowed = _FAMILY_ROLES.get(family, ("amount",))
    core = strip_trailing(label)
    if family == "percent" and ("占" in core or core.endswith(("占比", "比重"))):
        return "share", "占"
    for word, role in _role_words():
        if role in allowed and core.endswith(word):
            if role == "budget" and "年初" in core:
                return "initial_budget", word  # "年初批复部门预算收入": the stage is named before the subject
            return role, word
    if family == "score":
        # "分值权重资金为50分": a score's role word may be followed by a noun that adds nothing.
        bare = re.sub(r"(?:资金|经费|分数|分)$", "", core)
        for word, role in _role_words():
            if bare != core and role in allowed and bare.endswith(word):
                return role, word
    if family == "percent":
        match = _RATE_WORD.search(core)
        if match:
            return "rate", match.group(0)
    return allowed[0], ""


def _is_role_word(text: str) -> bool:
    return any(text == word for word, _ in _role_words())


def is_category(label: str, role_word: str) -> bool:
    """Tell whether a label is a category noun closed by a role word (基本支出, 事业收入), not a role of a subject.

    >>> is_category("其中基本支出", "支出"), is_category("基本支出调整预算", "调整预算"), is_category("项目支出", "支出")
    (True, False, True)
    """
    if not role_word or len(role_word) > 2:
        return False
    head = strip_trailing(label)[: -len(role_word)]
    head = _MARKER.sub("", head)
    for word in ("其中", "包括", "以及", "和", "及", "、"):
        head = head.removeprefix(word)
    cjk = sum(1 for ch in head if "\u4e00" <= ch <= "\u9fff")
    if head.startswith(("比", "较", "与", "同")) or any(w in head for w in _previous_words()):
        return False
    if head.endswith(_MONEY_NOUNS):
        return False  # "公务接待费支出": the spending of a fund, not a category of spending
    return 2 <= cjk <= 8 and not any(head.endswith(w) for w in ("实际", "全年", "年度", "当年", "累计"))


def subject_of(label: str, role_word: str) -> str:
    """Return what a label names once its role word, outline marker and generic words are taken out.

    A category noun closed by a role word keeps it (基本支出 stays 基本支出).

    >>> subject_of("基本支出调整预算", "调整预算")
    '基本支出'
    >>> subject_of("其中社会团体", "")
    '社会团体'
    >>> subject_of("项目调整预算", "调整预算")
    ''
    >>> subject_of("其中基本支出", "支出"), subject_of("项目支出", "支出"), subject_of("项目支出全年预算", "全年预算")
    ('基本支出', '项目支出', '项目支出')
    >>> subject_of("比上年支出", "支出")
    ''
    """
    text = strip_trailing(label)
    if role_word == "占" and "占" in text:
        text = text[: text.index("占")]  # "旅游综合收入占全县GDP的": the share is of what comes before 占
    category = is_category(label, role_word)
    if role_word and not category and text.endswith(role_word):
        text = text[: -len(role_word)]
    text = _MARKER.sub("", text.strip())
    text = _YEAR.sub(" ", text)
    if category:
        text = _CONNECTOR.sub("", text)
    stripping = not category
    while stripping:
        stripping = False
        for word in _generic():
            if text.startswith(word) and not _is_role_word(text[len(word) :]):
                text = text[len(word) :]
                stripping = True
                break
    text = _LEADING.sub("", text)
    text = _strip_particles(text.strip())
    if text in _generic():
        return ""
    text = " ".join(text.split())
    return text if sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") >= 2 else ""


def period_of(before: str, report_year: str) -> tuple[Period, str]:
    """Return the period a figure belongs to from the clause text before it: current, previous or other year.

    >>> period_of("比上年支出", "2023")
    ('previous', '')
    >>> period_of("比2022年实际支出", "2023")
    ('previous', '2022')
    >>> period_of("全年支出", "2023")
    ('current', '')
    """
    years = _YEAR.findall(before)
    if years:
        year = years[-1]
        if report_year and year != report_year:
            return ("previous" if year < report_year else "other"), year
        return "current", year
    if any(word in before for word in _previous_words()):
        return "previous", ""
    return "current", ""


_REPORT_KIND = re.compile(r"(?:部门整体支出|整体支出|项目支出|财政支出|部门|单位)?(?:绩效)?(?:自评|评价)?报告.*$")
_REPORTER = re.compile(r"(?:报告单位|填报单位|编制单位)[：:]\s*([\u4e00-\u9fff（）()]{2,30})")
_ALIAS = re.compile(r"简称[“\"「]([\u4e00-\u9fff]{2,12})[”\"」]")


def unit_names(text: str) -> tuple[str, ...]:
    """Return the names of the reporting unit: from the title lines, and the aliases the report gives it.

    >>> unit_names("2023年广州市番禺区政务服务数据管理局部门整体支出绩效自评报告\\n（以下简称“区政数局”）")
    ('广州市番禺区政务服务数据管理局', '区政数局')
    >>> unit_names("宁州市生态环境局凤栖分局\\n2022年度部门整体支出绩效自评报告")
    ('宁州市生态环境局凤栖分局',)
    """
    names: list[str] = []
    lines = [line.strip() for line in text[:600].split("\n") if line.strip()][:5]
    for line in lines:
        reporter = _REPORTER.search(line)
        if reporter:
            names.append(reporter.group(1))
            continue
        if re.search(r"报告$|报告[（(]", line):
            head = _REPORT_KIND.sub("", _YEAR.sub("|", line)).strip("|")
            head = head.split("|")[-1] if "|" in head else head
            if 2 <= len(head) <= 30:
                names.append(head)
        elif len(line) <= 30 and not re.search(r"[，。；：]", line) and not names and line is lines[0]:
            names.append(line)
    if names:
        for alias in _ALIAS.findall(text):
            if any(is_subsequence(alias, name) for name in names):
                names.append(alias)
    return tuple(dict.fromkeys(n for n in names if n))


def is_subsequence(short: str, long: str) -> bool:
    """Tell whether the characters of `short` appear in `long` in order (区政数局 in 政务服务数据管理局's name)."""
    it = iter(long)
    return all(ch in it for ch in short)


def unit_level(subject: str, names: tuple[str, ...]) -> bool:
    """Tell whether a subject names the reporting unit itself (分局, 区政数局, the full name)."""
    text = _UNIT_NOISE.sub("", subject.strip())
    if len(text) < 2:
        return True  # nothing but 全年/部门/机关: the reporting unit as a whole
    return any(is_subsequence(text, name) for name in names)


_UNIT_NOISE = re.compile(r"全年|年度|当年|部门|机关|本级|整体|全局")


def report_year(text: str) -> str:
    """Return the year a report is about: the first year its opening lines name.

    >>> report_year("2023年广州市某局部门整体支出绩效自评报告\\n根据2022年…")
    '2023'
    """
    found = _YEAR.findall(text[:300])
    return found[0] if found else ""
