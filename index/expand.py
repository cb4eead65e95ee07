"""Expand a question with the report register of its everyday words (the genre lexicon), on segmented words.

Officials ask in everyday words (公车, 花了多少, 老百姓); reports speak the official register (公务用车, 支出,
群众). The lexical side of retrieval only matches words that occur, so a question is expanded with the register
terms of the everyday words it uses — matched at word boundaries, never as raw substrings ("员工" does not fire
inside 人员工资). English questions get the genre's English terms; the dense side carries them first.
"""

from __future__ import annotations

import re
from functools import cache

from index.lexicon import words
from index.segment import find_cue, segment
from index.text import is_mostly_chinese


@cache
def _colloquial() -> dict[str, tuple[str, ...]]:
    return words("genre", "colloquial")


@cache
def _english() -> dict[str, tuple[str, ...]]:
    return words("genre", "english")


def expand_chinese(question: str) -> list[str]:
    """Return register terms for the everyday words a Chinese question uses (terms it already has left out).

    >>> "公务用车" in expand_chinese("单位的公车一年下来花了多少钱？")
    True
    >>> "在职人员" in expand_chinese("人员工资福利支出是多少？")  # 员工 inside 人员工资 is no word of the question
    False
    """
    tokens = segment(question)
    found: list[str] = []
    for word, targets in _colloquial().items():
        if find_cue(question, tokens, word) >= 0:
            found.extend(t for t in targets if t not in question and t not in found)
    return found


def register_names(entity: str) -> list[str]:
    """Return an entity as the report's register would name it: each everyday word in it replaced by its
    register terms, the rest kept ("监理费用" is 监理经费, never just 经费).

    >>> register_names("公车"), register_names("监理费用")[:2]
    (['公务用车'], ['监理经费', '监理支出'])
    """
    tokens = segment(entity)
    names: list[str] = []
    for word, targets in _colloquial().items():
        at = find_cue(entity, tokens, word)
        if at < 0:
            continue
        for target in targets:
            name = entity[:at] + target + entity[at + len(word) :]
            if name != entity and name not in names:
                names.append(name)
    return names


def translate_english(question: str) -> list[str]:
    """Return the Chinese genre terms of the English words a question uses.

    >>> translate_english("What was the budget execution rate?")
    ['执行率', '预算']
    """
    lowered = question.lower()
    found: list[str] = []
    for phrase, targets in _english().items():  # longest phrases first; a word inside one is taken with it
        pattern = re.compile(rf"\b{re.escape(phrase)}\b")
        if pattern.search(lowered):
            found.extend(t for t in targets if t not in found)
            lowered = pattern.sub(" ", lowered)
    return found


def expand(question: str) -> list[str]:
    """Return the expansion terms of a question in either language."""
    return expand_chinese(question) if is_mostly_chinese(question) else translate_english(question)
