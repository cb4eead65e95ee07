"""Read a question: its language, what it asks for (a figure, a list, a purpose, a computation) and its terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.glossary import expand_chinese, translate_english
from index.retriever import is_mostly_chinese, sub_queries

DeriveKind = str  # difference | remaining | sum | ratio | share | average | implied_target

# Words that only frame a question; they say nothing about what to look for.
_QUESTION_WORDS = (
    "是多少",
    "有多少",
    "有哪些",
    "有没有",
    "多少",
    "是什么",
    "什么",
    "哪些",
    "哪个",
    "哪一个",
    "哪一项",
    "哪一",
    "哪里",
    "分别",
    "如何",
    "怎样",
    "怎么样",
    "怎么",
    "是否",
    "有没有",
    "能不能",
    "能否",
    "到底",
    "情况",
    "请问",
    "一下",
    "告诉",
    "报告中",
    "报告里",
    "报告",
    "吗",
    "呢",
    "了",
    "的",
    "和",
    "与",
    "这个",
    "那个",
    "这笔",
    "这些",
    "那些",
    "本次",
    "一共",
    "总共",
    "大约",
    "大概",
    "具体",
    "是谁",
    "谁",
)
_DERIVE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "remaining",
        re.compile(r"剩下|剩余|还剩|(?<!有)没有?(花|用|支出)(?!钱)|未花|没用完|没花完|结余|余额|未使用|未支出|尚未"),
    ),
    ("deduction", re.compile(r"扣(了|掉|除)?(多少|几)分|失分|丢了?(多少|几)分|被扣")),
    ("implied_target", re.compile(r"(推算|反推|倒推|按.*完成率).*(任务|目标|计划)")),
    (
        "difference",
        re.compile(
            r"相差|差额|差距|差了|差多少|多出|少了多少|高出|低了|超出多少|多花|少花|增长了多少|减少了多少"
            r"|(以前|之前|此前|原有|原来).*(累计|共有|已有|建成)"
        ),
    ),
    ("average", re.compile(r"平均")),
    ("sum", re.compile(r"合计|加起来|合起来|总计|之和|综合执行率|综合完成率|(两|几)(个|项).*(一共|总共)")),
    ("share", re.compile(r"占比|占.*(比例|比重|百分之|多少)|比重|相当于.*(百分之|%|比例|几成)|百分之(多少|几)")),
    ("remaining", re.compile(r"\b(left|remaining|unspent|unused|not spent|leftover)\b", re.IGNORECASE)),
    ("difference", re.compile(r"\b(difference|gap|how much (more|less)|exceed)", re.IGNORECASE)),
    ("average", re.compile(r"\baverage\b", re.IGNORECASE)),
    ("share", re.compile(r"\b(share|proportion|percentage) of\b", re.IGNORECASE)),
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")
_ENGLISH_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_WANTS = (
    (
        "money",
        re.compile(r"多少钱|金额|经费|资金|预算|支出|收入|花了|花费|费用|万元|亿元|元|money|budget|spen[dt]|cost"),
    ),
    ("percent", re.compile(r"率|比例|百分|占比|percent|rate|%")),
    ("score", re.compile(r"得分|分值|评分|打分|多少分|score")),
    (
        "count",
        re.compile(
            r"多少(个|项|座|宗|次|条|人|名|辆|家|批次|处|台|份|套|件|人次)|几(个|项|座|家|名|人|辆|处)"
            r"|how many|number of"
        ),
    ),
)
_PURPOSE = re.compile(r"做什么|干什么|用途|用来|用于|用在|what .*(for|used)|purpose")
_WHO = re.compile(r"是谁|谁是|哪位|姓名|名字|叫什么|who\b")
_LIST = re.compile(r"哪些|有哪几|包括哪|分别是(?!多少)|分别在|列出|列举|哪几|which|what are|list")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks, in a form the answerers and the refusal check can use."""

    text: str
    english: bool
    parts: list[str]
    terms: list[str]
    expansions: list[str]
    years: list[str]
    derive: DeriveKind | None
    wants: frozenset[str]
    purpose: bool
    who: bool
    listing: bool
    who_term: str = ""
    target: str = ""
    search_terms: list[str] = field(default_factory=list)


def content_terms(text: str) -> list[str]:
    """Return the content words of a Chinese question: CJK runs with question words cut out.

    >>> content_terms("部门使用一般公共预算开支的公务用车保有量是多少？")
    ['部门使用一般公共预算开支', '公务用车保有量']
    """
    cleaned = text
    for word in sorted(_QUESTION_WORDS, key=len, reverse=True):
        cleaned = cleaned.replace(word, " ")
    terms: list[str] = []
    for run in _CJK_RUN.findall(cleaned):
        if len(run) >= 2 and run not in terms:
            terms.append(run)
    return terms


def analyse(question: str) -> QuestionAnalysis:
    """Analyse a question once; every later step reads this."""
    text = question.strip()
    english = not is_mostly_chinese(text)
    if english:
        terms = translate_english(text)
        expansions: list[str] = []
        years = _ENGLISH_YEAR.findall(text)
    else:
        terms = content_terms(text)
        expansions = expand_chinese(text)
        years = _YEAR.findall(text)
    derive = next((kind for kind, pattern in _DERIVE_PATTERNS if pattern.search(text)), None)
    lowered = text.lower()
    wants = frozenset(kind for kind, pattern in _WANTS if pattern.search(lowered))
    who_match = re.search(r"([\u4e00-\u9fff]{1,6})(?:是谁|叫什么)", text)
    who_term = ""
    if who_match:
        who_term = re.sub(r"^.*的", "", who_match.group(1))
    target_match = re.search(
        r"哪(?:一|几)?(?:项|个|些|类|种|位|家)?([\u4e00-\u9fff]{2,6}?)(?:[？?，,。]|$|是|呢)", text
    )
    target = target_match.group(1) if target_match and target_match.group(1)[0] not in "一个几些" else ""
    return QuestionAnalysis(
        text=text,
        english=english,
        parts=sub_queries(text) or [text],
        terms=terms,
        expansions=expansions,
        years=years,
        derive=derive,
        wants=wants,
        purpose=bool(_PURPOSE.search(lowered)),
        who=bool(_WHO.search(lowered)),
        listing=bool(_LIST.search(lowered)),
        who_term=who_term,
        target=target,
        search_terms=[*terms, *expansions],
    )
