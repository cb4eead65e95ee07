"""Security: auth covers every route of the app (its own and the mounted Gradio apps'), uploads never choose where
they are written, and no secret (the LLM API key, the access token) reaches a log, a page or the data dir.

The routes are taken from the app object and Gradio's routers, not listed by hand, and requested from a live
uvicorn server (some Gradio routes stream forever: only their status line is read).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from conftest import SEEDS_DIR, make_settings
from fake_llm_server import FakeLLMServer, Reply, fake_llm_fixture, fake_llm_server_fixture

from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from index.catalog import CATALOG_FILE
from index.store import StoreError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

FIXTURES = (fake_llm_server_fixture, fake_llm_fixture)  # `fake_llm` is asked for by name
REPO = Path(__file__).resolve().parents[1]
TOKEN = "tok-" + uuid.uuid4().hex
API_KEY_MARKER = "sk-MARKER-API-KEY-" + uuid.uuid4().hex
TOKEN_MARKER = "MARKER-AUTH-TOKEN-" + uuid.uuid4().hex
USER_HEADER = "X-Remote-User"
QUESTION = "2023年预算完成率是多少？"
RATE = "87.19%"
OPEN_PATHS = {"/healthz"}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:pdf|docx|txt|md)$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def live(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port in a thread; yield its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    built = build_assistant(make_settings(tmp_path_factory.mktemp("security") / "data"))
    built.ensure_indexed()
    return built


def create(assistant: Assistant, **server: Any) -> FastAPI:
    from ui.app import create_app

    settings = make_settings(assistant.settings.data_dir, server=server)
    return create_app(settings, assistant)


# -- every route behind auth ---------------------------------------------------------------------------------------
def app_routes(app: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Yield (method, path) of every route of the app and of every app mounted in it (Gradio's included)."""
    from starlette.routing import Mount

    try:
        from fastapi.routing import iter_route_contexts  # FastAPI ≥ 0.16x keeps included routers lazily
    except ImportError:  # pragma: no cover - older FastAPI lists plain routes
        contexts: Any = getattr(app, "routes", [])
    else:
        contexts = list(iter_route_contexts(getattr(app, "routes", [])))
    for context in contexts:
        route = getattr(context, "original_route", context)
        if isinstance(route, Mount):
            yield from app_routes(route.app, prefix + route.path)
            continue
        path = prefix + str(getattr(context, "path", getattr(route, "path", "")))
        methods = getattr(context, "methods", None) or getattr(route, "methods", None)
        if methods is None:  # a websocket route
            yield "WEBSOCKET", path
        else:
            for method in sorted(methods):
                yield method, path


def concrete(path: str) -> str:
    """Fill a route's path parameters with a harmless value."""
    return re.sub(r"\{[^}]+\}", "x", path)


AUTH_MODES = {
    "token": ({"auth_token": TOKEN}, {"Authorization": f"Bearer {TOKEN}"}),
    "sso-header": ({"trusted_user_header": USER_HEADER}, {USER_HEADER: "zhangsan"}),
}


@pytest.fixture(scope="module", params=sorted(AUTH_MODES))
def protected(request: pytest.FixtureRequest, assistant: Assistant) -> Iterator[tuple[Any, str, dict[str, str]]]:
    """(app, live URL, credentials) for each way of turning auth on."""
    server, credentials = AUTH_MODES[request.param]
    app = create(assistant, **server)
    with live(app) as url:
        yield app, url, credentials


