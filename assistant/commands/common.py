"""Shared helpers for CLI commands: settings, console, clean error exits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from assistant.settings import Settings

console = Console()
err_console = Console(stderr=True)


def load_settings() -> Settings:
    """Read the settings once for a command (no network: Hugging Face hub offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    return Settings()


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn the project's known errors into a one-line Chinese message and exit code 1."""
    from index.catalog import CatalogError
    from index.embeddings import EmbeddingError
    from index.loaders import LoaderError
    from index.store import StoreError

    try:
        yield
    except (CatalogError, EmbeddingError, LoaderError, StoreError) as exc:
        err_console.print(f"[bold red]错误：[/]{exc}")
        raise typer.Exit(1) from exc
