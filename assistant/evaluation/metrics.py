"""Score answer records against a question set: per-question outcomes and per-type summaries."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from assistant.evaluation.normalise import normalise
from assistant.evaluation.questions import QUESTION_TYPES, Question
from assistant.records import AnswerRecord, FigureCheck, RetrievedPassage

DEFAULT_K_VALUES: tuple[int, ...] = (1, 3, 5, 10)

# Phrases that make an answer a refusal when they open it (first sentence).
REFUSAL_PHRASES: tuple[str, ...] = (
    "报告未提及",
    "报告中未提及",
    "报告没有提及",
    "报告中没有提及",
    "报告未提到",
    "报告没有提到",
    "报告中没有提到",
    "报告未说明",
    "报告没有说明",
    "报告未提供",
    "报告没有提供",
    "报告中没有",
    "报告未披露",
    "未提及",
    "无法回答",
    "无法从报告",
    "notmentioned",
    "doesnotmention",
    "cannotanswer",
)
# Markers that, in the same sentence as a figure, flag it to the reader.
FLAG_MARKERS: tuple[str, ...] = (
    "未核验",
    "未经核验",
    "无法核验",
    "未能核验",
    "核验不符",
    "不一致",
    "矛盾",
    "有误",
    "笔误",
    "存疑",
    "疑似",
    "不符",
    "⚠",
    "unverified",
    "mismatch",
)
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# A computed result: a number written right after "=" or "≈" (thousands separators allowed).
_COMPUTED = re.compile(r"[=≈]\s*[-−]?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
CONCISE_FACTOR = 3
CONCISE_FLOOR = 150


@dataclass(frozen=True)
class MetricSpec:
    """How one metric is named, shown and judged."""

    name: str
    label: str
    higher_is_better: bool
    unit: Literal["ratio", "score", "ms"]


def metric_specs(k_values: Sequence[int] = DEFAULT_K_VALUES) -> list[MetricSpec]:
    """List the metrics in display order."""
    specs = [MetricSpec(f"hit@{k}", f"检索命中率 hit@{k}", True, "ratio") for k in k_values]
    specs += [
        MetricSpec("mrr", "MRR（首条证据倒数排名）", True, "score"),
        MetricSpec("citation_support", "引文支持率", True, "ratio"),
        MetricSpec("correct", "回答正确率", True, "ratio"),
        MetricSpec("concise", "回答简洁率", True, "ratio"),
        MetricSpec("correct_and_concise", "正确且简洁", True, "ratio"),
        MetricSpec("wrong_computation", "算错的回答占比", False, "ratio"),
        MetricSpec("refusal_accuracy", "无答案题拒答率", True, "ratio"),
        MetricSpec("false_refusal_rate", "有答案题误拒率", False, "ratio"),
        MetricSpec("figures_clean", "数字核验合格率", True, "ratio"),
        MetricSpec("latency_p50_ms", "延迟 p50（记录）", False, "ms"),
        MetricSpec("latency_p95_ms", "延迟 p95（记录）", False, "ms"),
        MetricSpec("wall_p50_ms", "耗时 p50（实测）", False, "ms"),
        MetricSpec("wall_p95_ms", "耗时 p95（实测）", False, "ms"),
    ]
    return specs


class Failure(BaseModel):
    """One metric a question failed, and why (Chinese, for the report)."""

    metric: str
    detail: str


class QuestionOutcome(BaseModel):
    """How one question fared on every metric; None where a metric does not apply."""

    id: str
    type: str
    question: str
    expected_answer: str
    must_include: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    expected_section: str = ""
    answer: str | None = None
    error: str | None = None
    retrieved_sections: list[str] = Field(default_factory=list)
    evidence_ranks: list[int | None] = Field(default_factory=list, description="1-based rank per evidence string.")
    hits: dict[int, bool] = Field(default_factory=dict)
    reciprocal_rank: float | None = None
    citation_support: float | None = None
    correct: bool | None = None
    concise: bool | None = None
    wrong_computations: list[str] = Field(default_factory=list)
    refused: bool | None = None
    refusal_ok: bool | None = None
    figures_clean: bool | None = None
    latency_ms: float | None = None
    wall_ms: float | None = None
    failures: list[Failure] = Field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Tell whether any metric failed."""
        return bool(self.failures)


