"""The genre lexicons, read from the TOML data files beside this module (once per process)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed lexicon file `<name>.toml`."""
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def words(name: str, table: str) -> dict[str, tuple[str, ...]]:
    """Return one table of a lexicon as word -> words (or key -> words), longest keys first."""
    data: dict[str, list[str]] = load(name)[table]
    return {key: tuple(data[key]) for key in sorted(data, key=len, reverse=True)}
