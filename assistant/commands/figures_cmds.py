"""CLI commands `audit` (recompute the report's own arithmetic) and `verify` (check a text's figures)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from assistant.figures.audit import AuditFinding
    from assistant.records import FigureCheck
    from index.models import Document, Passage

_STATUS_STYLE = {
    "verified": "green",
    "derived": "cyan",
    "inconsistent": "dark_orange",
    "mismatch": "bold red",
    "unverified": "yellow",
}
_STATUS_NAME = {
    "verified": "已核实",
    "derived": "推算",
    "inconsistent": "报告自相矛盾",
    "mismatch": "不符",
    "unverified": "未核实",
}


def load_documents(files: list[Path] | None) -> tuple[list[Document], list[Passage]]:
    """Return the documents to check: the given files, or else the indexed corpus of the settings."""
    if files:
        from index.chunking import chunk_document
        from index.loaders import load_document

        documents = [load_document(path) for path in files]
        return documents, [p for d in documents for p in chunk_document(d)]
    from assistant.commands.common import load_settings
    from index.catalog import CatalogError, load_corpus

    try:
        documents, passages = load_corpus(load_settings())
    except CatalogError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    return list(documents), list(passages)


def audit_rows(documents: list[Document], passages: list[Passage]) -> list[AuditFinding]:
    """Return the audit findings of the documents."""
    from assistant.figures.audit import audit_report

    return audit_report(documents, passages)


def verify_rows(text: str, documents: list[Document], passages: list[Passage]) -> list[FigureCheck]:
    """Return the figure checks of a text against the documents."""
    from assistant.figures.verify import report_figures

    return report_figures(documents, passages).check(text)


def _print_audit(findings: list[AuditFinding]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="报告数字核查", show_lines=True)
    for column in ("结论", "类型", "关系", "算式", "报告所写", "复算", "章节"):
        table.add_column(column, overflow="fold")
    for f in sorted(findings, key=lambda f: f.holds):
        verdict = "[green]成立[/green]" if f.holds else "[bold red]不成立[/bold red]"
        table.add_row(verdict, f.kind, f.claim, f.formula, f.stated, f.computed, f.section)
    Console().print(table)
    bad = sum(1 for f in findings if not f.holds)
    Console().print(f"共 {len(findings)} 条关系，其中 {bad} 条不成立。")


def _print_checks(checks: list[FigureCheck]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="数字核验", show_lines=True)
    for column in ("数字", "结论", "出处或算式", "说明"):
        table.add_column(column, overflow="fold")
    for c in checks:
        style = _STATUS_STYLE[c.status]
        table.add_row(c.text, f"[{style}]{_STATUS_NAME[c.status]}[/{style}]", c.source, c.note)
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add the `audit` and `verify` commands to the app."""

    @app.command("audit")
    def audit(
        as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
        files: Annotated[
            list[Path] | None,
            typer.Option("--file", help="直接核查这些报告文件，而不是已索引的语料。"),
        ] = None,
    ) -> None:
        """核查报告自身的数字关系：完成率、分项合计、占比、得分、预算调整、单位笔误、前后不一致。"""
        documents, passages = load_documents(files)
        findings = audit_rows(documents, passages)
        if as_json:
            typer.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
        else:
            _print_audit(findings)

    @app.command("verify")
    def verify(
        text: Annotated[str, typer.Argument(help="要核验的文字；为 - 时从标准输入逐行读取。")],
        as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
        files: Annotated[
            list[Path] | None,
            typer.Option("--file", help="对照这些报告文件，而不是已索引的语料。"),
        ] = None,
    ) -> None:
        """核验一段文字中的每个数字是否与报告一致（或可由报告数字算出）。"""
        documents, passages = load_documents(files)
        lines = [line.rstrip("\n") for line in sys.stdin] if text == "-" else [text]
        for line in lines:
            if text == "-" and not line.strip():
                continue
            checks = verify_rows(line, documents, passages)
            if as_json:
                payload = {"figures": [c.model_dump() for c in checks]}
                typer.echo(json.dumps(payload, ensure_ascii=False, indent=None if text == "-" else 2))
            else:
                _print_checks(checks)