class MetricSummary(BaseModel):
    """Metric values (None where no question applied) and the counts behind them."""

    values: dict[str, float | None] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)


def is_refusal(record: AnswerRecord) -> bool:
    """Tell whether a record refuses: the flag, or a clear refusal phrase in its first sentence."""
    if record.refused:
        return True
    first = next((part for part in _SENTENCE_END.split(record.answer) if part.strip()), "")
    opening = normalise(first).lower()
    return any(phrase in opening for phrase in REFUSAL_PHRASES)


def answer_body(answer: str) -> str:
    """Return the answer before its warning block (the first ⚠), without surrounding whitespace.

    >>> answer_body("支出18,977.96万元[1]。\\n⚠ 注意：报告前后不一致")
    '支出18,977.96万元[1]。'
    """
    return answer.split("⚠", 1)[0].strip()


def is_concise(answer: str, reference: str) -> bool:
    """Tell whether an answer body is at most 3× the reference answer's length (150 characters at least)."""
    return len(answer_body(answer)) <= max(CONCISE_FLOOR, CONCISE_FACTOR * len(reference))


def wrong_computations(answer: str, reference: str) -> list[str]:
    """Return the results written after = or ≈ in the answer body that the reference answer does not hold.

    >>> wrong_computations("17,865.48 ÷ 18,977.96 ≈ 94.14%", "占比约94.14%")
    []
    >>> wrong_computations("0.63 ÷ 21,766.40 ≈ 0.00%", "占比约94.14%")
    ['0.00']
    """
    expected = normalise(reference)
    wrong: list[str] = []
    for match in _COMPUTED.finditer(answer_body(answer)):
        number = normalise(match.group(1))
        if not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)", expected):
            wrong.append(number)
    return wrong


def figure_is_flagged(figure: FigureCheck, record: AnswerRecord) -> bool:
    """Tell whether a figure is visibly flagged: by a warning naming it or in the sentence quoting it."""
    for warning in record.warnings:
        if _mentions(normalise(warning), figure):
            return True
    for sentence in _SENTENCE_END.split(record.answer):
        text = normalise(sentence)
        if _mentions(text, figure) and any(marker in text.lower() for marker in FLAG_MARKERS):
            return True
    return False


def _mentions(text: str, figure: FigureCheck) -> bool:
    """Tell whether normalised text names a figure: its text, or a distinctive number it holds as a whole."""
    written = normalise(figure.text)
    if written and written in text:
        return True
    for number in _NUMBER.findall(written):
        if "." not in number and len(number) < 3:
            continue  # "3" or "12" alone is too common to identify a figure
        if re.search(rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)", text):
            return True
    return False


def evidence_ranks(evidence: Sequence[str], retrieved: Sequence[RetrievedPassage]) -> list[int | None]:
    """Return, per evidence string, the 1-based rank of the first passage holding it (None if none)."""
    texts = [normalise(passage.text) for passage in retrieved]
    ranks: list[int | None] = []
    for item in evidence:
        needle = normalise(item)
        ranks.append(next((rank for rank, text in enumerate(texts, start=1) if needle in text), None))
    return ranks


