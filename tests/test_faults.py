"""Faults: an LLM endpoint that is down, slow or talks garbage; a Chroma server that goes away and comes back; a
process killed with SIGKILL in the middle of ingesting; a damaged data dir found by `doctor` and at start.

Each fault gets a clear Chinese message (HTTP 503 from the API, `StoreError` from the Python API, one line from the
CLI), never a traceback, and the assistant recovers once the fault is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import SEED_REPORT, SEEDS_DIR, make_settings
from fake_llm_server import FakeLLMServer, Reply, fake_llm_fixture, fake_llm_server_fixture

from assistant.corpus import open_corpus
from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from index.catalog import CATALOG_FILE
from index.store import StoreError

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from typer.testing import Result

FIXTURES = (fake_llm_server_fixture, fake_llm_fixture)  # `fake_llm` is asked for by name
REPO = Path(__file__).resolve().parents[1]
QUESTION = "2023年预算完成率是多少？"
RATE = "87.19%"
FALLBACK = "已改用离线摘录式回答。"
TIMEOUT_S = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_client(settings: Settings, assistant: Assistant | None = None) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from ui.app import create_app

    with TestClient(create_app(settings, assistant), raise_server_exceptions=False) as client:
        yield client


def records_of(response: Any, path: str) -> dict[str, Any]:
    """Return the answer record of /api/ask, or the last event of /api/ask/stream."""
    assert response.status_code == 200, response.text[:300]
    if path == "/api/ask":
        return dict(response.json())
    blocks = [dict(line.split(": ", 1) for line in b.splitlines()) for b in response.text.strip().split("\n\n")]
    assert blocks[-1]["event"] == "record", blocks[-1]
    return dict(json.loads(blocks[-1]["data"]))


def chinese_error(response: Any, status: int, phrase: str) -> str:
    assert response.status_code == status, response.text[:300]
    message = str(response.json()["error"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and phrase in message, message
    return message


# -- the LLM endpoint down, slow or talking garbage: the HTTP API still answers ------------------------------------
@pytest.fixture(scope="module")
def llm_assistant(fake_llm_server: FakeLLMServer, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    llm = {"base_url": fake_llm_server.base_url, "timeout_s": TIMEOUT_S}
    built = build_assistant(make_settings(tmp_path_factory.mktemp("llm-faults") / "data", llm=llm))
    built.ensure_indexed()
    return built


@pytest.fixture(scope="module")
def llm_client(llm_assistant: Assistant) -> Iterator[TestClient]:
    yield from app_client(llm_assistant.settings, llm_assistant)


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize(
    ("reply", "why"),
    [
        pytest.param(Reply.http_error(500), "大模型服务返回错误（HTTP 500）", id="http-500"),
        pytest.param(Reply.not_json(), "大模型服务返回了无法解析的内容", id="garbage"),
        pytest.param(Reply.empty(), "大模型返回了空的或无法识别的内容", id="empty"),
        pytest.param(Reply.stall(TIMEOUT_S + 2.0), "大模型服务响应超时", id="slower-than-the-timeout"),
    ],
)
def test_an_llm_fault_still_gets_a_200_extractive_answer_with_a_warning_over_http(
    llm_client: TestClient, fake_llm: FakeLLMServer, path: str, reply: Reply, why: str
) -> None:
    fake_llm.script(reply)
    started = time.perf_counter()
    record = records_of(llm_client.post(path, json={"question": QUESTION, "mode": "llm"}), path)
    assert time.perf_counter() - started < TIMEOUT_S + 5
    assert record["mode"] == "extractive" and RATE in record["answer"] and record["citations"]
    assert record["warnings"][0].startswith(why) and record["warnings"][0].endswith(FALLBACK)


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_an_llm_endpoint_that_is_down_still_gets_a_200_answer_with_a_warning_over_http(
    llm_assistant: Assistant, tmp_path: Path, path: str
) -> None:
    settings = make_settings(tmp_path, llm={"base_url": f"http://127.0.0.1:{free_port()}/v1", "timeout_s": TIMEOUT_S})
    down = build_assistant(settings, corpus=llm_assistant.corpus)
    for client in app_client(settings, down):
        record = records_of(client.post(path, json={"question": QUESTION, "mode": "llm"}), path)
        assert record["mode"] == "extractive" and RATE in record["answer"]
        assert record["warnings"][0].startswith("无法连接大模型服务") and record["warnings"][0].endswith(FALLBACK)


# -- a Chroma server that goes away and comes back ----------------------------------------------------------------
class ChromaServer:
    """`chroma run` on a fixed port and path, that a test can stop and start again."""

    def __init__(self, path: Path, log: Path) -> None:
        executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        if executable is None:
            pytest.skip("the chroma executable is not installed")
        self.command = [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(free_port())]
        self.port = int(self.command[-1])
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaClientSettings

        with self.log.open("ab") as output:
            self.process = subprocess.Popen(self.command, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                chromadb.HttpClient(
                    host="127.0.0.1", port=self.port, settings=ChromaClientSettings(anonymized_telemetry=False)
                ).heartbeat()
                return
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start: {self.log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server", tmp_path / "chroma.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def feedback_rows(settings: Settings) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(settings.data_dir / "feedback.sqlite3")) as db:
        return db.execute("SELECT * FROM feedback ORDER BY id").fetchall()


@pytest.mark.chroma_server
@pytest.mark.timeout(120)
def test_a_chroma_server_that_goes_away_is_a_503_in_chinese_and_answers_resume_when_it_is_back(
    chroma_server: ChromaServer, tmp_settings: Callable[..., Settings]
) -> None:
    settings = tmp_settings(chroma={"url": chroma_server.url})
    assistant = build_assistant(settings)
    assistant.ensure_indexed()
    for client in app_client(settings, assistant):
        record = client.post("/api/ask", json={"question": QUESTION}).json()
        assert RATE in record["answer"]
        assert client.post("/api/feedback", json={"record_id": record["id"], "rating": "up"}).status_code == 200
        catalog = (settings.index_dir / CATALOG_FILE).read_bytes()
        feedback = feedback_rows(settings)

        chroma_server.stop()
        for path in ("/api/ask", "/api/ask/stream"):
            chinese_error(client.post(path, json={"question": QUESTION}), 503, "向量库")
        upload = client.post("/api/documents", files={"file": ("新报告.txt", "一、基本情况\n预算120万元。".encode())})
        chinese_error(upload, 503, "向量库")
        assert not list((settings.data_dir / "uploads").iterdir()), "no stored file the index does not know"
        with pytest.raises(StoreError, match="向量库") as caught:
            assistant.ask(QUESTION)
        assert "Traceback" not in str(caught.value)
        assert client.get("/api/documents").status_code == 200, "listing reports needs no vectors"
        assert (settings.index_dir / CATALOG_FILE).read_bytes() == catalog and feedback_rows(settings) == feedback

        chroma_server.start()  # the same port and path
        record = client.post("/api/ask", json={"question": QUESTION}).json()
        assert RATE in record["answer"] and record["citations"]
        assert RATE in assistant.ask(QUESTION).answer
        assert assistant.corpus.store.count() == len(assistant.corpus.passages())


def test_the_web_chat_shows_a_vector_store_fault_as_a_message_not_a_crash(
    tmp_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.chat import ChatHandlers
    from ui.feedback import FeedbackStore

    settings = tmp_settings()
    assistant = build_assistant(settings)
    assistant.ensure_indexed()

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StoreError("向量库操作失败（query）：[Errno 111] Connection refused")

    monkeypatch.setattr(assistant.corpus.store, "query", down)
    handlers = ChatHandlers(assistant, FeedbackStore(settings.data_dir / "feedback.sqlite3"), settings)
    *_, (_, messages, _) = handlers.respond(QUESTION, [], None, {})
    assert "服务暂时不可用" in messages[-1]["content"] and "向量库" in messages[-1]["content"]


# -- a process killed with SIGKILL while ingesting --------------------------------------------------------------
DRIVER = r"""
import os, sys, time
from pathlib import Path

