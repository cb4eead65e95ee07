"""Find the figures in Chinese or English text and normalise each to value, unit family and magnitude."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Family = Literal["money", "percent", "pp", "count", "score", "duration", "ratio", "measure", "plain"]

# Full-width digits and signs mapped one-to-one, so offsets in the translated text equal the original's.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

# A full-width comma between full-width digit groups is a thousands separator (１，２３４); elsewhere punctuation.
_FULL_WIDTH_SEPARATOR = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")

_MAGNITUDES: dict[str, float] = {
    "千万": 1e7,
    "百万": 1e6,
    "万亿": 1e12,
    "万": 1e4,
    "亿": 1e8,
    "千": 1e3,
}
_EN_MAGNITUDES: dict[str, float] = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}

_UNIT_FAMILIES: dict[str, Family] = {
    "%": "percent",
    "个百分点": "pp",
    "百分点": "pp",
    "元": "money",
    "美元": "money",
    "分": "score",
    "倍": "ratio",
}
for _u in ("个工作日", "工作日", "小时", "分钟", "个月", "天", "周", "秒"):
    _UNIT_FAMILIES[_u] = "duration"
for _u in (
    "平方公里",
    "平方米",
    "立方米",
    "微克/立方米",
    "毫克/立方米",
    "毫克/升",
    "公里",
    "千米",
    "米",
    "公顷",
    "亩",
    "吨",
    "千克",
    "公斤",
    "千瓦",
    "兆瓦",
    "千瓦时",
):
    _UNIT_FAMILIES[_u] = "measure"
COUNT_UNITS: tuple[str, ...] = (
    "批次", "人次", "户次", "件次", "个", "项", "座", "宗", "次", "条", "人", "名", "位", "辆", "家", "处",
    "台", "份", "套", "件", "户", "所", "间", "张", "本", "篇", "场", "类", "种", "批", "栋", "棵", "笔", "单",
    "株", "只", "头", "期", "部", "家次", "辆次", "架次", "起", "对", "块", "路", "册", "门", "队",
)  # fmt: skip
for _u in COUNT_UNITS:
    _UNIT_FAMILIES[_u] = "count"
# The units an amount may be divided by ("平均每亩", "每人次"): counters and physical measures.
PER_UNITS: tuple[str, ...] = tuple(
    sorted(
        {u for u, f in _UNIT_FAMILIES.items() if f in ("count", "measure") and "/" not in u} - {"个"},
        key=len,
        reverse=True,
    )
)
# Counters that mean the same thing and may stand for each other.
_COUNTER_GROUPS: dict[str, str] = {
    "人": "人",
    "名": "人",
    "位": "人",
    "批次": "批",
    "批": "批",
}

_UNIT_ALTERNATION = "|".join(sorted((re.escape(u) for u in _UNIT_FAMILIES), key=len, reverse=True))
_MAG_ALTERNATION = "|".join(sorted(_MAGNITUDES, key=len, reverse=True))
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# "分" starting a longer word is not a score (分中心 is a place, 分析 an analysis; 分钟 is matched as a duration).
_NOT_SCORE_NEXT = (
    "之",
    "中心",
    "析",
    "别",
    "类",
    "布",
    "配",
    "解",
    "享",
    "批",
    "期",
    "管",
    "局",
    "行",
    "支",
    "散",
    "工",
    "项",
)
_CN_PATTERN = re.compile(
    r"(?P<num>" + _NUMBER + r")"
    r"(?P<sp>[ \t]*)"
    r"(?P<more>多|余)?"
    r"(?P<mag>" + _MAG_ALTERNATION + r")?"
    r"(?P<more2>多|余)?"
    r"(?P<unit>" + _UNIT_ALTERNATION + r")?"
)
_EN_PATTERN = re.compile(
    r"[ \t]*(?P<mag>thousand|million|billion|trillion|10k|ten thousand)?[ \t]*"
    r"(?P<unit>percentage points?|percent|points?|yuan|RMB|CNY|[A-Za-z][a-z]+)?",
)
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万第])(?P<num>[零〇一二两三四五六七八九十百千]+)(?P<unit>个|项|名|人|座|家|批|次|条|处|台|套|件|份|类|种|辆|所|户|张|场)"
)
_QUALIFIERS = (
    "超过",
    "不低于",
    "不少于",
    "不高于",
    "不超过",
    "≥",
    "≤",
    "大约",
    "约",
    "超",
    "近",
    "逾",
    "达到",
    "达",
    "共计",
    "共",
    "合计",
    "累计",
)
_CLAUSE_BREAK = re.compile(r"[，。；：、,;:！？!?\n（）()]")
# Set phrases in which a numeral and counter are not a quantity.
_SET_PHRASES = (
    "收支两条线",
    "两条线",
    "二次",
    "两个维护",
    "两个确立",
    "三个代表",
    "四个意识",
    "四个自信",
)
_SENTENCE_BREAK = re.compile(r"[。！？!?\n]")
_EN_STOPWORDS = frozenset(
    {
        "and",
        "or",
        "of",
        "in",
        "to",
        "the",
        "a",
        "an",
        "is",
        "was",
        "were",
        "are",
        "with",
        "by",
        "for",
        "on",
        "at",
    }
)


@dataclass(frozen=True)
class Figure:
    """A number quoted in text, its unit and what it measures.

    `value` is the number as stated in `unit` (18,977.96万元 -> 18977.96, unit 万元); `base` is the same
    quantity in the base unit of its family (189,779,600 元).
    """

    text: str
    value: float
    unit: str
    family: Family
    counter: str
    magnitude: float
    decimals: int
    start: int
    end: int
    label: str = ""
    after: str = ""
    window: str = ""
    qualifier: str = ""
    approximate: bool = False
    numeral: bool = False
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def base(self) -> float:
        return self.value * self.magnitude

    @property
    def half_ulp(self) -> float:
        """Return half a unit of the last stated digit, in base units (the rounding slack)."""
        step = 10.0 ** (-self.decimals) * self.magnitude
        return step * 0.5

    @property
    def counter_group(self) -> str:
        return _COUNTER_GROUPS.get(self.counter, self.counter)

    def number_text(self) -> str:
        """Return the number as stated, digits only (no unit)."""
        return format_number(self.value, self.decimals)


def format_number(value: float, decimals: int, separators: bool = True) -> str:
    """Format a number with a fixed number of decimals and thousands separators.

    >>> format_number(2788.4412, 2)
    '2,788.44'
    """
    return f"{value:,.{decimals}f}" if separators else f"{value:.{decimals}f}"


def cn_numeral_value(text: str) -> int | None:
    """Return the value of a Chinese numeral such as 十二 or 两 or 三百零五, or None.

    >>> cn_numeral_value("十二"), cn_numeral_value("两"), cn_numeral_value("三百零五")
    (12, 2, 305)
    """
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def unit_compatible(a: Figure, b: Figure) -> bool:
    """Say whether two figures measure the same kind of thing (family, and counter for counts)."""
    if a.family == "plain" or b.family == "plain":
        return True
    if a.family != b.family:
        return False
    if a.family in ("count", "duration", "measure"):
        if a.counter.startswith("en:") or b.counter.startswith("en:"):
            return True
        return a.counter_group == b.counter_group
    return True


def _is_ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _label_before(text: str, start: int, floor: int) -> str:
    """Return the clause text just before a figure: back to the last clause break or the previous figure."""
    lo = max(floor, start - 24)
    chunk = text[lo:start]
    cut = len(chunk)
    while True:
        breaks = [m for m in _CLAUSE_BREAK.finditer(chunk, 0, cut)]
        if not breaks:
            return chunk.strip()
        last = breaks[-1]
        if last.group() in ")）":
            # "管网工程(含入户)支出": a closed bracket is part of the noun; go on before it opens.
            opening = max(chunk.rfind("(", 0, last.start()), chunk.rfind("（", 0, last.start()))
            inner = chunk[opening + 1 : last.start()]
            if opening >= 0 and not re.fullmatch(r"[一二三四五六七八九十\d]+", inner):  # （一） is a marker
                cut = opening
                continue
        return chunk[last.end() :].strip()


def _after(text: str, end: int) -> str:
    chunk = text[end : end + 10]
    cut = _CLAUSE_BREAK.search(chunk)
    if cut:
        chunk = chunk[: cut.start()]
    digit = re.search(r"[0-9]", chunk)
    if digit:
        chunk = chunk[: digit.start()]
    return chunk.strip()


def _window(text: str, start: int, end: int) -> str:
    """Return the sentence text before a figure (up to 40 chars) and a few words after it."""
    lo = max(0, start - 40)
    before = text[lo:start]
    cut = list(_SENTENCE_BREAK.finditer(before))
    if cut:
        before = before[cut[-1].end() :]
    return before + "|" + _after(text, end)


def _qualifier(text: str, start: int) -> str:
    head = text[max(0, start - 4) : start].rstrip()
    for word in _QUALIFIERS:
        if head.endswith(word):
            if word in _CLOSES_WORDS and _ends_a_word(text, len(text[:start].rstrip())):
                return ""  # 签约12.6万人: the character ends a word (签约), it does not qualify the figure
            return word
    return ""


_CLOSES_WORDS = frozenset({"约"})
"""Single-character qualifiers that also end common words (签约, 节约, 履约); 约 after a noun (人数约) qualifies."""


def _ends_a_word(text: str, end: int) -> bool:
    """Tell whether the character before `end` is the end of a longer word, as the dictionary reads the phrase."""
    from index.segment import last_word

    last = last_word(text[max(0, end - 6) : end])
    return len(last) > 1 and last not in _QUALIFIERS


def _decimals(number: str) -> int:
    return len(number.split(".", 1)[1]) if "." in number else 0


def _is_year(number: str, text: str, end: int, unit: str) -> bool:
    if "," in number or "." in number or not number.isdigit() or len(number) != 4:
        return False
    if not 1900 <= int(number) <= 2100:
        return False
    return unit == "" or text[end : end + 1] in ("年", "-", "—", "/")


def _is_ordinal(text: str, start: int, end: int, unit: str) -> bool:
    before = text[start - 1 : start] if start else ""
    after = text[end : end + 1]
    if before == "第":
        return True
    if unit:
        return False
    if before in "（(" and after in "）)":
        return True
    line_start = start == 0 or text[start - 1] == "\n"
    return line_start and after in (".", "．", "、")


def _make(
    text: str,
    number: str,
    start: int,
    end: int,
    value: float,
    unit: str,
    magnitude: float,
    counter: str,
    family: Family,
    floor: int,
    more: bool,
    numeral: bool = False,
) -> Figure:
    qualifier = _qualifier(text, start)
    label = _label_before(text, start, floor)
    if qualifier and label.endswith(qualifier):
        label = label[: -len(qualifier)].rstrip()
    return Figure(
        text=text[start:end],
        value=value,
        unit=unit,
        family=family,
        counter=counter,
        magnitude=magnitude,
        decimals=_decimals(number),
        start=start,
        end=end,
        label=label,
        after=_after(text, end),
        window=_window(text, start, end),
        qualifier="多" if more and not qualifier else qualifier,
        approximate=qualifier in ("约", "大约", "近") or more,
        numeral=numeral,
    )


def _english_unit(ascii_text: str, end: int) -> tuple[str, float, str, Family, int] | None:
    """Read an English magnitude/unit after a number: (unit text, magnitude, counter, family, new end)."""
    match = _EN_PATTERN.match(ascii_text, end)
    if match is None:
        return None
    mag_word = (match.group("mag") or "").lower()
    unit_word = match.group("unit") or ""
    if unit_word.lower() in _EN_STOPWORDS:
        unit_word = ""
    if not mag_word and not unit_word:
        return None
    magnitude = 1e4 if mag_word in ("10k", "ten thousand") else _EN_MAGNITUDES.get(mag_word, 1.0)
    stop = match.end("unit") if unit_word else match.end("mag")
    unit_text = ascii_text[end:stop].strip()
    low = unit_word.lower()
    if not low:
        return (unit_text, magnitude, "en:", "count", stop)
    if low.startswith("percentage point"):
        return (unit_text, magnitude, "pp", "pp", stop)
    if low == "percent":
        return (unit_text, magnitude, "%", "percent", stop)
    if low in ("point", "points"):
        return (unit_text, magnitude, "分", "score", stop)
    if low in ("yuan", "rmb", "cny"):
        return (unit_text, magnitude, "元", "money", stop)
    return (unit_text, magnitude, "en:" + low.rstrip("s"), "count", stop)


def parse_figures(text: str) -> list[Figure]:
    """Return every figure worth checking in `text`, in order.

    Years, dates, list ordinals, version numbers and tokens such as 5G or IPV6 are left out.

    >>> [(f.value, f.unit, f.base) for f in parse_figures("支出18,977.96万元，完成预算87.19%")]
    [(18977.96, '万元', 189779600.0), (87.19, '%', 87.19)]
    """
    ascii_text = _FULL_WIDTH_SEPARATOR.sub(",", text).translate(_FULL_WIDTH)
    figures: list[Figure] = []
    floor = 0
    pos = 0
    for match in re.finditer(r"(?<![A-Za-z0-9.,])" + _NUMBER, ascii_text):
        if match.start() < pos:
            continue
        number = match.group(0)
        start = match.start()
        full = _CN_PATTERN.match(ascii_text, start)
        assert full is not None
        unit = full.group("unit") or ""
        mag = full.group("mag") or ""
        more = bool(full.group("more") or full.group("more2"))
        end = full.end() if (unit or mag) else match.end()
        if unit == "分" and ascii_text.startswith(_NOT_SCORE_NEXT, end):
            unit, end = "", full.start("unit")
        after_char = ascii_text[end : end + 1]
        if not unit and not mag and (_is_ascii_letter(after_char) and after_char not in "k"):
            # 5G, 4K, IPV6-like tokens; English units are separated by a space.
            continue
        english = _english_unit(ascii_text, match.end()) if not unit and not mag else None
        english_unit = english[0] if english else ""
        if _is_year(number, ascii_text, match.end(), unit + mag + english_unit) or _is_ordinal(
            ascii_text, start, match.end(), unit
        ):
            continue
        if not unit and ascii_text[match.end() : match.end() + 1] in (
            "月",
            "日",
            "号",
            "年",
            "时",
        ):
            continue
        value = float(number.replace(",", ""))
        magnitude = _MAGNITUDES.get(mag, 1.0)
        family: Family
        counter = unit
        shown_unit = mag + unit
        if unit:
            family = _UNIT_FAMILIES[unit]
            if family == "percent":
                shown_unit = "%"
        else:
            if english is not None:
                shown_unit, magnitude, counter, family, end = english
            elif mag:
                family, counter = "count", ""
            elif "," in number or _decimals(number) >= 2 or (value >= 100 and number.isdigit()):
                family, counter = "plain", ""
            else:
                continue
        figures.append(
            _make(
                text,
                number,
                start,
                end,
                value,
                shown_unit,
                magnitude,
                counter,
                family,
                floor,
                more,
            )
        )
        floor = pos = end
    figures.extend(_numeral_figures(text, figures))
    figures.sort(key=lambda f: f.start)
    return figures


def _numeral_figures(text: str, found: list[Figure]) -> list[Figure]:
    """Return quantities written in Chinese numerals (两个, 十二项); one is left out (一是, 一件事)."""
    taken = [(f.start, f.end) for f in found]
    out: list[Figure] = []
    for match in _CN_NUMERAL.finditer(text):
        value = cn_numeral_value(match.group("num"))
        if value is None or value < 2:
            continue
        if any(
            text.startswith(p, i) for p in _SET_PHRASES for i in range(max(0, match.start() - 2), match.start() + 1)
        ):
            continue
        start, end = match.start(), match.end()
        if any(s < end and start < e for s, e in taken):
            continue
        unit = match.group("unit")
        prev_ends = [e for s, e in taken if e <= start]
        floor = max(prev_ends) if prev_ends else 0
        floor = max(floor, text.rfind("\n", 0, start) + 1)
        out.append(
            _make(
                text,
                "0",
                start,
                end,
                float(value),
                unit,
                1.0,
                unit,
                "count",
                floor,
                False,
                numeral=True,
            )
        )
    return out
