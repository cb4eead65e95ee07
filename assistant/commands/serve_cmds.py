"""CLI command `serve`: the web chat and the HTTP API in one uvicorn server."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the app."""

    @app.command("serve")
    def serve(
        host: Annotated[str | None, typer.Option("--host", help="监听地址（默认取配置，127.0.0.1）。")] = None,
        port: Annotated[int | None, typer.Option("--port", help="端口（默认取配置，7860）。")] = None,
    ) -> None:
        """启动网页问答和 HTTP API（首次启动时索引 seeds/ 中的报告）。"""
        import os

        from assistant.commands.common import console, friendly_errors, load_settings
        from assistant.service import build_assistant

        settings = load_settings()
        # Before Gradio is imported: its temp files (chat uploads) stay inside the data dir.
        os.environ.setdefault("GRADIO_TEMP_DIR", str((settings.data_dir / "tmp" / "gradio").resolve()))
        from ui.app import run

        with friendly_errors():
            assistant = build_assistant(settings)
            with console.status("正在检查索引…"):
                assistant.ensure_indexed()
        server = settings.server
        host = host or server.host
        port = port or server.port
        prefix = server.root_path.rstrip("/")
        console.print(
            f"报告问答助手：http://{host}:{port}{prefix}/  （嵌入视图 {prefix}/embed/，API 文档 {prefix}/docs）"
        )
        run(settings, assistant, host, port)
