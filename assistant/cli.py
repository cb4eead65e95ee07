"""The `report-assistant` command line: one Typer app; each command group registers itself."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="report-assistant",
    help="报告问答助手：对政府绩效自评报告提问，回答附引文，数字经代码核验。",
    no_args_is_help=True,
    add_completion=False,
)


def _register_commands() -> None:
    """Attach every command group to the app."""
    from assistant.commands import register_all

    register_all(app)


_register_commands()

if __name__ == "__main__":
    app()
