"""Tests of the `audit` and `verify` commands against an indexed corpus in a temporary data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings
from index.catalog import Catalog, IndexedDocument, save_catalog
from index.chunking import chunk_document
from index.loaders import load_document

SEED = next((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
runner = CliRunner()


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPORT_ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPORT_ASSISTANT_CORPUS", "figures-test")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    document = load_document(SEED)
    catalog = Catalog(
        corpus=settings.corpus,
        documents=[IndexedDocument(document, chunk_document(document))],
    )
    save_catalog(settings.index_dir, catalog)
    return tmp_path


def test_audit_json_lists_relations_with_the_failing_ones(indexed: Path) -> None:
    result = runner.invoke(app, ["audit", "--json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)
    assert set(findings[0]) == {
        "claim",
        "formula",
        "stated",
        "computed",
        "holds",
        "kind",
        "section",
    }
    assert {f["stated"] for f in findings if not f["holds"]} == {
        "85.65%",
        "18,977.96万元",
        "1,180.85元",
        "17,865.48元",
        "49.4分",  # every item "得满分", yet their sum is 49.4 of a weight of 50
        "（三）",  # the outline numbers （三） twice under 一、
        "5个",  # 5个关键性二级指标 announced, four items scored after it
    }


def test_audit_table_is_printed_in_chinese(indexed: Path) -> None:
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 0, result.output
    assert "不成立" in result.output


def test_verify_json_reports_each_figure(indexed: Path) -> None:
    result = runner.invoke(app, ["verify", "--json", "预算完成率85%，支出18,977.96万元"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["figures"]
    assert [(f["text"], f["status"]) for f in figures] == [
        ("85%", "mismatch"),
        ("18,977.96万元", "verified"),
    ]
    assert "87.19%" in figures[0]["note"]
    assert "\\u" not in result.output


def test_verify_reads_one_text_per_line_from_stdin(indexed: Path) -> None:
    result = runner.invoke(app, ["verify", "--json", "-"], input="完成预算的94.21%\n支出18,977.96元\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["figures"][0]["status"] for line in lines] == ["verified", "mismatch"]


def test_verify_table_marks_statuses(indexed: Path) -> None:
    result = runner.invoke(app, ["verify", "预算完成率85%"])
    assert result.exit_code == 0, result.output
    assert "不符" in result.output


def test_commands_fail_clearly_without_an_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORT_ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["audit", "--json"])
    assert result.exit_code == 1
    assert "ingest" in result.output