def status_of(client: httpx.Client, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """Return the status and the start of the body (a stream is closed after its first bytes)."""
    with client.stream(method, concrete(path), headers=headers) as response:
        head = b""
        if response.status_code in (401, 403):
            head = response.read()
        return response.status_code, head


def test_the_route_list_covers_the_api_and_both_mounted_gradio_apps(protected: tuple[Any, str, Any]) -> None:
    app, _, _ = protected
    paths = {path for _, path in app_routes(app)}
    expected = {
        "/api/ask",
        "/api/ask/stream",
        "/api/documents",
        "/api/feedback",
        "/openapi.json",
        "/docs",
        "/config",
        "/embed/config",
        "/gradio_api/info",
        "/gradio_api/queue/join",
        "/gradio_api/upload",
        "/gradio_api/file={path_or_url:path}",
        "/embed/gradio_api/queue/join",
        "/embed/gradio_api/upload",
    }
    assert expected <= paths, expected - paths
    assert len(paths) > 100, "Gradio's own routes are listed too"


def test_with_auth_on_every_route_but_healthz_refuses_a_request_without_credentials(
    protected: tuple[Any, str, dict[str, str]],
) -> None:
    app, url, _ = protected
    routes = sorted(set(app_routes(app)))
    unprotected = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for method, path in routes:
            if path in OPEN_PATHS or method == "WEBSOCKET":
                continue
            status, body = status_of(client, method, path, {})
            if status not in (401, 403) or (method != "HEAD" and b'"error"' not in body):
                unprotected.append((method, path, status))
        assert client.get("/healthz").status_code == 200
    assert not unprotected, unprotected
    assert not [r for r in routes if r[0] == "WEBSOCKET"], "a websocket route would need a test of its own"


def test_with_auth_on_every_route_lets_a_request_with_credentials_through(
    protected: tuple[Any, str, dict[str, str]],
) -> None:
    app, url, credentials = protected
    refused = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for method, path in sorted(set(app_routes(app))):
            if method == "WEBSOCKET":
                continue
            status, _ = status_of(client, method, path, credentials)
            if status == 401:
                refused.append((method, path))
    assert not refused, refused


def raw_request(url: str, target: str, headers: str = "") -> int:
    """Send a request line exactly as written (no client normalises it) and return the status."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n".encode())
        reply = sock.recv(64)
    return int(reply.split()[1])


@pytest.mark.parametrize(
    ("target", "headers"),
    [
        pytest.param("/healthz/../api/documents", "", id="dot-segments-after-the-open-path"),
        pytest.param("/healthz%2F..%2Fapi%2Fdocuments", "", id="encoded-slashes"),
        pytest.param("//api/documents", "", id="double-slash"),
        pytest.param("/HEALTHZ", "", id="upper-case-open-path"),
        pytest.param("/api/documents?token=", "", id="empty-token-query"),
        pytest.param("/api/documents", "Authorization: Bearer \r\n", id="empty-bearer"),
        pytest.param("/api/documents", f"Authorization: Basic {TOKEN}\r\n", id="basic-scheme"),
        pytest.param("/api/documents", f"Cookie: report_assistant_session={TOKEN}\r\n", id="token-as-cookie"),
        pytest.param("/api/documents", "Cookie: report_assistant_session=\r\n", id="empty-cookie"),
        pytest.param("/api/documents", 'Cookie: a="\\\r\n', id="malformed-cookie"),
        pytest.param("/api/documents", f"{USER_HEADER}: \r\n", id="blank-user-header"),
        pytest.param("/nonexistent", "", id="unknown-path"),
        pytest.param("/embed/../api/documents", "", id="dot-segments-from-the-embed-view"),
    ],
)
def test_a_request_crafted_to_slip_past_auth_is_refused(
    protected: tuple[Any, str, dict[str, str]], target: str, headers: str
) -> None:
    _, url, _ = protected
    assert raw_request(url, target, headers) == 401


# -- uploads choose no path ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(assistant: Assistant) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    with TestClient(create(assistant), raise_server_exceptions=False) as client:
        yield client


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _multipart(filename: bytes, content: bytes) -> bytes:
    """A multipart body whose filename is sent byte for byte (NUL, backslashes, no client escaping)."""
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
    return head + b"Content-Type: text/plain\r\n\r\n" + content + b"\r\n--b--\r\n"


REPORT = "一、基本情况\n2023年，示范中心项目预算120.50万元，支出100.25万元。\n".encode()
MARK = "escape" + uuid.uuid4().hex[:8]


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        pytest.param(f"../../{MARK}.txt", f"{MARK}.txt", id="dot-dot-slash"),
        pytest.param(f"..\\..\\{MARK}.md", f"{MARK}.md", id="dot-dot-backslash"),
        pytest.param(f"{{root}}/outside/{MARK}.txt", f"{MARK}.txt", id="absolute-path"),
        pytest.param(f"C:\\Windows\\System32\\{MARK}.txt", f"{MARK}.txt", id="windows-absolute-path"),
        pytest.param(f"{MARK}\x00.txt", f"{MARK}_.txt", id="nul-in-the-name"),
        pytest.param(f"{MARK}\x1b[31m.txt", f"{MARK}_[31m.txt", id="escape-sequence-in-the-name"),
        pytest.param(f"{MARK}" + "报" * 400 + ".txt", f"{MARK}" + "报" * 186, id="very-long-name"),
        pytest.param(f"....{MARK}.txt", f"{MARK}.txt", id="leading-dots"),
    ],
)
def test_an_upload_is_stored_under_a_generated_name_inside_the_data_dir_whatever_name_it_is_sent_with(
    client: TestClient, assistant: Assistant, filename: str, shown: str
) -> None:
    data_dir = assistant.settings.data_dir
    root = data_dir.parent
    filename = filename.replace("{root}", str(root))
    catalog = (assistant.settings.index_dir / CATALOG_FILE).read_bytes()
    vectors = assistant.corpus.store.count()
    before = files_under(root)

    response = client.post(
        "/api/documents",
        content=_multipart(filename.encode("utf-8"), REPORT),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 200, response.text[:300]
    (name,) = response.json()["added"]
    assert name == shown and not re.search(r"[/\\\x00-\x1f]|^\.", name) and len(name) <= 200

    created = files_under(root) - before
    allowed = [data_dir / "uploads", data_dir / "index", data_dir / "chroma"]  # the upload, and its indexing
    assert all(any(a in p.parents for a in allowed) for p in created), created
    (stored,) = [p for p in created if p.parent == data_dir / "uploads"]
    assert STORED_NAME.match(stored.name) and stored.read_bytes() == REPORT
    assert not [p for p in files_under(root) if MARK in p.name], "the client's name is never a file name"

    document_id = next(d.id for d in assistant.corpus.documents() if d.name == name)
    assert client.delete(f"/api/documents/{document_id}").status_code == 200
    assert (assistant.settings.index_dir / CATALOG_FILE).read_bytes() == catalog, "the index is as it was"
    assert assistant.corpus.store.count() == vectors


def test_a_web_chat_upload_is_copied_under_a_generated_name_and_shown_under_its_own(
    assistant: Assistant, tmp_path: Path
) -> None:
    from ui.chat import ChatHandlers
    from ui.feedback import FeedbackStore

    source = tmp_path / "gradio-cache" / "..示范中心报告.txt"
    source.parent.mkdir()
    source.write_bytes(REPORT)
    handlers = ChatHandlers(
        assistant, FeedbackStore(assistant.settings.data_dir / "feedback.sqlite3"), assistant.settings
    )
    before = files_under(assistant.settings.data_dir / "uploads")
    status, *_ = handlers.upload(str(source), None, progress=lambda *args, **kwargs: None)
    assert "已索引《示范中心报告.txt》" in status
    (stored,) = files_under(assistant.settings.data_dir / "uploads") - before
    assert STORED_NAME.match(stored.name) and source.read_bytes() == REPORT
    document_id = next(d.id for d in assistant.corpus.documents() if d.name == "示范中心报告.txt")
    assert assistant.corpus.remove(document_id)


# -- no secret in logs, pages or files -----------------------------------------------------------------------------
def secret_settings(data_dir: Path, monkeypatch: pytest.MonkeyPatch, llm_url: str) -> Settings:
    """Settings whose API key and access token come from the environment, as markers easy to search for."""
    monkeypatch.setenv("REPORT_ASSISTANT_LLM__API_KEY", API_KEY_MARKER)
    monkeypatch.setenv("REPORT_ASSISTANT_SERVER__AUTH_TOKEN", TOKEN_MARKER)
    settings = make_settings(data_dir, llm={"base_url": llm_url, "timeout_s": 1.0})
    assert settings.llm.api_key.get_secret_value() == API_KEY_MARKER
    assert settings.server.auth_token is not None and settings.server.auth_token.get_secret_value() == TOKEN_MARKER
    return settings


def assert_no_secret(text: str | bytes, where: str) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for marker in (API_KEY_MARKER, TOKEN_MARKER):
        assert marker not in text, f"{marker[:20]}… leaked into {where}"


def test_no_secret_reaches_a_log_a_page_a_header_or_the_data_dir(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    fake_llm: FakeLLMServer,
) -> None:
    from fastapi.testclient import TestClient

    from ui.app import create_app

    caplog.set_level("DEBUG")
    settings = secret_settings(tmp_path / "data", monkeypatch, fake_llm.base_url)
    assistant = build_assistant(settings)
    assistant.ensure_indexed()
    auth = {"Authorization": f"Bearer {TOKEN_MARKER}"}
    responses: list[httpx.Response] = []
    with TestClient(create_app(settings, assistant), raise_server_exceptions=False) as client:
        fake_llm.script(Reply.http_error(500), Reply.not_json(), f"预算完成率{RATE}[1]。")
        for mode in ("llm", "llm", "llm"):  # a fallback, garbage (a fallback), then a good reply
            responses.append(client.post("/api/ask", json={"question": QUESTION, "mode": mode}, headers=auth))
        assert [r.json()["mode"] for r in responses] == ["extractive", "extractive", "llm"]
        assert fake_llm.completions[0].headers["authorization"] == f"Bearer {API_KEY_MARKER}", "the key is in use"
        responses.append(client.post("/api/ask", json={"question": " "}, headers=auth))  # a question error
        monkeypatch.setattr(assistant.corpus.store, "query", _store_down)
        responses.append(client.post("/api/ask", json={"question": QUESTION}, headers=auth))  # a store error
        assert responses[-1].status_code == 503
        monkeypatch.undo()  # the store is back (the environment too: nothing below reads it)
        responses.append(client.post("/api/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer x"}))
        responses.append(client.get(f"/embed/?token={TOKEN_MARKER}", follow_redirects=False))
        assert responses[-1].status_code == 303
        for path in ("/", "/config", "/embed/", "/embed/config", "/openapi.json", "/docs", "/healthz"):
            responses.append(client.get(path, headers=auth))
        responses.append(client.get("/api/documents", headers=auth))
        responses.append(client.get("/gradio_api/info", headers=auth))
        assert all(r.status_code < 500 or r.status_code == 503 for r in responses)
    for response in responses:
        assert_no_secret(response.content, f"the body of {response.request.url.path}")
        assert_no_secret(str(response.headers), f"the headers of {response.request.url.path}")
    own = [r for r in caplog.records if not (r.name.startswith("httpx") and "http://testserver" in r.getMessage())]
    assert own, "the app's and its libraries' logs were captured"  # the test client's request lines are its own
    assert_no_secret("\n".join(f"{r.name} {r.getMessage()}" for r in own), "the logs")
    captured = capsys.readouterr()
    assert_no_secret(captured.out + captured.err, "stdout/stderr")
    for path in files_under(settings.data_dir):
        assert_no_secret(path.read_bytes(), str(path.relative_to(settings.data_dir)))


def test_building_and_using_the_app_looks_up_no_host_outside_the_machine(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    looked_up: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host) not in ("127.0.0.1", "localhost", "::1", "testserver"):
            looked_up.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    threads = set(threading.enumerate())
    with TestClient(create(assistant)) as client:
        for path in ("/", "/config", "/embed/", "/gradio_api/info", "/docs", "/api/documents"):
            assert client.get(path).status_code == 200
    for thread in set(threading.enumerate()) - threads:  # e.g. a library's version check started on the side
        thread.join(timeout=5)
    assert not looked_up, f"the app tried to reach {sorted(set(looked_up))} (analytics or a version check?)"


def _store_down(*args: Any, **kwargs: Any) -> Any:
    raise StoreError("向量库操作失败（query）：[Errno 111] Connection refused")


@pytest.mark.timeout(120)
def test_the_served_app_keeps_secrets_out_of_its_console_and_access_log(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REPORT_ASSISTANT_")},
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "REPORT_ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "REPORT_ASSISTANT_SEEDS_DIR": str(SEEDS_DIR),
        "REPORT_ASSISTANT_EMBEDDING__BACKEND": "fake",
        "REPORT_ASSISTANT_LLM__BASE_URL": f"http://127.0.0.1:{free_port()}/v1",  # down: every llm answer falls back
        "REPORT_ASSISTANT_LLM__TIMEOUT_S": "1",
        "REPORT_ASSISTANT_LLM__API_KEY": API_KEY_MARKER,
        "REPORT_ASSISTANT_SERVER__AUTH_TOKEN": TOKEN_MARKER,
    }
    serve = [str(Path(sys.executable).parent / "report-assistant"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(serve, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        with httpx.Client(base_url=url, timeout=30) as client:
            auth = {"Authorization": f"Bearer {TOKEN_MARKER}"}
            assert (
                client.get(f"/embed/?token={TOKEN_MARKER}&lang=zh", follow_redirects=True).status_code == 200
            )  # cookie, redirect
            record = client.post("/api/ask", json={"question": QUESTION, "mode": "llm"}, headers=auth).json()
            assert record["warnings"][0].startswith("无法连接大模型服务")
            assert client.post("/api/ask", json={"question": ""}, headers=auth).status_code == 400
            assert client.get(f"/?token={TOKEN_MARKER}x", follow_redirects=False).status_code == 401
            for path in ("/config", "/openapi.json", "/api/documents"):
                assert_no_secret(client.get(path, headers=auth).content, path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output_text = log.read_text(encoding="utf-8", errors="replace")
    assert '"GET /embed/?token=***&lang=zh HTTP/1.1" 303' in output_text, output_text[-2000:]
    assert "POST /api/ask HTTP/1.1" in output_text
    assert_no_secret(output_text, "the server's console and access log")


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"serve did not start: {log.read_text(errors='replace')[-2000:]}")
