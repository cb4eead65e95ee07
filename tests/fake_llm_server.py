"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for testing the LLM answerer end to end.

Each test queues the replies it wants (`server.script(...)`): plain text, garbage (HTTP 500, a body that is not
JSON, empty content) or a stall longer than the client's timeout. The server answers `POST /v1/chat/completions`
(JSON, or SSE chunks ending in `data: [DONE]` when the request says `stream: true`) and `GET /v1/models`, and
records every request it receives so tests can read the prompt that was sent.

>>> with FakeLLMServer() as server:
...     server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
True
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest

MODEL = "fake-qwen"
ReplyKind = Literal["text", "tool_call", "http_error", "not_json", "empty", "stall"]


@dataclass(frozen=True)
class Reply:
    """One scripted reply; build it with the class methods."""

    kind: ReplyKind
    text: str = ""
    status: int = 200
    delay_s: float = 0.0
    chunk_chars: int = 6
    stall_after_chunks: int = 0
    tool_name: str = ""

    @classmethod
    def text_reply(cls, text: str, chunk_chars: int = 6) -> Reply:
        """Answer with this text (streamed in pieces of `chunk_chars` characters)."""
        return cls("text", text, chunk_chars=chunk_chars)

    @classmethod
    def tool_call(cls, name: str, arguments: dict[str, Any]) -> Reply:
        """Ask the client to call a tool (non-streaming), as an agent's model would."""
        return cls("tool_call", json.dumps(arguments, ensure_ascii=False), tool_name=name)

    @classmethod
    def http_error(cls, status: int = 500, body: str = "Internal Server Error") -> Reply:
        """Fail with an HTTP error status."""
        return cls("http_error", body, status=status)

    @classmethod
    def not_json(cls, body: str = "<html><body>502 Bad Gateway (upstream model crashed)</body></html>") -> Reply:
        """Answer 200 with a body that is not JSON (not SSE either, when streaming)."""
        return cls("not_json", body)

    @classmethod
    def empty(cls) -> Reply:
        """Answer with a well-formed completion whose content is empty."""
        return cls("empty")

    @classmethod
    def stall(cls, delay_s: float, text: str = "迟到的回答[1]。", after_chunks: int = 0) -> Reply:
        """Stay silent for `delay_s` seconds (after `after_chunks` streamed pieces), then answer `text`."""
        return cls("stall", text, delay_s=delay_s, stall_after_chunks=after_chunks)


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def message(self, role: str) -> str:
        """Return the content of the first message with this role ('' if none)."""
        return next((str(m.get("content", "")) for m in self.messages if m.get("role") == role), "")

    @property
    def streaming(self) -> bool:
        return bool(self.body.get("stream"))


class FakeLLMServer:
    """A threaded HTTP server replying from a script; use it as a context manager (starts and stops it)."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[ReceivedRequest] = []
        self.unscripted = 0  # completions asked for with an empty script (answered with HTTP 500)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------------------
    def script(self, *replies: Reply | str) -> None:
        """Queue replies (a plain string is a text reply); each completion request takes the next one."""
        with self._lock:
            self.replies.extend(Reply.text_reply(r) if isinstance(r, str) else r for r in replies)

    def reset(self) -> None:
        """Forget the script and the recorded requests."""
        with self._lock:
            self.replies.clear()
            self.requests.clear()
            self.unscripted = 0

    @property
    def completions(self) -> list[ReceivedRequest]:
        """The chat-completion requests received so far."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeLLMServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._closing.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-llm-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes handlers that are stalling
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- used by the handler -----------------------------------------------------------------------
    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_reply(self) -> Reply | None:
        with self._lock:
            if self.replies:
                return self.replies.popleft()
            self.unscripted += 1
            return None

    def _sleep(self, seconds: float) -> None:
        self._closing.wait(seconds)


def _completion(text: str, tool_name: str = "") -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_name:
        function = {"name": tool_name, "arguments": text}
        call = {"id": f"call_{uuid.uuid4().hex[:8]}", "type": "function", "function": function}
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if tool_name else "stop", "logprobs": None}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": max(1, len(text)), "total_tokens": 1 + max(1, len(text))},
    }


def _chunk(completion_id: str, delta: dict[str, str], finish: str | None = None) -> bytes:
    payload = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    owner: FakeLLMServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

    def do_GET(self) -> None:
        self.owner._record(ReceivedRequest("GET", self.path, self._headers()))
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "tests"}]})
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        request = ReceivedRequest("POST", self.path, self._headers(), body)
        self.owner._record(request)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        reply = self.owner._next_reply()
        if reply is None:
            self._send_json(500, {"error": {"message": "the fake LLM server has no scripted reply left"}})
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self._answer(reply, request.streaming)

    def _answer(self, reply: Reply, streaming: bool) -> None:
        if reply.kind == "http_error":
            self._send(reply.status, reply.text.encode(), "text/plain; charset=utf-8")
            return
        if reply.kind == "not_json":
            content_type = "text/event-stream" if streaming else "application/json"
            self._send(200, reply.text.encode(), content_type)
            return
        text = "" if reply.kind == "empty" else reply.text
        if reply.kind == "stall" and not (streaming and reply.stall_after_chunks):
            self.owner._sleep(reply.delay_s)
        if streaming:
            self._stream(text, reply)
        else:
            self._send_json(200, _completion(text, reply.tool_name))

    def _stream(self, text: str, reply: Reply) -> None:
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(_chunk(completion_id, {"role": "assistant", "content": ""}))
        pieces = [text[i : i + reply.chunk_chars] for i in range(0, len(text), reply.chunk_chars)]
        for number, piece in enumerate(pieces):
            if reply.kind == "stall" and number == reply.stall_after_chunks:
                self.wfile.flush()
                self.owner._sleep(reply.delay_s)
            self.wfile.write(_chunk(completion_id, {"content": piece}))
            self.wfile.flush()
        self.wfile.write(_chunk(completion_id, {}, finish="stop"))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def iter_sse(body: str) -> Iterator[str]:
    """Yield the `data:` payloads of an SSE body.

    >>> list(iter_sse('data: {"a": 1}\\n\\ndata: [DONE]\\n\\n'))
    ['{"a": 1}', '[DONE]']
    """
    for line in body.splitlines():
        if line.startswith("data: "):
            yield line[len("data: ") :]


# A test module imports both fixture functions (and names them somewhere, so linters see them used);
# its tests then ask for `fake_llm` (or `fake_llm_server`) by name.
@pytest.fixture(scope="module", name="fake_llm_server")
def fake_llm_server_fixture() -> Iterator[FakeLLMServer]:
    """One fake OpenAI-compatible server per test module (started before, stopped after)."""
    with FakeLLMServer() as server:
        yield server


@pytest.fixture(name="fake_llm")
def fake_llm_fixture(fake_llm_server: FakeLLMServer) -> Iterator[FakeLLMServer]:
    """The module's fake server with an empty script and request log; fails the test if a reply was left unused."""
    fake_llm_server.reset()
    yield fake_llm_server
    left = list(fake_llm_server.replies)
    fake_llm_server.reset()
    assert not left, f"scripted replies never requested: {left}"
