"""Word segmentation (jieba, offline) with the vocabulary of the indexed reports added, and cue matching on it."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

_LOCK = threading.Lock()
_ADDED: set[str] = set()
_TAUGHT: frozenset[str] | None = None  # the vocabulary taught last, when it was handed over as one frozen set


@dataclass(frozen=True)
class Token:
    """A word of a segmented text, with its part of speech and character span."""

    word: str
    flag: str
    start: int
    end: int


@cache
def _tokenizer() -> Any:
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    known = jieba.dt.FREQ
    for word in _lexicon_words():
        if not known.get(word):  # a word of the dictionary keeps its own frequency and part of speech
            jieba.add_word(word, freq=None, tag="l")
    return jieba.posseg


def _lexicon_words() -> list[str]:
    """The cue and role words of the lexicons: the segmenter keeps each of them one word, so that a cue is
    found at word boundaries ("自评打了多少分" is not cut as 自 | 评打)."""
    from index.lexicon import load

    found: set[str] = set()
    question = load("question")
    for table in ("answer_types", "operations"):
        for cues in question[table].values():
            found.update(cues)
    for items in load("roles")["roles"].values():
        found.update(items)
    return sorted(w for w in found if 2 <= len(w) <= 6 and all("\u4e00" <= ch <= "\u9fff" for ch in w))


def add_vocabulary(words: Iterable[str]) -> None:
    """Teach the segmenter the words of the reports now indexed (table row labels, headings, fact subjects); the
    words it was taught for reports no longer indexed are taken back, so that how a question is read depends
    on the reports asked about, never on which reports a process happened to read before."""
    import jieba

    _tokenizer()
    known = jieba.dt.FREQ
    global _TAUGHT
    if isinstance(words, frozenset) and words is _TAUGHT:
        return  # the same reports as the question before: nothing to teach
    wanted = {w.strip() for w in words}
    wanted = {w for w in wanted if 2 <= len(w) <= 16 and not any(ch.isspace() for ch in w)}
    with _LOCK:
        _TAUGHT = words if isinstance(words, frozenset) else None
        for word in _ADDED - wanted:
            jieba.del_word(word)
        _ADDED.intersection_update(wanted)
        for word in wanted - _ADDED:
            # A word of the dictionary keeps its part of speech (涉及 stays a verb); one added once is known after.
            if not known.get(word):
                jieba.add_word(word, freq=None, tag="nz")
                _ADDED.add(word)  # only the words added: `_base_words` reads a phrase without them
        _segment.cache_clear()


def segment(text: str) -> tuple[Token, ...]:
    """Return the words of a text with their spans.

    >>> [t.word for t in segment("公务用车运行维护费是多少")][-2:]
    ['是', '多少']
    """
    return _segment(text)


@cache
def _segment(text: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    offset = 0
    with _LOCK:
        pairs = [(p.word, p.flag) for p in _tokenizer().cut(text)]
    pairs = [piece for pair in pairs for piece in _split_interrogative(*pair)]
    for word, flag in pairs:
        start = text.find(word, offset)
        if start < 0:
            start = offset
        tokens.append(Token(word, flag, start, start + len(word)))
        offset = start + len(word)
    return tuple(tokens)


def names_something(text: str) -> bool:
    """Tell whether a phrase holds a noun by the dictionary's own words, the reports' added vocabulary aside
    (every fact subject is added as a noun: "按期完成" must still read as 按期 + 完成).

    >>> names_something("按期完成"), names_something("涉及"), names_something("供水管网")
    (False, False, True)
    """
    return any(flag.startswith(("n", "l", "j", "eng")) for _, flag in _base_words(text))


def last_word(text: str) -> str:
    """Return the last word of a phrase as the dictionary alone segments it (the reports' vocabulary aside).

    >>> last_word("家庭医生签约"), last_word("培训费约"), last_word("共约")
    ('签约', '约', '约')
    """
    words = _base_words(text)
    return words[-1][0] if words else ""


@cache
def _base_words(text: str) -> tuple[tuple[str, str], ...]:
    """Segment a phrase by the dictionary alone, most probable route (jieba's own model), with parts of speech."""
    import math

    tokenizer = _tokenizer()
    dt = tokenizer.dt
    freq, tags = dt.tokenizer.FREQ, dt.word_tag_tab
    log_total = math.log(dt.tokenizer.total)
    n = len(text)
    route: list[tuple[float, int]] = [(0.0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        best = (-math.inf, i + 1)
        for j in range(i + 1, min(n, i + 8) + 1):
            piece = text[i:j]
            count = freq.get(piece) if piece not in _ADDED else None
            if j > i + 1 and not count:
                continue
            score = math.log(count or 1) - log_total + route[j][0]
            if score > best[0]:
                best = (score, j)
        route[i] = best
    words: list[tuple[str, str]] = []
    i = 0
    while i < n:
        j = route[i][1]
        words.append((text[i:j], tags.get(text[i:j], "x")))
        i = j
    return tuple(words)


# Question words the dictionary sometimes glues to the noun they ask about ("哪些项目" as one word).
_INTERROGATIVES = ("哪几个", "哪一个", "哪些", "哪个", "哪几", "哪项", "什么", "多少")


def _split_interrogative(word: str, flag: str) -> list[tuple[str, str]]:
    """Split a question word off the noun it was glued to, so that both are words ("哪些" + "项目").

    >>> _split_interrogative("哪些项目", "nz")
    [('哪些', 'r'), ('项目', 'nz')]
    """
    for lead in _INTERROGATIVES:
        if word.startswith(lead) and len(word) - len(lead) >= 2:
            return [(lead, "r"), (word[len(lead) :], flag)]
    return [(word, flag)]


def boundaries(tokens: Sequence[Token]) -> frozenset[int]:
    """Return the offsets where a word starts or ends."""
    return frozenset(x for t in tokens for x in (t.start, t.end))


def find_cue(text: str, tokens: Sequence[Token], cue: str) -> int:
    """Return where a cue occurs aligned with word boundaries (-1 if nowhere).

    A cue matches only where it starts and ends at word boundaries of the segmented text, so "员工" does not
    fire inside "人员工资".
    """
    edges = boundaries(tokens)
    at = text.find(cue)
    while at >= 0:
        if at in edges and at + len(cue) in edges:
            return at
        at = text.find(cue, at + 1)
    return -1


def has_cue(text: str, tokens: Sequence[Token], cues: Iterable[str]) -> bool:
    """Tell whether any cue occurs at word boundaries."""
    return any(find_cue(text, tokens, cue) >= 0 for cue in cues)
