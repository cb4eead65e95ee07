"""The `ingest` and `search` commands, run through Typer's CliRunner with fake embeddings in a temp data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from assistant.cli import app

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose settings come from the environment only: data in tmp_path, fake embeddings."""
    monkeypatch.chdir(tmp_path)  # no .env or report-assistant.toml of the developer's
    return CliRunner(
        env={
            "REPORT_ASSISTANT_DATA_DIR": str(tmp_path / "data"),
            "REPORT_ASSISTANT_SEEDS_DIR": str(SEEDS),
            "REPORT_ASSISTANT_EMBEDDING__BACKEND": "fake",
        }
    )


def run(cli: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return cli.invoke(app, list(args), input=stdin)


def json_lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_ingest_adds_the_seed_then_skips_it_unchanged(cli: CliRunner, tmp_path: Path) -> None:
    first = run(cli, "ingest")
    assert first.exit_code == 0, first.output
    assert "新增" in first.stdout and "未改动" not in first.stdout
    assert (tmp_path / "data" / "index" / "default" / "catalog.json").is_file()
    second = run(cli, "ingest")
    assert second.exit_code == 0, second.output
    assert "未改动" in second.stdout and "新增" not in second.stdout


def test_search_json_prints_one_line_with_k_retrieved_passages(cli: CliRunner) -> None:
    result = run(cli, "search", "--json", "-k", "3", "2023年预算完成率是多少")
    assert result.exit_code == 0, result.output
    [record] = json_lines(result)
    assert record["question"] == "2023年预算完成率是多少"
    retrieved = record["retrieved"]
    assert isinstance(retrieved, list) and len(retrieved) == 3
    for item in retrieved:
        assert {"passage_id", "section", "text", "score"} <= set(item)
        assert isinstance(item["score"], float) and item["text"]
    scores = [item["score"] for item in retrieved]
    assert scores == sorted(scores, reverse=True)


def test_search_json_reads_one_question_a_line_from_stdin(cli: CliRunner) -> None:
    result = run(cli, "search", "--json", "-k", "2", "-", stdin="2023年预算完成率是多少\n\n新建了多少座5G基站\n")
    assert result.exit_code == 0, result.output
    records = json_lines(result)
    assert [r["question"] for r in records] == ["2023年预算完成率是多少", "新建了多少座5G基站"]
    assert all(len(r["retrieved"]) == 2 for r in records)  # type: ignore[arg-type]


def test_search_prints_sections_and_passages_for_people(cli: CliRunner) -> None:
    result = run(cli, "search", "-k", "2", "2023年预算完成率是多少")
    assert result.exit_code == 0, result.output
    assert "问题：2023年预算完成率是多少" in result.stdout
    assert "1." in result.stdout and "得分" in result.stdout


def test_ingesting_a_corrupt_file_reports_the_failure_and_exits_1(cli: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "损坏.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    result = run(cli, "ingest", str(broken))
    assert result.exit_code == 1
    assert "失败" in result.stderr and "损坏.pdf" in result.stderr
    assert "新增" not in result.stdout


def test_a_corrupt_file_among_good_ones_fails_alone(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run(cli, "ingest", str(SEEDS), str(tmp_path / "empty.txt"))
    assert result.exit_code == 0, result.output
    assert "新增" in result.stdout and "失败" in result.stderr


def test_a_corrupt_catalog_is_one_clear_line_and_exit_1(cli: CliRunner, tmp_path: Path) -> None:
    catalog = tmp_path / "data" / "index" / "default" / "catalog.json"
    catalog.parent.mkdir(parents=True)
    catalog.write_text("{", encoding="utf-8")
    result = run(cli, "search", "--json", "预算")
    assert result.exit_code == 1
    assert "错误" in result.stderr and "doctor --repair" in result.stderr
    assert "Traceback" not in result.output
