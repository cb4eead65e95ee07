"""Scale-out: two app workers share one Chroma server, one data dir (catalog) and one OpenAI-compatible endpoint.

The module starts `chroma run` on a free 127.0.0.1 port, the fake LLM server (tests/fake_llm_server.py) in this
process, and two `report-assistant serve` processes with the same settings (fake embeddings for speed), then
checks what a deployment behind a load balancer relies on: a report uploaded through one worker is answered by
the other, uploads to both at once keep both reports, feedback may reach another worker than the answer came
from, and both workers reach the one LLM endpoint. Everything is stopped (terminate, then kill) at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_llm_server import MODEL, FakeLLMServer

pytestmark = [pytest.mark.chroma_server, pytest.mark.timeout(150)]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STARTUP_LIMIT_S = 90.0

CULTURE_CENTRE = (
    "番禺区文化馆2023年绩效自评报告.txt",
    "广州市番禺区文化馆\n2023年部门整体支出绩效自评报告\n一、基本情况\n"
    "2023年，区文化馆举办公益展览37场，全年图书借阅量12.34万册。\n"
    "二、部门整体收支情况\n2023年，区文化馆全年预算数456.78万元，支出400.12万元，预算完成率87.60%。\n",
)
SPORTS_CENTRE = (
    "番禺区体育中心2023年绩效自评报告.txt",
    "广州市番禺区体育中心\n2023年部门整体支出绩效自评报告\n一、基本情况\n"
    "2023年，区体育中心承办全民健身赛事58场，场馆接待健身群众43.21万人次。\n",
)
LIBRARY = (
    "番禺区图书馆2023年绩效自评报告.txt",
    "广州市番禺区图书馆\n2023年部门整体支出绩效自评报告\n一、基本情况\n"
    "2023年，区图书馆新增馆藏古籍修复项目19个，数字阅读平台访问量76.54万人次。\n",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process we started and wait for it; kill it when it does not stop in time."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def wait_until(ready: Any, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while True:
        try:
            if ready():
                return
        except Exception:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` on a free 127.0.0.1 port for this module."""
    executable = BIN / "chroma"
    if not executable.exists():
        pytest.skip("the chroma executable is not installed in the venv")
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    port = free_port()
    folder = tmp_path_factory.mktemp("scale-out-chroma")
    log = folder / "chroma.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(executable), "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        client_settings = ChromaClientSettings(anonymized_telemetry=False)
        wait_until(
            lambda: chromadb.HttpClient(host="127.0.0.1", port=port, settings=client_settings).heartbeat(),
            server,
            log,
            "chroma run",
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


@dataclass(frozen=True)
class Workers:
    urls: tuple[str, str]
    data_dir: Path


@pytest.fixture(scope="module")
def workers(chroma_url: str, llm: FakeLLMServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    """Two `report-assistant serve` processes with the same environment, started at the same time."""
    folder = tmp_path_factory.mktemp("scale-out-workers")
    data_dir = folder / "shared-data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REPORT_ASSISTANT_")},
        "REPORT_ASSISTANT_DATA_DIR": str(data_dir),
        "REPORT_ASSISTANT_SEEDS_DIR": str(ROOT / "seeds"),
        "REPORT_ASSISTANT_CHROMA__URL": chroma_url,
        "REPORT_ASSISTANT_EMBEDDING__BACKEND": "fake",
        "REPORT_ASSISTANT_LLM__BASE_URL": llm.base_url,
        "REPORT_ASSISTANT_LLM__MODEL": MODEL,
        "REPORT_ASSISTANT_LLM__TIMEOUT_S": "10",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    ports = (free_port(), free_port())
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for n, port in enumerate(ports, start=1):
            log = folder / f"worker{n}.log"
            with log.open("wb") as output:
                command = [str(BIN / "report-assistant"), "serve", "--host", "127.0.0.1", "--port", str(port)]
                processes.append(
                    (subprocess.Popen(command, env=env, cwd=folder, stdout=output, stderr=subprocess.STDOUT), log)
                )
        urls = (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
        for url, (process, log) in zip(urls, processes, strict=True):
            wait_until(
                lambda url=url: httpx.get(url + "/healthz", timeout=2).status_code == 200,
                process,
                log,
                f"worker {url}",
            )
        yield Workers(urls, data_dir)
    finally:
        for process, _ in processes:
            stop(process)


def upload(url: str, report: tuple[str, str]) -> dict[str, Any]:
    name, text = report
    response = httpx.post(
        url + "/api/documents", files={"file": (name, text.encode("utf-8"), "text/plain")}, timeout=60
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def ask(url: str, question: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(url + "/api/ask", json={"question": question, **body}, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def document_names(url: str) -> set[str]:
    response = httpx.get(url + "/api/documents", timeout=10)
    assert response.status_code == 200, response.text
    return {d["name"] for d in response.json()}


def cited_documents(record: dict[str, Any]) -> set[str]:
    return {c["document"] for c in record["citations"]}


def test_both_workers_are_healthy_and_see_the_same_corpus(workers: Workers) -> None:
    first, second = workers.urls
    health = [httpx.get(url + "/healthz", timeout=5).json() for url in workers.urls]
    assert all(h["status"] == "ok" and h["documents"] >= 1 for h in health)
    assert document_names(first) == document_names(second)
    assert not (workers.data_dir / "chroma").exists(), "vectors live in the Chroma server, not in the data dir"


def test_a_report_uploaded_through_one_worker_is_answered_by_the_other(workers: Workers) -> None:
    first, second = workers.urls
    name = CULTURE_CENTRE[0]
    result = upload(first, CULTURE_CENTRE)
    assert name in {d["name"] for d in result["documents"]}
    assert name in document_names(second)
    record = ask(second, "区文化馆全年图书借阅量是多少？")
    assert not record["refused"] and "12.34万册" in record["answer"], record["answer"]
    assert name in cited_documents(record)


def test_uploads_to_both_workers_at_once_keep_both_reports(workers: Workers) -> None:
    first, second = workers.urls
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(upload, (first, second), (SPORTS_CENTRE, LIBRARY)))
    assert len(results) == 2
    expected = {SPORTS_CENTRE[0], LIBRARY[0]}
    assert expected <= document_names(first) and expected <= document_names(second)
    for url, question, figure, name in (
        (first, "区图书馆数字阅读平台访问量是多少？", "76.54万人次", LIBRARY[0]),
        (second, "区体育中心场馆接待健身群众多少人次？", "43.21万人次", SPORTS_CENTRE[0]),
    ):
        record = ask(url, question)
        assert figure in record["answer"] and name in cited_documents(record), record["answer"]


def test_feedback_may_reach_another_worker_than_the_answer(workers: Workers) -> None:
    first, second = workers.urls
    record = ask(second, "2023年预算完成率是多少？")
    response = httpx.post(
        first + "/api/feedback", json={"record_id": record["id"], "rating": "up", "comment": "跨进程"}, timeout=10
    )
    assert response.status_code == 200, response.text
    assert response.json()["record_id"] == record["id"]


def test_both_workers_ask_the_one_llm_endpoint(workers: Workers, llm: FakeLLMServer) -> None:
    llm.reset()
    replies = {url: f"这是第{n}个工作进程得到的模型回答[1]。" for n, url in enumerate(workers.urls, start=1)}
    questions = {url: f"区文化馆的基本情况如何？（第{n}问）" for n, url in enumerate(workers.urls, start=1)}
    for url in workers.urls:
        llm.script(replies[url])
        record = ask(url, questions[url], mode="llm")
        assert record["mode"] == "llm", record["warnings"]
        assert replies[url].removesuffix("[1]。") in record["answer"]
    asked = [request.message("user") for request in llm.completions]
    assert len(asked) == 2 and all(q in prompt for q, prompt in zip(questions.values(), asked, strict=True))
    assert all(request.body.get("model") == MODEL for request in llm.completions)
    assert not llm.replies and not llm.unscripted
