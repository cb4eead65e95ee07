"""What every loader hands to assembly: paragraphs and tables in reading order, and the error it raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ProgressFn = Callable[[str, int, int], None]
"""Called as progress(message, done, total) while a long load (OCR) or an ingest runs."""


class LoaderError(Exception):
    """A file that cannot be read as a report; the message names the file and the reason (Chinese)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"无法读取文件 {Path(path).name}：{reason}")


@dataclass
class Para:
    """A paragraph as read: clean text, the page it starts on, and the heading level its source marks."""

    text: str
    page: int | None = None
    level: int | None = None  # a Word heading style or a heading font size; None when the source says nothing
    ocr: bool = False


@dataclass
class Grid:
    """A table as read: caption, header rows and body rows with merged cells already resolved.

    Every row has one string per column. `preamble` holds the lines between caption and table ("单位：万元").
    `separator` joins the cells of a row's text line: " | " for every table read from a grid; a plain-text
    table whose columns the source separates by spaces keeps its rows as written (" ", empty cells left out).
    """

    header: list[list[str]]
    rows: list[list[str]]
    caption: str = ""
    preamble: list[str] = field(default_factory=list)
    page: int | None = None
    ocr: bool = False
    separator: str = " | "

    @property
    def columns(self) -> int:
        return max((len(row) for row in [*self.header, *self.rows]), default=0)


Block = Para | Grid
