"""Fixtures of the browser tests: the app on a free port, a portal page on another, headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from assistant.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

# Never let Playwright fetch a browser of its own.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests cleanly where Chromium is not installed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """The app served by uvicorn in a thread."""

    url: str
    settings: Settings
    app: Any


@contextlib.contextmanager
def start_uvicorn(app: Any) -> Iterator[str]:
    """Run an ASGI app on a free 127.0.0.1 port in a thread; yield its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def serve_app() -> Callable[[Any], contextlib.AbstractContextManager[str]]:
    """Return `serve_app(app)`: a context manager serving another app on a free port, yielding its URL."""
    return start_uvicorn


@pytest.fixture(scope="session")
def portal_port() -> int:
    """Port of the stand-in portal page that embeds the chat."""
    return free_port()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, portal_port: int) -> Iterator[LiveServer]:
    """The app over the seed (fake embeddings), allowing the portal origin to frame it."""
    from assistant.service import build_assistant
    from assistant.settings import Settings
    from ui.app import create_app

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("e2e-data"),
        seeds_dir=SEEDS_DIR,
        embedding={"backend": "fake"},
        server={"frame_ancestors": ["'self'", f"http://127.0.0.1:{portal_port}"]},
    )
    assistant = build_assistant(settings)
    assistant.ensure_indexed()
    app = create_app(settings, assistant)
    with start_uvicorn(app) as url:
        yield LiveServer(url, settings, app)


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory, live_server: LiveServer, portal_port: int) -> Iterator[str]:
    """A tiny http.server on another port serving a page with the embed view in an iframe."""
    root = tmp_path_factory.mktemp("portal")
    (root / "index.html").write_text(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>门户</title></head>"
        "<body style='margin:0;font-family:sans-serif'><h1 style='font-size:18px;padding:8px'>内部门户（测试页）</h1>"
        f"<iframe id='assistant' src='{live_server.url}/embed/' title='报告问答助手' "
        "style='width:100%;height:820px;border:1px solid #ccc'></iframe></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", portal_port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{portal_port}/index.html"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (1280x900, Chinese locale)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def upload_docx(page: Page, url: str, path: Path, *paragraphs: str) -> None:
    """Write a DOCX of these paragraphs, upload it in the chat at `url` and wait until it is indexed."""
    from conftest import docx_bytes

    path.write_bytes(docx_bytes(*paragraphs))
    page.goto(url + "/")
    page.locator("#ra-upload input[type=file]").set_input_files(str(path))
    page.locator("#ra-upload-send").click()
    page.get_by_text(f"已索引《{path.name}》").wait_for(timeout=30_000)


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot of a page under test-artifacts/<name>.png."""
    return save_screenshot