phase, data_dir, *files = sys.argv[1:]
from assistant.corpus import open_corpus
from assistant.settings import Settings

settings = Settings(_env_file=None, data_dir=Path(data_dir), embedding={"backend": "fake"})
corpus = open_corpus(settings)


def hang(where):
    print(where, flush=True)
    time.sleep(300)


if phase == "embedding":  # the first new report went all the way into Chroma; hang embedding the second
    embed, calls = corpus.embeddings.embed_documents, []

    def slow_embed(texts):
        calls.append(len(texts))
        if len(calls) == 2:
            hang(phase)
        return embed(texts)

    corpus.embeddings.embed_documents = slow_embed
elif phase == "storing":  # half of the big report's vectors are written, then the process dies
    add = corpus.store.add

    def slow_add(passages, vectors, version):
        if passages[0].document == "big.txt":
            add(passages[: len(passages) // 2], vectors[: len(vectors) // 2], version)
            hang(phase)
        return add(passages, vectors, version)

    corpus.store.add = slow_add
elif phase == "swapping":  # the new catalog is written to its temporary file but not swapped in
    replace = os.replace

    def slow_replace(src, dst):
        if str(dst).endswith("catalog.json"):
            hang(phase)
        return replace(src, dst)

    os.replace = slow_replace
corpus.ingest([Path(f) for f in files])
print("finished", flush=True)
"""


def big_report(path: Path, sections: int = 160) -> Path:
    """Write a long report: many numbered sections, each with a budget sentence of its own."""
    lines = []
    for n in range(1, sections + 1):
        lines.append(f"第{n}章 专项工作{n}")
        lines.append(f"2023年专项工作{n}预算{100 + n}.25万元，支出{90 + n}.50万元，完成年度目标第{n}项。")
        lines.append(f"专项工作{n}由第{n}科负责，按季度开展绩效监控，形成专项报告。")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wait_for_line(process: subprocess.Popen[str], expected: str, timeout_s: float = 60.0) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = process.stdout.readline()
        if line.strip() == expected:
            return
        if not line:
            break
    pytest.fail(f"the ingest process never reached {expected!r} (exit code {process.poll()})")


def fresh_corpus(settings: Settings) -> Any:
    """Open the corpus as a newly started process would (no client cached from before the crash)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return open_corpus(settings)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("phase", ["embedding", "storing", "swapping"])
def test_a_process_killed_while_ingesting_leaves_the_previous_index_usable(
    tmp_path: Path, tmp_settings: Callable[..., Settings], phase: str
) -> None:
    settings = tmp_settings()
    seed = open_corpus(settings)
    seed.ingest([SEED_REPORT])
    catalog_before = (settings.index_dir / CATALOG_FILE).read_bytes()
    top_before = seed.search(QUESTION, 1)[0].passage.id
    small = tmp_path / "small.txt"
    small.write_text("一、基本情况\n2023年，示范中心受理业务12.5万宗。\n", encoding="utf-8")
    big = big_report(tmp_path / "big.txt")

    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with (tmp_path / "ingest.err").open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", DRIVER, phase, str(settings.data_dir), str(small), str(big)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
            cwd=tmp_path,
        )
    try:
        wait_for_line(process, phase)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    corpus = fresh_corpus(settings)
    assert (settings.index_dir / CATALOG_FILE).read_bytes() == catalog_before
    assert [d.name for d in corpus.documents()] == [d.name for d in seed.documents()]
    hit = corpus.search(QUESTION, 1)[0]
    assert hit.passage.id == top_before and RATE in hit.passage.text
    from assistant.doctor import diagnose

    assert diagnose(settings).healthy, diagnose(settings).problems

    report = corpus.ingest([small, big])  # a fresh run completes and drops what the killed one left in Chroma
    assert sorted(report.added) == ["big.txt", "small.txt"] and not report.failed
    assert corpus.store.count() == len(corpus.passages()) == report.passages
    assert corpus.search("专项工作137预算多少", 3)[0].passage.document == "big.txt"
    assert RATE in corpus.search(QUESTION, 1)[0].passage.text


# -- a damaged data dir: `doctor` names it, `doctor --repair` rebuilds, `serve` says so without a traceback -----
def invoke(args: list[str]) -> Result:
    from typer.testing import CliRunner

    from assistant.cli import app

    return CliRunner().invoke(app, args)


def flat(output: str) -> str:
    """Return CLI output without the line breaks rich wraps it with."""
    return "".join(output.split())


def _garble_catalog(content: bytes) -> Callable[[Settings], None]:
    def damage(settings: Settings) -> None:
        (settings.index_dir / CATALOG_FILE).write_bytes(content)

    return damage


def _other_model(settings: Settings) -> None:
    path = settings.index_dir / CATALOG_FILE
    path.write_text(path.read_text(encoding="utf-8").replace('"fake:64"', '"fake:32"', 1), encoding="utf-8")


def _garble_vector_store(settings: Settings) -> None:
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 512)


