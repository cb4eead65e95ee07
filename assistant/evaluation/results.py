"""The results of an evaluation run, their comparison with a baseline, and their JSON form."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.evaluation.metrics import (
    DEFAULT_K_VALUES,
    MetricSpec,
    MetricSummary,
    QuestionOutcome,
    metric_specs,
    summarise,
    summarise_by_type,
)

OVERALL = "overall"
# Latency moves with machine load: only a relative change beyond this counts.
LATENCY_TOLERANCE = 0.10
LATENCY_FLOOR_MS = 1.0
RATIO_TOLERANCE = 1e-9

DeltaStatus = Literal["improved", "regressed", "unchanged", "new", "missing"]


class MetricDelta(BaseModel):
    """One metric in one scope (overall or a question type), now against the baseline."""

    scope: str
    metric: str
    baseline: float | None
    current: float | None
    delta: float | None
    status: DeltaStatus


class Comparison(BaseModel):
    """The change against a baseline run: per metric and type, and per question."""

    baseline_source: str = ""
    deltas: list[MetricDelta] = Field(default_factory=list)
    newly_failing: list[str] = Field(default_factory=list)
    newly_passing: list[str] = Field(default_factory=list)

    def get(self, scope: str, metric: str) -> MetricDelta | None:
        """Return the delta of one metric in one scope, if compared."""
        return next((d for d in self.deltas if d.scope == scope and d.metric == metric), None)

    @property
    def regressed(self) -> list[MetricDelta]:
        """Deltas that got worse."""
        return [d for d in self.deltas if d.status == "regressed"]

    @property
    def improved(self) -> list[MetricDelta]:
        """Deltas that got better."""
        return [d for d in self.deltas if d.status == "improved"]


class EvalResult(BaseModel):
    """Scores of one run: overall, per question type, per question, and the change against a baseline."""

    kind: Literal["answers", "retrieval"] = "answers"
    questions_path: str = ""
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    k_values: list[int] = Field(default_factory=lambda: list(DEFAULT_K_VALUES))
    overall: MetricSummary = Field(default_factory=MetricSummary)
    per_type: dict[str, MetricSummary] = Field(default_factory=dict)
    outcomes: list[QuestionOutcome] = Field(default_factory=list)
    comparison: Comparison | None = None

    def specs(self) -> list[MetricSpec]:
        """Metrics that have a value in this run, in display order."""
        scopes = [self.overall, *self.per_type.values()]
        return [
            spec
            for spec in metric_specs(self.k_values)
            if any(summary.values.get(spec.name) is not None for summary in scopes)
        ]

    def scopes(self) -> dict[str, MetricSummary]:
        """Overall first, then each question type."""
        return {OVERALL: self.overall, **self.per_type}

    def failing(self) -> list[QuestionOutcome]:
        """Questions that failed at least one metric, errors first."""
        failed = [o for o in self.outcomes if o.failed]
        return sorted(failed, key=lambda o: (o.error is None, o.correct is not False, o.id))

    def metrics_dict(self) -> dict[str, object]:
        """Return the metrics JSON body: overall, per type, comparison, outcomes."""
        return self.model_dump(mode="json")

    def write_json(self, path: str | Path) -> Path:
        """Write the metrics JSON (UTF-8, Chinese kept readable)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.metrics_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        return path


class RetrievalResult(EvalResult):
    """Scores of a retrieval-only run (hit@k, MRR, timing)."""

    kind: Literal["answers", "retrieval"] = "retrieval"


def load_result(path: str | Path) -> EvalResult:
    """Read a metrics JSON written earlier (the baseline)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return EvalResult.model_validate(data)


def compare(current: EvalResult, baseline: EvalResult, source: str = "") -> Comparison:
    """Compare every metric in every scope, and which questions changed between pass and fail."""
    specs = {spec.name: spec for spec in metric_specs(sorted({*current.k_values, *baseline.k_values}))}
    base_scopes = baseline.scopes()
    deltas: list[MetricDelta] = []
    for scope, summary in current.scopes().items():
        base = base_scopes.get(scope)
        for name, spec in specs.items():
            now = summary.values.get(name)
            before = base.values.get(name) if base is not None else None
            if now is None and before is None:
                continue
            deltas.append(_delta(scope, spec, before, now))
    base_failed = {o.id: o.failed for o in baseline.outcomes}
    newly_failing = [o.id for o in current.outcomes if o.failed and base_failed.get(o.id) is False]
    newly_passing = [o.id for o in current.outcomes if not o.failed and base_failed.get(o.id) is True]
    return Comparison(baseline_source=source, deltas=deltas, newly_failing=newly_failing, newly_passing=newly_passing)


def _delta(scope: str, spec: MetricSpec, before: float | None, now: float | None) -> MetricDelta:
    """Judge one metric's change, with the tolerance its unit calls for."""
    if before is None or now is None:
        status: DeltaStatus = "new" if before is None else "missing"
        return MetricDelta(scope=scope, metric=spec.name, baseline=before, current=now, delta=None, status=status)
    delta = now - before
    tolerance = max(abs(before) * LATENCY_TOLERANCE, LATENCY_FLOOR_MS) if spec.unit == "ms" else RATIO_TOLERANCE
    if abs(delta) <= tolerance:
        status = "unchanged"
    elif (delta > 0) == spec.higher_is_better:
        status = "improved"
    else:
        status = "regressed"
    return MetricDelta(scope=scope, metric=spec.name, baseline=before, current=now, delta=delta, status=status)


def build_result(
    outcomes: Sequence[QuestionOutcome],
    *,
    kind: Literal["answers", "retrieval"] = "answers",
    questions_path: str = "",
    k_values: Sequence[int] = DEFAULT_K_VALUES,
    baseline: EvalResult | str | Path | None = None,
) -> EvalResult:
    """Summarise outcomes overall and per type, and compare with a baseline if one is given."""
    cls = RetrievalResult if kind == "retrieval" else EvalResult
    result = cls(
        kind=kind,
        questions_path=questions_path,
        k_values=list(k_values),
        overall=summarise(outcomes, k_values),
        per_type=summarise_by_type(outcomes, k_values),
        outcomes=list(outcomes),
    )
    if baseline is not None:
        source = "" if isinstance(baseline, EvalResult) else str(baseline)
        earlier = baseline if isinstance(baseline, EvalResult) else load_result(baseline)
        result.comparison = compare(result, earlier, source=source)
    return result
