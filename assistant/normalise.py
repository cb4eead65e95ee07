"""The one text normalisation: how answers, evidence and report terms are compared."""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# A comma between a digit and a group of exactly three digits is a thousands separator.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def normalise(text: str) -> str:
    """Apply NFKC, drop all whitespace and drop thousands separators inside numbers.

    >>> normalise("支出 18,977.96 万元")
    '支出18977.96万元'
    >>> normalise("ＡＢＣ　１２３")
    'ABC123'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _WHITESPACE.sub("", text)
    return _THOUSANDS.sub("", text)
