"""CLI: `ingest` reports into the corpus and `search` it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.commands.common import console, err_console, friendly_errors, load_settings


def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="报告文件或文件夹（默认：seeds/ 下全部报告）")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="丢弃现有索引并全部重建")] = False,
) -> None:
    """索引报告（PDF 含扫描件、DOCX、XLSX、TXT/MD、图片）：切分、嵌入并写入向量库；未改动的文件跳过。"""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.corpus import open_corpus
    from index.loaders import seed_reports

    settings = load_settings()
    targets = paths or seed_reports(settings.seeds_dir)
    with friendly_errors():
        corpus = open_corpus(settings)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("读取报告", total=None)

            def progress(message: str, done: int, total: int) -> None:
                bar.update(task, description=message, completed=done, total=total)

            report = corpus.ingest(targets, progress=progress, rebuild=rebuild)
    for name in report.added:
        console.print(f"[green]新增[/] {name}")
    for name in report.replaced:
        console.print(f"[yellow]更新[/] {name}")
    for name in report.unchanged:
        console.print(f"[dim]未改动，跳过[/] {name}")
    for path, reason in report.failed:
        err_console.print(f"[red]失败[/] {path}：{reason}")
    console.print(f"共 {report.passages} 个段落，用时 {report.seconds:.1f} 秒。")
    if report.failed and not (report.added or report.replaced or report.unchanged):
        raise typer.Exit(1)


def search(
    question: Annotated[str, typer.Argument(help="问题；用 - 从标准输入逐行读取问题")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="返回段落数")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（每个问题一行）")] = False,
) -> None:
    """检索与问题最相关的段落，列出章节路径与得分。"""
    from assistant.corpus import open_corpus
    from index.loaders import seed_reports

    settings = load_settings()
    with friendly_errors():
        corpus = open_corpus(settings)
        if corpus.is_empty():
            corpus.ingest(seed_reports(settings.seeds_dir))
        questions = [line.strip() for line in sys.stdin if line.strip()] if question == "-" else [question]
        for q in questions:
            hits = corpus.search(q, k)
            if as_json:
                record = {
                    "question": q,
                    "retrieved": [
                        {
                            "passage_id": h.passage.id,
                            "document": h.passage.document,
                            "section": h.passage.section,
                            "text": h.passage.text,
                            "score": round(h.score, 6),
                        }
                        for h in hits
                    ],
                }
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                continue
            console.print(f"[bold]问题：[/]{q}")
            for rank, hit in enumerate(hits, start=1):
                console.print(
                    f"[cyan]{rank}.[/] [bold]{hit.passage.section or hit.passage.document}[/]"
                    f"  [dim]得分 {hit.score:.4f}[/]"
                )
                console.print(f"   {hit.passage.text}", soft_wrap=True, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the index commands to the CLI."""
    app.command("ingest")(ingest)
    app.command("search")(search)
