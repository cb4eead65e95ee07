"""The audit rules, one module per family of relations, each registered once under its name.

A rule reads a `ReportView` (one report's facts with where they stand) and records what it finds there. To add
a rule, write a module in this package with one function decorated `@register("name")`; `registered()` finds
it. The order of registration is the order of running (a rule may read what an earlier one noted, such as the
unit slips the arithmetic rules reveal).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache

from assistant.figures.report_view import ReportView

Rule = Callable[[ReportView], None]

_RULES: dict[str, tuple[int, Rule]] = {}


def register(name: str, order: int = 50) -> Callable[[Rule], Rule]:
    """Register an audit rule under a name; rules run by `order`, then by name."""

    def decorate(rule: Rule) -> Rule:
        if name in _RULES and _RULES[name][1] is not rule:
            raise ValueError(f"audit rule {name!r} is registered twice")
        _RULES[name] = (order, rule)
        return rule

    return decorate


@cache
def _load() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):  # helpers shared by rules, not rules
            importlib.import_module(f"{__name__}.{module.name}")


def registered() -> dict[str, Rule]:
    """Return the registered rules by name, in the order they run."""
    _load()
    ordered = sorted(_RULES.items(), key=lambda item: (item[1][0], item[0]))
    return {name: rule for name, (_, rule) in ordered}


__all__ = ["Rule", "register", "registered"]
