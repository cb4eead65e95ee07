"""CLI: `doctor` checks the data directory and, with --repair, rebuilds a damaged index."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.commands.common import console, err_console, load_settings


def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="把损坏的索引移到 data/backup/ 并重建")] = False,
) -> None:
    """检查数据目录（索引目录、向量库及两者是否一致）；加 --repair 重建损坏的索引。"""
    from assistant import doctor as checks

    settings = load_settings()
    diagnosis = checks.diagnose(settings)
    for fact in diagnosis.facts:
        console.print(fact, highlight=False)
    if diagnosis.healthy:
        console.print("[green]数据目录正常。[/]")
        return
    for problem in diagnosis.problems:
        err_console.print(f"[red]问题：[/]{problem}", highlight=False)
    if not repair:
        err_console.print("运行 report-assistant doctor --repair 以重建索引（原文件会备份）。")
        raise typer.Exit(1)
    backup = checks.repair(settings)
    if backup is not None:
        console.print(f"原索引已备份到 {backup}")
    after = checks.diagnose(settings)
    if after.healthy:
        console.print("[green]已重建，数据目录正常。[/]")
    else:
        for problem in after.problems:
            err_console.print(f"[red]仍有问题：[/]{problem}", highlight=False)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the doctor command to the CLI."""
    app.command("doctor")(doctor)
