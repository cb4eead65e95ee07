"""Text normalisation for the evaluation: the project's one `normalise`, and containment built on it."""

from __future__ import annotations

from index.text import normalise

__all__ = ["contains", "normalise"]


def contains(haystack: str, needle: str) -> bool:
    """Tell whether `needle` occurs in `haystack` once both are normalised."""
    return normalise(needle) in normalise(haystack)
