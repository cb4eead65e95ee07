"""ASGI middleware over the whole app (API and Gradio): bearer token or cookie, trusted SSO user header, CSP."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterable, Sequence
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "report_assistant_session"
TOKEN_QUERY = "token"
OPEN_PATHS = ("/healthz",)


def cookie_value(token: str) -> str:
    """Return the cookie that stands for a token (a digest, so the token itself never sits in the browser)."""
    return hashlib.sha256(f"report-assistant-session:{token}".encode()).hexdigest()


def frame_ancestors_policy(ancestors: Sequence[str]) -> str:
    """Return the CSP header value allowing the given embedders.

    >>> frame_ancestors_policy(["'self'", "https://portal.example.gov.cn"])
    "frame-ancestors 'self' https://portal.example.gov.cn"
    """
    return "frame-ancestors " + (" ".join(ancestors) if ancestors else "'none'")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _route_path(scope: Scope) -> str:
    path: str = scope.get("path", "/")
    root: str = scope.get("root_path", "") or ""
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    return path


class SecurityMiddleware:
    """Authenticate every request but the open paths, and allow framing only by the configured ancestors."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None = None,
        user_header: str | None = None,
        frame_ancestors: Sequence[str] = ("'self'",),
        cookie_path: str = "/",
        open_paths: Iterable[str] = OPEN_PATHS,
    ) -> None:
        self.app = app
        self.token = token or None
        self.user_header = user_header.lower() if user_header else None
        self.csp = frame_ancestors_policy(list(frame_ancestors)).encode()
        self.cookie_path = cookie_path
        self.open_paths = tuple(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if scope["type"] == "http" and self.token:
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            given = [v for k, v in query if k == TOKEN_QUERY]
            if given:
                await self._exchange_token(scope, send, given[0], [(k, v) for k, v in query if k != TOKEN_QUERY])
                return
        if _route_path(scope) not in self.open_paths:
            problem = self._problem(headers)
            if problem:
                await self._deny(scope, receive, send, problem)
                return
            if self.user_header:
                scope.setdefault("state", {})["user"] = headers.get(self.user_header)

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-frame-options"]
                kept = [(k, v) for k, v in kept if k.lower() != b"content-security-policy"]
                kept.append((b"content-security-policy", self.csp))
                message = {**message, "headers": kept}
            await send(message)

        await self.app(scope, receive, send_with_policy)

    def _problem(self, headers: dict[str, str]) -> str | None:
        """Return why a request is refused, or None when it may pass."""
        if self.user_header and not headers.get(self.user_header, "").strip():
            return "未通过统一身份认证，请从门户登录后访问。"
        if self.token:
            auth = headers.get("authorization", "")
            if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip(), self.token):
                return None
            cookie = SimpleCookie()
            try:
                cookie.load(headers.get("cookie", ""))
            except Exception:  # a malformed cookie header is just no cookie
                return "需要访问令牌。"
            morsel = cookie.get(COOKIE_NAME)
            if morsel is not None and hmac.compare_digest(morsel.value, cookie_value(self.token)):
                return None
            return "需要有效的访问令牌（Authorization: Bearer <令牌>）。"
        return None

    async def _exchange_token(self, scope: Scope, send: Send, given: str, rest: list[tuple[str, str]]) -> None:
        """Trade a ?token= for an HttpOnly cookie and redirect to the same URL without the token."""
        if not hmac.compare_digest(given, self.token or ""):
            await _respond(send, 401, {"error": "访问令牌无效。"}, self.csp)
            return
        last = _route_path(scope).rsplit("/", 1)[-1]
        location = (last or "./") + (("?" + urlencode(rest)) if rest else "")
        headers = _headers(scope)
        secure = scope.get("scheme") == "https" or headers.get("x-forwarded-proto", "").startswith("https")
        same_site = "None; Secure" if secure else "Lax"
        cookie = (
            f"{COOKIE_NAME}={cookie_value(self.token or '')}; Path={self.cookie_path}; HttpOnly; SameSite={same_site}"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("utf-8")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    (b"cache-control", b"no-store"),
                    (b"content-security-policy", self.csp),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _deny(self, scope: Scope, receive: Receive, send: Send, problem: str) -> None:
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.close", "code": 4401})
            return
        await _respond(send, 401, {"error": problem}, self.csp, www_authenticate=bool(self.token))


async def _respond(send: Send, status: int, body: dict[str, str], csp: bytes, www_authenticate: bool = False) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(data)).encode()),
        (b"content-security-policy", csp),
    ]
    if www_authenticate:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class RedactTokenQuery(logging.Filter):
    """Hide the value of `?token=` in log records: uvicorn's access log prints each request line whole.

    >>> record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s "%s %s"', ("1.2.3.4", "GET", "/?token=s&a=1"), None)
    >>> RedactTokenQuery().filter(record) and record.getMessage()
    '1.2.3.4 "GET /?token=***&a=1"'
    """

    _VALUE = re.compile(rf"([?&]{TOKEN_QUERY}=)[^&\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._VALUE.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = self._VALUE.sub(r"\1***", record.msg)
        return True


class PathPrefixMiddleware:
    """Serve under a public path prefix whether or not the reverse proxy strips it.

    ASGI wants `path` to include `root_path`; a proxy that strips the prefix sends `/x`, one that keeps it
    sends `/prefix/x`. Both become path `/prefix/x` with root_path `/prefix`, so mounts and links agree.
    """

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.prefix and scope["type"] in ("http", "websocket"):
            path: str = scope.get("path", "/")
            if path != self.prefix and not path.startswith(self.prefix + "/"):
                path = self.prefix + path
            scope = {**scope, "path": path, "raw_path": path.encode("utf-8"), "root_path": self.prefix}
        await self.app(scope, receive, send)
