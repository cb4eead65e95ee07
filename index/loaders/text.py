"""Read .txt and .md reports: decode, re-join hard-wrapped lines, and take runs of `a | b | c` lines as tables."""

from __future__ import annotations

import re
from pathlib import Path

from index.loaders.base import Block, Grid, LoaderError, Para, ProgressFn
from index.loaders.grid import cell_text, is_unit_line, looks_like_caption
from index.normalize import clean_inline, is_page_number, normalise_lines

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FIELDS = re.compile(r"\S+")
_SPACED = "\u2063"  # tags a row of a space-separated table until its Grid is built (never left in the text)
_MIN_RUN = 3  # lines: fewer aligned lines are not taken for a table


def decode(path: Path, data: bytes) -> str:
    """Return the text of a file in UTF-8 or GB18030; refuse binary content."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise LoaderError(path, "不是可识别的文本文件（编码无法识别或含二进制内容）")


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:20000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control > max(5, len(sample) // 200)


def load(path: Path, data: bytes, progress: ProgressFn | None = None) -> list[Block]:
    """Return the paragraphs and tables of a plain-text or Markdown report."""
    markdown = path.suffix.lower() in (".md", ".markdown")
    lines = decode(path, data).replace("\f", "\n").splitlines()
    levels: dict[str, int] = {}
    if markdown:
        lines = _markdown_lines(lines, levels)
    lines = space_tables(lines)
    paragraphs = normalise_lines(lines)
    return blocks_from_paragraphs([(text, page) for text, page in paragraphs], levels)


def _markdown_lines(lines: list[str], levels: dict[str, int]) -> list[str]:
    """Drop Markdown syntax and remember the level of each `#` heading."""
    out: list[str] = []
    for line in lines:
        if _MD_TABLE_RULE.match(line):
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            line = line[heading.end() :]
            levels[clean_inline(line)] = len(heading.group(1))
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            line = " | ".join(cell.strip() for cell in stripped.strip("|").split("|"))
        else:
            line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
        out.append(line)
    return out


def is_row(text: str) -> bool:
    """Tell whether a paragraph is a table row written as `cell | cell | …`."""
    text = text.removeprefix(_SPACED)
    return text.count(" | ") >= 1 or (text.startswith("|") and text.endswith("|") and text.count("|") >= 3)


def split_row(text: str) -> list[str]:
    """Return the cells of a `cell | cell | …` line (outer pipes of a Markdown row dropped).

    >>> split_row("合计 |  | 15,300.00")
    ['合计', '', '15,300.00']
    """
    text = text.strip()
    if text.startswith("|") and text.endswith("|") and len(text) > 1:
        text = text[1:-1]
    return [cell_text(cell) for cell in text.split("|")]


def blocks_from_paragraphs(
    paragraphs: list[tuple[str, int | None]], levels: dict[str, int] | None = None
) -> list[Block]:
    """Turn clean paragraphs into blocks: each run of row lines a table, with the caption right above it."""
    levels = levels or {}
    blocks: list[Block] = []
    i = 0
    while i < len(paragraphs):
        text, page = paragraphs[i]
        if not is_row(text):
            blocks.append(Para(text, page, levels.get(text)))
            i += 1
            continue
        run: list[str] = []
        while i < len(paragraphs) and is_row(paragraphs[i][0]):
            run.append(paragraphs[i][0])
            i += 1
        blocks.extend(_table(run, blocks, page))
    return blocks


def _table(run: list[str], blocks: list[Block], page: int | None) -> list[Block]:
    """Return the table a run of row lines makes (its first row the header), taking its caption and unit line
    off the blocks before it."""
    spaced = all(line.startswith(_SPACED) for line in run)
    rows = [split_row(line.removeprefix(_SPACED)) for line in run]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    if len(rows) < 2 and width < 2:
        return [Para(run[0].removeprefix(_SPACED), page)]
    preamble: list[str] = []
    if blocks and isinstance(blocks[-1], Para) and is_unit_line(blocks[-1].text):
        preamble.append(blocks.pop().text)  # type: ignore[union-attr]
    caption = ""
    if blocks and isinstance(blocks[-1], Para) and blocks[-1].level is None and looks_like_caption(blocks[-1].text):
        caption = blocks.pop().text  # type: ignore[union-attr]
    header, body = ([rows[0]], rows[1:]) if len(rows) > 1 else ([], rows)
    separator = " " if spaced else " | "
    return [Grid(header=header, rows=body, caption=caption, preamble=preamble, page=page, separator=separator)]


def _fields(line: str) -> list[str] | None:
    """Return the whitespace-separated fields of a line that can be a row of a plain-text table."""
    fields = _FIELDS.findall(line)
    if len(fields) < 3 or "。" in line or line.count("，") > 1 or " | " in line:
        return None
    if max(len(f) for f in fields) > 24:
        return None
    return fields


def _names_total(cell: str) -> bool:
    """Tell whether a row's first cell names a total of the rows above (合计, 小计, 总分)."""
    from index.lexicon import load

    return any(word in cell for word in load("audit")["totals"]["total"])


def space_tables(lines: list[str]) -> list[str]:
    """Rewrite runs of lines whose cells are separated by spaces (a table in a text extract) as `a | b` rows.

    A run is three or more lines (blank lines between them allowed) whose first line (a header) has the most
    fields, or most of which have the same number of fields. A shorter row under merged cells takes the first
    cells of the row above; a shorter total row ("总分 100 94.97") keeps its label first and its values in the
    last columns.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        run: list[tuple[int, list[str]]] = []
        j = i
        while j < len(lines):
            if not lines[j].strip() or is_page_number(lines[j]):
                j += 1
                continue
            fields = _fields(lines[j])
            if fields is None:
                break
            run.append((j, fields))
            j += 1
        counts = [len(f) for _, f in run]
        width = max(set(counts), key=counts.count) if counts else 0
        if counts and counts[0] == max(counts):
            width = counts[0]  # a header names every column; rows under merged cells leave the first ones out
        elif counts.count(width) * 5 < len(run) * 3:
            width = 0
        if len(run) < _MIN_RUN or not width or any(c > width for c in counts):
            out.append(lines[i])
            i += 1
            continue
        above: list[str] = []
        for n, (_, fields) in enumerate(run):  # blank lines and page numbers inside the run are dropped
            if len(fields) == width:
                cells = fields
            elif n and above and not _names_total(fields[0]):
                cells = [*above[: width - len(fields)], *fields]  # under merged cells: theirs repeated
            else:
                cells = [fields[0], *[""] * (width - len(fields)), *fields[1:]]
            if n:
                above = cells
            out.append(_SPACED + " | ".join(cells))
        i = j
    return out