def score_retrieval(
    question: Question,
    retrieved: Sequence[RetrievedPassage],
    outcome: QuestionOutcome,
    k_values: Sequence[int] = DEFAULT_K_VALUES,
) -> None:
    """Fill the retrieval fields of an outcome (answerable questions with evidence only)."""
    outcome.retrieved_sections = [passage.section for passage in retrieved]
    if not question.answerable or not question.evidence:
        return
    ranks = evidence_ranks(question.evidence, retrieved)
    outcome.evidence_ranks = ranks
    outcome.hits = {k: all(rank is not None and rank <= k for rank in ranks) for k in k_values}
    outcome.reciprocal_rank = 1.0 / ranks[0] if ranks[0] is not None else 0.0
    deepest = max(k_values)
    missing = [
        f"「{item}」" + ("未检索到" if rank is None else f"排在第{rank}位")
        for item, rank in zip(question.evidence, ranks, strict=True)
        if rank is None or rank > deepest
    ]
    if missing:
        outcome.failures.append(
            Failure(metric="retrieval", detail=f"证据不在前{deepest}个检索段落中：" + "；".join(missing))
        )


def blank_outcome(question: Question) -> QuestionOutcome:
    """Start an outcome for a question, before anything is scored."""
    return QuestionOutcome(
        id=question.id,
        type=question.type,
        question=question.question,
        expected_answer=question.answer,
        must_include=list(question.must_include),
        evidence=list(question.evidence),
        expected_section=question.section,
    )


def score_record(
    question: Question,
    record: AnswerRecord | None,
    *,
    error: str | None = None,
    wall_ms: float | None = None,
    k_values: Sequence[int] = DEFAULT_K_VALUES,
) -> QuestionOutcome:
    """Score one answer record (or an error in its place) on every metric."""
    outcome = blank_outcome(question)
    outcome.wall_ms = wall_ms
    if record is None:
        outcome.error = error or "没有回答记录"
        outcome.failures.append(Failure(metric="error", detail=f"运行出错：{outcome.error}"))
        record = AnswerRecord(id=question.id, question=question.question, answer="")
    else:
        outcome.answer = record.answer
        outcome.latency_ms = record.latency_ms
    score_retrieval(question, record.retrieved, outcome, k_values)
    _score_citations(question, record, outcome)
    _score_answer(question, record, outcome)
    if outcome.error is None:
        _score_figures(record, outcome)
    else:
        # The error says it all; the metrics still count the question as failed.
        outcome.failures = [f for f in outcome.failures if f.metric == "error"]
    return outcome


def _score_citations(question: Question, record: AnswerRecord, outcome: QuestionOutcome) -> None:
    """Share of evidence strings that some cited passage holds."""
    if not question.answerable or not question.evidence:
        return
    cited = [normalise(citation.text) for citation in record.citations]
    unsupported = [item for item in question.evidence if not any(normalise(item) in text for text in cited)]
    outcome.citation_support = 1 - len(unsupported) / len(question.evidence)
    if not cited:
        outcome.failures.append(Failure(metric="citation_support", detail="回答没有引文"))
    elif unsupported:
        listed = "；".join(f"「{item}」" for item in unsupported)
        outcome.failures.append(Failure(metric="citation_support", detail=f"引文未包含证据：{listed}"))


def _score_answer(question: Question, record: AnswerRecord, outcome: QuestionOutcome) -> None:
    """Judge refusal and, for answerable questions, the must_include strings."""
    refused = is_refusal(record) if outcome.error is None else False
    outcome.refused = refused
    if not question.answerable:
        outcome.refusal_ok = refused
        outcome.correct = refused
        if not refused and outcome.error is None:
            outcome.failures.append(
                Failure(metric="refusal", detail="报告中没有答案，应明确拒答（报告未提及），却给出了回答")
            )
        return
    outcome.refusal_ok = not refused
    if refused:
        outcome.failures.append(Failure(metric="refusal", detail="误拒答：报告中有答案，却回答“报告未提及/无法回答”"))
    answer = normalise(record.answer)
    missing = [item for item in question.must_include if normalise(item) not in answer]
    outcome.correct = outcome.error is None and not missing and not refused
    if missing and outcome.error is None:
        outcome.failures.append(Failure(metric="correct", detail="答案缺少：" + "、".join(missing)))
    if outcome.error is not None:
        return
    outcome.concise = is_concise(record.answer, question.answer)
    if not outcome.concise:
        limit = max(CONCISE_FLOOR, CONCISE_FACTOR * len(question.answer))
        outcome.failures.append(
            Failure(metric="concise", detail=f"回答过长：正文{len(answer_body(record.answer))}字，上限{limit}字")
        )
    outcome.wrong_computations = wrong_computations(record.answer, question.answer)
    if outcome.wrong_computations:
        listed = "、".join(outcome.wrong_computations)
        outcome.failures.append(Failure(metric="wrong_computation", detail=f"计算结果不在参考答案中：{listed}"))


