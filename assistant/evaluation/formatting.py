"""Format metric values and deltas the same way in the terminal table and the HTML report."""

from __future__ import annotations

from assistant.evaluation.metrics import MetricSpec
from assistant.evaluation.questions import TYPE_LABELS
from assistant.evaluation.results import OVERALL

SHORT_LABELS: dict[str, str] = {
    "mrr": "MRR",
    "citation_support": "引文",
    "correct": "正确",
    "concise": "简洁",
    "correct_and_concise": "正确简洁",
    "wrong_computation": "算错",
    "refusal_accuracy": "拒答",
    "false_refusal_rate": "误拒",
    "figures_clean": "数字",
    "latency_p50_ms": "延迟p50",
    "latency_p95_ms": "延迟p95",
    "wall_p50_ms": "耗时p50",
    "wall_p95_ms": "耗时p95",
}

STATUS_LABELS: dict[str, str] = {
    "improved": "改善",
    "regressed": "退步",
    "unchanged": "持平",
    "new": "新增",
    "missing": "缺失",
}


def short_label(spec: MetricSpec) -> str:
    """Return a column header short enough for a terminal table."""
    return SHORT_LABELS.get(spec.name, spec.name)


def scope_label(scope: str) -> str:
    """Name a scope for readers: 全部, or the type with its Chinese name.

    >>> scope_label("multi_hop")
    'multi_hop（多段推理）'
    """
    if scope == OVERALL:
        return "全部"
    label = TYPE_LABELS.get(scope)
    return f"{scope}（{label}）" if label else scope


def format_value(spec: MetricSpec, value: float | None) -> str:
    """Format a metric value: ratios as percentages, MRR to three places, times in ms.

    >>> from assistant.evaluation.metrics import MetricSpec
    >>> format_value(MetricSpec("correct", "", True, "ratio"), 0.8222)
    '82.2%'
    """
    if value is None:
        return "—"
    if spec.unit == "ratio":
        return f"{value * 100:.1f}%"
    if spec.unit == "score":
        return f"{value:.3f}"
    return f"{value:.1f}ms"


def format_delta(spec: MetricSpec, delta: float | None) -> str:
    """Format a change: percentage points for ratios, plain for MRR, ms for times."""
    if delta is None:
        return ""
    if spec.unit == "ratio":
        return f"{delta * 100:+.1f}pp"
    if spec.unit == "score":
        return f"{delta:+.3f}"
    return f"{delta:+.1f}ms"


def format_compact(spec: MetricSpec, value: float | None) -> str:
    """Format a value for a narrow terminal column: ratios and MRR as 0.82, times as whole ms.

    >>> from assistant.evaluation.metrics import MetricSpec
    >>> format_compact(MetricSpec("correct", "", True, "ratio"), 0.8222)
    '0.82'
    """
    if value is None:
        return "—"
    return f"{value:.0f}" if spec.unit == "ms" else f"{value:.2f}"


def format_compact_delta(spec: MetricSpec, delta: float) -> str:
    """Format a change for a narrow terminal column."""
    return f"{delta:+.0f}" if spec.unit == "ms" else f"{delta:+.2f}"
