"""Print a compact per-type table of a run to the terminal (for the CLI)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from assistant.evaluation.formatting import format_compact, format_compact_delta, short_label
from assistant.evaluation.metrics import MetricSpec
from assistant.evaluation.results import OVERALL, EvalResult

_STYLES = {"improved": "green", "regressed": "bold red"}
# Answer runs show the headline hit@k only; retrieval runs show every k.
_ANSWER_HITS = {"hit@5"}
_SKIP = {"latency_p50_ms", "latency_p95_ms", "wall_p95_ms", "concise", "hit@1"}


def _columns(result: EvalResult) -> list[MetricSpec]:
    """Pick the headline metrics that fit a terminal."""
    specs = [spec for spec in result.specs() if spec.name not in _SKIP]
    if result.kind == "answers":
        specs = [spec for spec in specs if not spec.name.startswith("hit@") or spec.name in _ANSWER_HITS]
    return specs


def summary_table(result: EvalResult) -> Table:
    """Build the table: one row per scope (全部 first), one column per headline metric."""
    specs = _columns(result)
    title = "检索评测" if result.kind == "retrieval" else "问答评测"
    table = Table(
        title=f"{title}（{result.overall.counts.get('questions', 0)} 题）",
        caption=_caption(result),
        box=box.SIMPLE_HEAD,
    )
    table.add_column("题型", style="bold", no_wrap=True)
    table.add_column("题数", justify="right")
    table.add_column("未过", justify="right")
    for spec in specs:
        table.add_column("p50ms" if spec.unit == "ms" else short_label(spec), justify="right", no_wrap=True)
    for scope, summary in result.scopes().items():
        cells = ["全部" if scope == OVERALL else scope]
        cells += [str(summary.counts.get("questions", 0)), str(summary.counts.get("failed", 0))]
        for spec in specs:
            text = format_compact(spec, summary.values.get(spec.name))
            delta = result.comparison.get(scope, spec.name) if result.comparison else None
            if delta is not None and delta.delta is not None and delta.status in _STYLES:
                style = _STYLES[delta.status]
                text += f"[{style}]{format_compact_delta(spec, delta.delta)}[/{style}]"
            cells.append(text)
        table.add_row(*cells, end_section=scope == OVERALL)
    return table


def _caption(result: EvalResult) -> str:
    """Say what is being compared with, if anything."""
    if result.comparison is None:
        return ""
    return "数值后的绿色/红色增量为相对基线的改善/退步"


def print_summary(result: EvalResult, console: Console | None = None) -> None:
    """Print the per-type table and, if compared, what changed against the baseline."""
    console = console or Console()
    console.print(summary_table(result))
    comparison = result.comparison
    if comparison is None:
        return
    console.print(
        f"对比基线：改善 [green]{len(comparison.improved)}[/green] 项，退步 [red]{len(comparison.regressed)}[/red] 项；"
        f"新失败 {len(comparison.newly_failing)} 题，新通过 {len(comparison.newly_passing)} 题"
    )
    if comparison.newly_failing:
        console.print("新失败：" + "、".join(comparison.newly_failing), style="red")