def _score_figures(record: AnswerRecord, outcome: QuestionOutcome) -> None:
    """Every figure verified/derived, or visibly flagged."""
    bad = [
        figure
        for figure in record.figures
        if figure.status not in ("verified", "derived") and not figure_is_flagged(figure, record)
    ]
    outcome.figures_clean = not bad
    if bad:
        listed = "、".join(f"{figure.text}（{figure.status}）" for figure in bad)
        outcome.failures.append(Failure(metric="figures", detail=f"数字未核验通过且无可见提示：{listed}"))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def summarise(outcomes: Sequence[QuestionOutcome], k_values: Sequence[int] = DEFAULT_K_VALUES) -> MetricSummary:
    """Aggregate outcomes into metric values; a metric no question applies to is None."""
    scored = [o for o in outcomes if o.reciprocal_rank is not None]
    cited = [o.citation_support for o in outcomes if o.citation_support is not None]
    correct = [float(o.correct) for o in outcomes if o.correct is not None]
    judged = [o for o in outcomes if o.correct is not None]
    unanswerable = [o for o in outcomes if o.type == "unanswerable" and o.refused is not None]
    answerable = [o for o in outcomes if o.type != "unanswerable" and o.refused is not None]
    figures = [float(o.figures_clean) for o in outcomes if o.figures_clean is not None]
    latencies = [o.latency_ms for o in outcomes if o.latency_ms is not None]
    walls = [o.wall_ms for o in outcomes if o.wall_ms is not None]
    values: dict[str, float | None] = {f"hit@{k}": _mean(float(o.hits.get(k, False)) for o in scored) for k in k_values}
    values.update(
        {
            "mrr": _mean(o.reciprocal_rank or 0.0 for o in scored),
            "citation_support": _mean(cited),
            "correct": _mean(correct),
            "concise": _mean(float(bool(o.concise)) for o in judged if o.type != "unanswerable"),
            "correct_and_concise": _mean(
                float(bool(o.correct) and (o.type == "unanswerable" or bool(o.concise))) for o in judged
            ),
            "wrong_computation": _mean(float(bool(o.wrong_computations)) for o in judged),
            "refusal_accuracy": _mean(float(bool(o.refused)) for o in unanswerable),
            "false_refusal_rate": _mean(float(bool(o.refused)) for o in answerable),
            "figures_clean": _mean(figures),
            "latency_p50_ms": percentile(latencies, 50),
            "latency_p95_ms": percentile(latencies, 95),
            "wall_p50_ms": percentile(walls, 50),
            "wall_p95_ms": percentile(walls, 95),
        }
    )
    counts = {
        "questions": len(outcomes),
        "failed": sum(o.failed for o in outcomes),
        "errors": sum(o.error is not None for o in outcomes),
        "retrieval_scored": len(scored),
        "citation_scored": len(cited),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "figures_scored": len(figures),
    }
    return MetricSummary(values=values, counts=counts)


def summarise_by_type(
    outcomes: Sequence[QuestionOutcome], k_values: Sequence[int] = DEFAULT_K_VALUES
) -> dict[str, MetricSummary]:
    """Aggregate per question type, in the canonical type order."""
    order = {name: index for index, name in enumerate(QUESTION_TYPES)}
    types = sorted({o.type for o in outcomes}, key=lambda name: (order.get(name, len(order)), name))
    return {name: summarise([o for o in outcomes if o.type == name], k_values) for name in types}
