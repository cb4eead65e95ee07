"""Clean extracted report text: re-join hard-wrapped lines into paragraphs and drop extraction artefacts."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# CJK ideographs, CJK punctuation and full-width forms.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018-\u201d\u2026"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=[{_CJK}])")
_SPACE_BEFORE_CJK_AFTER_DIGIT = re.compile(rf"(?<=[0-9%])[ \t\u00a0]+(?=[{_CJK}])")
_SPACE_AFTER_CJK_BEFORE_DIGIT = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=[0-9])")
_MULTI_SPACE = re.compile(r"[ \t\u00a0]{2,}")
_CAPTION_LABEL = re.compile(r"^\s*((?:附表|续表|表|图)\s*\d+(?:[-－.．]\d+)*)[ \t\u00a0]+(?=\S)")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[/，,共]\s*\d{1,3}\s*页?)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_SENTENCE_END = tuple("。！？；：!?;:")
_SLACK = 7  # display columns a full line may fall short of the wrap width
_CLAUSE_PUNCT = "，。；,;"
_FIRST_WORD = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.,%％/\-]*")
_OUTLINE_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[)）]|[①-⑳]|第[一二三四五六七八九十百零\d]+[章节条])"
)


def clean_inline(text: str) -> str:
    """Remove the stray spaces extraction put between Chinese characters, keeping numbers intact.

    >>> clean_inline("数 据资源盘点，共 4,672.31 万元")
    '数据资源盘点，共4,672.31万元'
    >>> clean_inline("表2 农村公路 养护绩效")
    '表2 农村公路养护绩效'
    """
    text = text.replace("\u3000", " ").replace("\ufeff", "")
    label = _CAPTION_LABEL.match(text)
    if label:  # "表2 农村公路…": the space after a table's number belongs to its caption
        return label.group(1) + " " + clean_inline(text[label.end() :])
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_BEFORE_CJK_AFTER_DIGIT.sub("", text)
    text = _SPACE_AFTER_CJK_BEFORE_DIGIT.sub("", text)
    text = _MULTI_SPACE.sub(" ", text)
    return text.strip()


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)


def _typical_width(lines: list[str]) -> int:
    widths = [_display_width(line) for line in lines if line.strip()]
    if not widths:
        return 0
    # The most common widths of long lines tell the wrap width of a hard-wrapped extract.
    counts = Counter(w for w in widths if w >= 20)
    if not counts:
        return 0
    return counts.most_common(1)[0][0]


def _is_row(line: str) -> bool:
    """Tell whether a line is a table row written as `cell | cell | …` (kept whole, never joined)."""
    return " | " in line or (line.strip().startswith("|") and line.strip().endswith("|"))


def _typical_chars(lines: list[str]) -> int:
    """Return the character count most long lines share when an extract is wrapped by count, else 0."""
    counts = Counter(len(line) for line in lines if len(line) >= 15)
    if not counts:
        return 0
    chars, n = counts.most_common(1)[0]
    return chars if n * 3 >= len(lines) else 0


def is_hard_wrapped(lines: list[str]) -> bool:
    """Tell whether text looks like a PDF extract: most lines end near the same width, many of them mid-sentence."""
    content = [line.strip() for line in lines if line.strip() and not _is_row(line)]
    if len(content) < 8:
        return False
    width = _typical_width(content)
    if width < 30:
        return False
    full = [line for line in content if _display_width(line) >= width - _SLACK]
    cut = sum(1 for line in full if not line.endswith(_SENTENCE_END))
    # Lines of one sentence each can be of even width too; a wrapped extract breaks inside sentences.
    return len(full) / len(content) >= 0.4 and cut / len(full) >= 0.3


def _ends_paragraph(line: str, next_line: str | None, width: int, chars: int) -> bool:
    """Decide whether a wrapped line is the last line of its paragraph.

    A line is full when it reaches the wrap width, in display columns (a PDF wraps by physical width) or in
    characters (an extract wrapped by character count, where a line of digits is narrower).
    """
    stripped = line.rstrip()
    if next_line is None or _is_row(line) or _is_row(next_line):
        return True
    full = _display_width(stripped) >= width - _SLACK or (chars > 0 and len(stripped) >= chars - 1)
    next_is_outline = bool(_OUTLINE_START.match(next_line))
    if not full:
        # A short line ends its paragraph, unless the next line's first word (a number, a Latin word) did not
        # fit in the room left: then the line was wrapped before it, mid-clause.
        if stripped.endswith(_SENTENCE_END) or next_is_outline:
            return True
        body = _OUTLINE_START.sub("", stripped)
        if body and body[-1] not in _CLAUSE_PUNCT and any(ch in body for ch in _CLAUSE_PUNCT):
            return False  # prose (it has clauses) cut mid-clause: a title or heading has no commas
        first = _FIRST_WORD.match(next_line.strip())
        return first is None or _display_width(first.group(0)) <= width - _display_width(stripped)
    if _display_width(stripped) > width + _SLACK and stripped.endswith(_SENTENCE_END):
        return True  # a line longer than the wrap width was never wrapped: it is a paragraph of its own
    # A full-width line ends its paragraph only at a sentence end followed by a new outline item.
    return stripped.endswith(_SENTENCE_END) and next_is_outline


def join_wrapped(lines: list[str]) -> str:
    """Join wrapped lines: a space only between two Latin words, so 18,977 | .96 stays one number."""
    joined = lines[0] if lines else ""
    for line in lines[1:]:
        if (
            joined
            and line
            and joined[-1].isascii()
            and joined[-1].isalpha()
            and line[0].isascii()
            and line[0].isalpha()
        ):
            joined += " "
        joined += line
    return joined


def join_hard_wrapped(lines: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """Re-join the lines of a hard-wrapped extract into paragraphs; each keeps the page it starts on."""
    content = [(line.strip(), page) for line, page in lines if line.strip() and not _PAGE_NUMBER.match(line)]
    width = _typical_width([line for line, _ in content if not _is_row(line)])
    chars = _typical_chars([line for line, _ in content if not _is_row(line)])
    paragraphs: list[tuple[str, int | None]] = []
    current: list[str] = []
    start_page: int | None = None
    for i, (line, page) in enumerate(content):
        if not current:
            start_page = page
        current.append(line)
        next_line = content[i + 1][0] if i + 1 < len(content) else None
        if _ends_paragraph(line, next_line, width, chars):
            paragraphs.append((join_wrapped(current), start_page))
            current = []
    if current:
        paragraphs.append((join_wrapped(current), start_page))
    return paragraphs


def normalise_lines(lines: list[str] | list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """Turn raw text lines (optionally tagged with their page) into clean paragraphs with pages."""
    tagged: list[tuple[str, int | None]] = [(item, None) if isinstance(item, str) else item for item in lines]
    tagged = [(unicodedata.normalize("NFC", line.replace("\r", "")), page) for line, page in tagged]
    if is_hard_wrapped([line for line, _ in tagged]):
        raw = join_hard_wrapped(tagged)
    else:
        raw = [(line, page) for line, page in tagged if line.strip() and not _PAGE_NUMBER.match(line)]
    cleaned = [(clean_inline(text), page) for text, page in raw]
    return [(text, page) for text, page in cleaned if text]


def is_page_number(line: str) -> bool:
    """Tell whether a line is a page number ("- 3 -", "第3页", "3/14").

    >>> is_page_number("- 12 -"), is_page_number("12个项目")
    (True, False)
    """
    return bool(_PAGE_NUMBER.match(line))


def starts_outline(line: str) -> bool:
    """Tell whether a line opens with an outline marker (一、 （一） 1. （1） ① 第X章…).

    >>> starts_outline("（二）预算执行情况"), starts_outline("2023年，我部门")
    (True, False)
    """
    return bool(_OUTLINE_START.match(line.strip()))
