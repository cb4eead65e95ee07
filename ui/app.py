"""Build the one FastAPI app: HTTP API, the Gradio chat (full and embed views), auth, CSP and CORS."""

from __future__ import annotations

import logging
import os
from typing import Any

import gradio as gr
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from ui.api import build_router, install_error_handlers
from ui.chat import TITLE, build_blocks, page_css
from ui.feedback import FeedbackStore
from ui.security import PathPrefixMiddleware, RedactTokenQuery, SecurityMiddleware

UI_PATH = "/"
EMBED_PATH = "/embed"


def _public_root(settings: Settings, mount_path: str) -> str | None:
    """Return the public path of a mounted UI behind a proxy prefix (None: let Gradio read it from the request)."""
    prefix = settings.server.root_path.rstrip("/")
    if not prefix:
        return None
    return prefix + (mount_path if mount_path != "/" else "")


def create_app(
    settings: Settings, assistant: Assistant | None = None, *, ui_path: str = UI_PATH, embed_path: str = EMBED_PATH
) -> FastAPI:
    """Return the app: API routes, the embed view at `embed_path` and the chat at `ui_path`."""
    # Gradio's own copies of uploaded files stay inside the data dir, not in the system temp dir.
    os.environ.setdefault("GRADIO_TEMP_DIR", str((settings.data_dir / "tmp" / "gradio").resolve()))
    assistant = assistant or build_assistant(settings)
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    server = settings.server
    app = FastAPI(
        title=f"{TITLE} API",
        description="对政府部门绩效自评报告提问：回答附引文，数字经代码核验。",
        version="0.1.0",
    )
    app.state.assistant = assistant
    app.state.feedback = store
    install_error_handlers(app)
    app.include_router(build_router(assistant, store, settings))

    token = server.auth_token.get_secret_value() if server.auth_token else None
    app.add_middleware(
        SecurityMiddleware,
        token=token,
        user_header=server.trusted_user_header,
        frame_ancestors=server.frame_ancestors,
        cookie_path=server.root_path.rstrip("/") or "/",
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=server.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            *([server.trusted_user_header] if server.trusted_user_header else []),
        ],
    )
    app.add_middleware(PathPrefixMiddleware, prefix=server.root_path)
    max_size = f"{int(server.max_upload_mb * 1024 * 1024)}b"
    mounts = sorted({(embed_path, True), (ui_path, False)}, key=lambda m: -len(m[0]))  # longest path first
    for path, embed in mounts:
        kwargs: dict[str, Any] = {"footer_links": [] if embed else ["api"]}
        gr.mount_gradio_app(
            app,
            build_blocks(assistant, store, settings, embed=embed),
            path=path,
            root_path=_public_root(settings, path),
            css=page_css(embed),
            max_file_size=max_size,
            ssr_mode=False,
            run_history=False,
            **kwargs,
        )
    return app


def run(settings: Settings, assistant: Assistant, host: str | None = None, port: int | None = None) -> None:
    """Serve the app with uvicorn (proxy headers trusted from FORWARDED_ALLOW_IPS, default 127.0.0.1)."""
    import uvicorn

    config = uvicorn.Config(
        create_app(settings, assistant),
        host=host or settings.server.host,
        port=port or settings.server.port,
        proxy_headers=True,
    )
    access_log = logging.getLogger("uvicorn.access")  # configured by now: keep ?token= out of it
    if not any(isinstance(f, RedactTokenQuery) for f in access_log.filters):
        access_log.addFilter(RedactTokenQuery())
    uvicorn.Server(config).run()


def main() -> None:
    """Index the seed if needed and serve (the same as `report-assistant serve`)."""
    import typer

    from assistant.commands.common import friendly_errors, load_settings

    settings = load_settings()
    try:
        with friendly_errors():  # a damaged index: one Chinese line naming the repair command, no traceback
            assistant = build_assistant(settings)
            assistant.ensure_indexed()
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    run(settings, assistant)


if __name__ == "__main__":
    main()
