"""Render a run as one self-contained HTML page (Chinese UI, inline SVG charts, no external assets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from assistant.evaluation.charts import Bar, bar_chart
from assistant.evaluation.formatting import STATUS_LABELS, format_delta, format_value, scope_label
from assistant.evaluation.metrics import MetricSpec, QuestionOutcome
from assistant.evaluation.questions import TYPE_LABELS
from assistant.evaluation.results import EvalResult

TEMPLATES = Path(__file__).parent / "templates"
METRIC_NAMES_ZH: dict[str, str] = {
    "error": "异常",
    "retrieval": "检索",
    "citation_support": "引文支持",
    "correct": "回答正确",
    "refusal": "拒答",
    "figures": "数字核验",
}


@dataclass
class Cell:
    """A table cell: a formatted value with its delta against the baseline."""

    text: str
    delta: str = ""
    status: str = ""


@dataclass
class Row:
    """One scope of the summary table."""

    label: str
    questions: int
    failed: int
    cells: list[Cell] = field(default_factory=list)


@dataclass
class FailingQuestion:
    """A failing question as the report shows it."""

    outcome: QuestionOutcome
    type_label: str
    reasons: list[tuple[str, str]]
    retrieved: list[tuple[int, str, bool]]
    newly_failing: bool


def render_report(result: EvalResult) -> str:
    """Return the report HTML."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True
    )
    template = environment.get_template("report.html.j2")
    specs = result.specs()
    comparison = result.comparison
    newly_failing = set(comparison.newly_failing) if comparison else set()
    return template.render(
        result=result,
        title="检索评测报告" if result.kind == "retrieval" else "问答评测报告",
        specs=specs,
        rows=_rows(result, specs),
        charts=[Markup(_chart(result, spec)) for spec in specs],
        deltas=_delta_rows(result, specs),
        comparison=comparison,
        failing=[_failing(outcome, outcome.id in newly_failing) for outcome in result.failing()],
        status_labels=STATUS_LABELS,
        type_labels=TYPE_LABELS,
        mark=_mark,
    )


def write_report(result: EvalResult, path: str | Path) -> Path:
    """Write the report HTML (UTF-8) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(result), encoding="utf-8")
    return path


def _mark(passed: bool | None) -> str:
    """Show a pass/fail verdict as a tick, a cross or a dash (not applicable)."""
    return "—" if passed is None else ("✓" if passed else "✗")


def _rows(result: EvalResult, specs: list[MetricSpec]) -> list[Row]:
    """Summary table rows: 全部 then each type, every value with its delta."""
    rows = []
    for scope, summary in result.scopes().items():
        row = Row(scope_label(scope), summary.counts.get("questions", 0), summary.counts.get("failed", 0))
        for spec in specs:
            delta = result.comparison.get(scope, spec.name) if result.comparison else None
            row.cells.append(
                Cell(
                    text=format_value(spec, summary.values.get(spec.name)),
                    delta=format_delta(spec, delta.delta) if delta else "",
                    status=delta.status if delta else "",
                )
            )
        rows.append(row)
    return rows


def _chart(result: EvalResult, spec: MetricSpec) -> str:
    """One chart per metric: a bar per scope, with the baseline as a tick."""
    bars = []
    for scope, summary in result.scopes().items():
        delta = result.comparison.get(scope, spec.name) if result.comparison else None
        value = summary.values.get(spec.name)
        text = format_value(spec, value)
        if delta is not None and delta.delta is not None and delta.status != "unchanged":
            text += f"（{format_delta(spec, delta.delta)}）"
        bars.append(
            Bar(
                label=scope_label(scope),
                value=value,
                text=text,
                baseline=delta.baseline if delta else None,
                status=delta.status if delta else "",
            )
        )
    return bar_chart(spec.label, bars, maximum=None if spec.unit == "ms" else 1.0)


def _delta_rows(result: EvalResult, specs: list[MetricSpec]) -> list[dict[str, str]]:
    """Rows of the baseline comparison table (changed metrics only)."""
    if result.comparison is None:
        return []
    by_name = {spec.name: spec for spec in specs}
    rows = []
    for delta in result.comparison.deltas:
        spec = by_name.get(delta.metric)
        if spec is None or delta.status == "unchanged":
            continue
        rows.append(
            {
                "scope": scope_label(delta.scope),
                "metric": spec.label,
                "baseline": format_value(spec, delta.baseline),
                "current": format_value(spec, delta.current),
                "delta": format_delta(spec, delta.delta),
                "status": delta.status,
            }
        )
    return rows


def _failing(outcome: QuestionOutcome, newly_failing: bool) -> FailingQuestion:
    """Gather what the report shows for one failing question."""
    holding = {rank for rank in outcome.evidence_ranks if rank is not None}
    return FailingQuestion(
        outcome=outcome,
        type_label=scope_label(outcome.type),
        reasons=[(METRIC_NAMES_ZH.get(f.metric, f.metric), f.detail) for f in outcome.failures],
        retrieved=[(rank, section, rank in holding) for rank, section in enumerate(outcome.retrieved_sections[:10], 1)],
        newly_failing=newly_failing,
    )
