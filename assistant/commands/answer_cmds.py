"""CLI: `ask` one question, `chat` in the terminal, `eval` a question set."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from assistant.commands.common import console, err_console, friendly_errors, load_settings

if TYPE_CHECKING:
    from assistant.records import AnswerRecord
    from assistant.service import Assistant

_BADGES = {
    "verified": "[green]已核验[/]",
    "derived": "[blue]计算得出[/]",
    "inconsistent": "[dark_orange]报告自相矛盾[/]",
    "mismatch": "[red]不一致[/]",
    "unverified": "[yellow]未核验[/]",
}
Mode = Literal["extractive", "llm"]


def _assistant() -> Assistant:
    from assistant.service import build_assistant

    settings = load_settings()
    assistant = build_assistant(settings)
    assistant.ensure_indexed()
    return assistant


def print_record(record: AnswerRecord) -> None:
    """Print an answer with its citations, figure checks and warnings."""
    console.print(record.answer, markup=False, highlight=False)
    for warning in record.warnings:
        console.print(f"[bold red]⚠ {warning}[/]", highlight=False)
    if record.citations:
        console.print("\n[bold]引用[/]")
        for citation in record.citations:
            console.print(f"[cyan][{citation.marker}][/] {citation.section or citation.document}", highlight=False)
            console.print(f"    “{citation.quote}”", markup=False, highlight=False)
    if record.figures:
        console.print("\n[bold]数字核验[/]")
        for figure in record.figures:
            detail = figure.note or figure.source
            console.print(f"  {_BADGES[figure.status]} {figure.text}  [dim]{detail}[/]", highlight=False)
    console.print(f"\n[dim]模式：{record.mode}；用时 {record.latency_ms:.0f} 毫秒[/]")


def ask(
    question: Annotated[str, typer.Argument(help="问题")],
    as_json: Annotated[bool, typer.Option("--json", help="输出完整的回答记录（JSON）")] = False,
    mode: Annotated[Mode | None, typer.Option("--mode", help="回答方式：extractive（离线摘录，默认）或 llm")] = None,
) -> None:
    """回答一个关于报告的问题，附引文与数字核验。"""
    from assistant.service import QuestionError

    with friendly_errors():
        assistant = _assistant()
        try:
            record = assistant.ask(question, mode=mode)
        except QuestionError as exc:
            err_console.print(f"[bold red]错误：[/]{exc}")
            raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(record.model_dump_json() + "\n")
    else:
        print_record(record)


def chat(
    mode: Annotated[Mode | None, typer.Option("--mode", help="回答方式：extractive 或 llm")] = None,
) -> None:
    """在终端里连续提问（记住上下文）；输入 /清空 重新开始，/退出 或 Ctrl-D 结束。"""
    from assistant.records import ChatTurn
    from assistant.service import QuestionError

    with friendly_errors():
        assistant = _assistant()
    history: list[ChatTurn] = []
    console.print("报告问答助手：请输入问题（/清空 重新开始，/退出 结束）")
    while True:
        try:
            question = console.input("[bold green]问：[/]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        if question.strip() in ("/退出", "/exit", "/quit"):
            break
        if question.strip() in ("/清空", "/clear"):
            history.clear()
            continue
        try:
            record = assistant.ask(question, history=history, mode=mode)
        except QuestionError as exc:
            err_console.print(f"[red]{exc}[/]")
            continue
        print_record(record)
        history += [ChatTurn(role="user", content=question), ChatTurn(role="assistant", content=record.answer)]


def evaluate(
    questions: Annotated[Path, typer.Argument(help="问题集（JSONL），如 seeds/dev.jsonl", exists=True, dir_okay=False)],
    answers_out: Annotated[Path | None, typer.Option("--answers-out", help="逐题回答记录（JSONL）")] = None,
    report_out: Annotated[
        Path | None, typer.Option("--report-out", help="输出目录：metrics.json 与 report.html")
    ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="先前的 metrics.json，用于对比")] = None,
    mode: Annotated[Mode | None, typer.Option("--mode", help="回答方式")] = None,
) -> None:
    """对问题集逐题作答并评分：检索命中、引文支持、正确率、拒答、数字核验、延迟。"""
    from assistant.evaluation import print_summary, run_eval
    from assistant.evaluation.questions import QuestionSetError

    with friendly_errors():
        assistant = _assistant()
        metrics_out = report_out / "metrics.json" if report_out else None
        html_out = report_out / "report.html" if report_out else None
        try:
            result = run_eval(
                questions,
                lambda q: assistant.ask(q, mode=mode),
                answers_out=answers_out,
                report_out=html_out,
                baseline=baseline,
                metrics_out=metrics_out,
                progress=sys.stderr.isatty(),
            )
        except QuestionSetError as exc:
            err_console.print(f"[bold red]问题集有误：[/]{exc}")
            raise typer.Exit(2) from exc
    print_summary(result, console)
    if report_out:
        console.print(f"报告：{html_out}；指标：{metrics_out}")


def evaluate_suite(
    manifest: Annotated[
        Path, typer.Argument(help="评测清单（TOML），如 seeds/suite.toml", exists=True, dir_okay=False)
    ] = Path("seeds/suite.toml"),
    out: Annotated[Path, typer.Option("--out", help="输出目录：逐题回答、指标与 summary.md")] = Path("reports/suite"),
    alone_only: Annotated[bool, typer.Option("--alone-only", help="只评测各报告单独建库，不做合并建库")] = False,
    only: Annotated[list[str] | None, typer.Option("--only", help="只评测这些报告（按名称）")] = None,
) -> None:
    """逐个报告单独建库评测，再把全部报告放进一个库评测；按报告、按题型输出正确且简洁率等指标。"""
    import tempfile

    from assistant.evaluation.suite import SuiteError, load_suite, markdown_summary, run_suite

    settings = load_settings()
    with friendly_errors():
        try:
            reports = load_suite(manifest)
            if only:
                reports = [r for r in reports if r.name in only]
            with tempfile.TemporaryDirectory(prefix="suite-") as scratch:

                def show(run: object) -> None:
                    from assistant.evaluation.suite import SuiteRun

                    assert isinstance(run, SuiteRun)
                    v = run.result.overall.values
                    console.print(
                        f"{run.corpus:>14} {run.report}/{run.questions.name}: 正确且简洁 {v.get('correct_and_concise') or 0:.2f}"
                        f"，正确 {v.get('correct') or 0:.2f}，算错 {v.get('wrong_computation') or 0:.2f}",
                        highlight=False,
                    )

                suite = run_suite(reports, settings, Path(scratch), out, together=not alone_only, on_run=show)
        except SuiteError as exc:
            err_console.print(f"[bold red]评测清单有误：[/]{exc}")
            raise typer.Exit(2) from exc
    out.mkdir(parents=True, exist_ok=True)
    summary = markdown_summary(suite)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    console.print(summary, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the answering commands to the CLI."""
    app.command("ask")(ask)
    app.command("chat")(chat)
    app.command("eval")(evaluate)
    app.command("eval-suite")(evaluate_suite)
