"""CLI command groups. Each module exposes `register(app)`; imports inside commands stay lazy."""

from __future__ import annotations

import importlib

import typer

_MODULES = ("index_cmds", "answer_cmds", "figures_cmds", "serve_cmds", "doctor_cmds")


def register_all(app: typer.Typer) -> None:
    """Register the commands of every module that exists."""
    for name in _MODULES:
        try:
            module = importlib.import_module(f"assistant.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"assistant.commands.{name}":
                continue
            raise
        module.register(app)