def _lose_vector_store(settings: Settings) -> None:
    shutil.rmtree(settings.chroma_dir)


DAMAGE = [
    pytest.param(_garble_catalog(b'{"format": 1, "embed'), "catalog.json已损坏", id="truncated-catalog"),
    pytest.param(_garble_catalog(bytes(range(256)) * 4), "catalog.json已损坏", id="binary-catalog"),
    pytest.param(_garble_catalog(b"[]"), "catalog.json已损坏", id="catalog-not-an-object"),
    pytest.param(_other_model, "需要重建", id="catalog-of-another-model"),
    pytest.param(_garble_vector_store, "向量库无法打开或读取", id="garbage-vector-store"),
    pytest.param(_lose_vector_store, "向量库缺少向量", id="vector-store-missing"),
]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings the CLI reads from the environment (fake embeddings, data dir in tmp_path), seed indexed."""
    monkeypatch.chdir(tmp_path)  # no .env or report-assistant.toml of the developer's
    monkeypatch.setenv("REPORT_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPORT_ASSISTANT_SEEDS_DIR", str(SEEDS_DIR))
    monkeypatch.setenv("REPORT_ASSISTANT_EMBEDDING__BACKEND", "fake")
    settings = make_settings(tmp_path / "data")
    open_corpus(settings).ingest([SEED_REPORT])
    return settings


@pytest.mark.parametrize(("damage", "problem"), DAMAGE)
def test_doctor_names_the_damage_and_doctor_repair_rebuilds_a_working_index(
    cli_env: Settings, damage: Callable[[Settings], None], problem: str
) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    damage(cli_env)
    SharedSystemClient.clear_system_cache()  # as a new process would: nothing cached from before the damage
    found = invoke(["doctor"])
    assert found.exit_code == 1, found.output
    assert problem in flat(found.output) and "doctor--repair" in flat(found.output)
    assert "Traceback" not in found.output

    repaired = invoke(["doctor", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "已重建，数据目录正常" in flat(repaired.output)
    assert any((cli_env.data_dir / "backup").iterdir()), "the damaged index is kept aside"
    healthy = invoke(["doctor"])
    assert healthy.exit_code == 0 and "数据目录正常" in flat(healthy.output)
    SharedSystemClient.clear_system_cache()
    assert RATE in build_assistant(cli_env).ask(QUESTION).answer


def test_serve_on_a_corrupt_catalog_exits_with_the_repair_command_not_a_traceback(cli_env: Settings) -> None:
    _garble_catalog(b"{")(cli_env)
    result = invoke(["serve", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "catalog.json已损坏" in flat(result.output) and "doctor--repair" in flat(result.output)
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_starting_the_module_directly_on_a_corrupt_catalog_exits_cleanly(
    cli_env: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.app
    from ui.app import main

    def never_serve(*args: Any) -> None:
        raise AssertionError("the server must not start over a damaged index")

    monkeypatch.setattr(ui.app, "run", never_serve)
    _garble_catalog(b"{")(cli_env)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert "doctor--repair" in flat(capsys.readouterr().err)


def test_an_app_created_over_a_corrupt_catalog_answers_503_with_the_repair_command(cli_env: Settings) -> None:
    _garble_catalog(b"\x00\x01 not json")(cli_env)
    for client in app_client(cli_env):
        for response in (
            client.get("/healthz"),
            client.get("/api/documents"),
            client.post("/api/ask", json={"question": QUESTION}),
            client.post("/api/ask/stream", json={"question": QUESTION}),
        ):
            assert CATALOG_FILE in chinese_error(response, 503, "doctor --repair")
