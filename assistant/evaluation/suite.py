"""Run question sets against several reports: each report indexed on its own, then all of them together.

A suite manifest (TOML) lists the reports, the file each is loaded from (its published form) and its
question sets; paths are relative to the manifest. A report marked `tuned = true` is one the method was
tuned on: its scores are dev scores, not evidence of generalisation, and the summary says so.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.evaluation.api import run_eval
from assistant.evaluation.results import EvalResult
from assistant.settings import Settings

TOGETHER = "all-together"


class SuiteError(ValueError):
    """A suite manifest that cannot be used; the message names the problem (Chinese)."""


@dataclass(frozen=True)
class SuiteReport:
    """One report of a suite: the files it is loaded from and the question sets asked of it."""

    name: str
    documents: tuple[Path, ...]
    questions: tuple[Path, ...]
    tuned: bool = False


@dataclass
class SuiteRun:
    """The results of one question set in one corpus (a report alone, or all together)."""

    corpus: str
    report: str
    questions: Path
    tuned: bool
    result: EvalResult
    ingest_seconds: float


@dataclass
class SuiteResult:
    """Every run of a suite."""

    runs: list[SuiteRun] = field(default_factory=list)

    def alone(self) -> list[SuiteRun]:
        return [r for r in self.runs if r.corpus != TOGETHER]

    def together(self) -> list[SuiteRun]:
        return [r for r in self.runs if r.corpus == TOGETHER]


def load_suite(path: str | Path) -> list[SuiteReport]:
    """Read a suite manifest; every file it names must exist."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SuiteError(f"无法读取评测清单 {path}：{exc}") from exc
    base = path.parent
    reports: list[SuiteReport] = []
    for n, entry in enumerate(data.get("reports", []), start=1):
        try:
            name = str(entry["name"])
            documents = tuple(base / p for p in entry["documents"])
            questions = tuple(base / p for p in entry["questions"])
        except (KeyError, TypeError) as exc:
            raise SuiteError(f"评测清单第{n}个报告缺少 name / documents / questions") from exc
        missing = [str(p) for p in (*documents, *questions) if not p.is_file()]
        if missing:
            raise SuiteError(f"评测清单中的文件不存在：{'、'.join(missing)}")
        reports.append(SuiteReport(name, documents, questions, bool(entry.get("tuned", False))))
    if not reports:
        raise SuiteError(f"评测清单 {path} 没有列出任何报告")
    return reports


def _corpus_settings(base: Settings, data_dir: Path, name: str) -> Settings:
    """Return settings for one scratch corpus in its own data dir (embedding and retrieval as in `base`)."""
    return base.model_copy(update={"data_dir": data_dir / name, "corpus": name, "chroma": base.chroma})


def _run_corpus(
    base: Settings,
    data_dir: Path,
    corpus_name: str,
    documents: Sequence[Path],
    sets: Sequence[tuple[SuiteReport, Path]],
    out_dir: Path | None,
    progress: bool,
) -> list[SuiteRun]:
    from assistant.service import build_assistant

    settings = _corpus_settings(base, data_dir, corpus_name)
    assistant = build_assistant(settings)
    ingest = assistant.corpus.ingest(list(documents))
    if ingest.failed:
        raise SuiteError("；".join(reason for _, reason in ingest.failed))
    runs: list[SuiteRun] = []
    for report, questions in sets:
        stem = f"{corpus_name}/{report.name}-{questions.stem}"
        result = run_eval(
            questions,
            lambda q: assistant.ask(q),
            answers_out=out_dir / f"{stem}.answers.jsonl" if out_dir else None,
            metrics_out=out_dir / f"{stem}.metrics.json" if out_dir else None,
            report_out=out_dir / f"{stem}.html" if out_dir else None,
            progress=progress,
        )
        runs.append(SuiteRun(corpus_name, report.name, questions, report.tuned, result, ingest.seconds))
    return runs


def run_suite(
    reports: Sequence[SuiteReport],
    base: Settings,
    data_dir: Path,
    out_dir: Path | None = None,
    together: bool = True,
    progress: bool = False,
    on_run: Callable[[SuiteRun], None] | None = None,
) -> SuiteResult:
    """Index each report on its own and answer its questions; then all reports in one corpus."""
    suite = SuiteResult()
    for report in reports:
        sets = [(report, q) for q in report.questions]
        for run in _run_corpus(base, data_dir, report.name, report.documents, sets, out_dir, progress):
            suite.runs.append(run)
            if on_run:
                on_run(run)
    if together and len(reports) > 1:
        documents = [d for r in reports for d in r.documents]
        sets = [(r, q) for r in reports for q in r.questions]
        for run in _run_corpus(base, data_dir, TOGETHER, documents, sets, out_dir, progress):
            suite.runs.append(run)
            if on_run:
                on_run(run)
    return suite


HEADLINE: tuple[tuple[str, str], ...] = (
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("citation_support", "citation support"),
    ("correct", "correct"),
    ("concise", "concise"),
    ("correct_and_concise", "correct & concise"),
    ("refusal_accuracy", "unanswerable refused"),
    ("false_refusal_rate", "answerable refused"),
    ("wrong_computation", "wrong computed figure"),
    ("latency_p50_ms", "ask p50 ms"),
)


def _cell(value: float | None, name: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if name.endswith("_ms") else f"{value:.2f}"


def markdown_summary(suite: SuiteResult) -> str:
    """Return the suite as Markdown: one row per report and set, then per-type tables."""
    header = "| corpus | question set | n | " + " | ".join(label for _, label in HEADLINE) + " |"
    lines = [header, "|" + "---|" * (3 + len(HEADLINE))]
    for run in suite.runs:
        tuned = " (tuned on)" if run.tuned else ""
        values = run.result.overall.values
        cells = [_cell(values.get(name), name) for name, _ in HEADLINE]
        n = run.result.overall.counts.get("questions", 0)
        lines.append(f"| {run.corpus} | {run.report}/{run.questions.name}{tuned} | {n} | " + " | ".join(cells) + " |")
    per_type = ("correct_and_concise", "correct", "concise", "citation_support", "wrong_computation")
    for run in suite.alone():
        lines += ["", f"**{run.report}/{run.questions.name}** per type", ""]
        lines.append("| type | n | " + " | ".join(per_type) + " |")
        lines.append("|" + "---|" * (2 + len(per_type)))
        for name, summary in run.result.per_type.items():
            cells = [_cell(summary.values.get(m), m) for m in per_type]
            lines.append(f"| {name} | {summary.counts.get('questions', 0)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
