"""The data that flows through build time: documents, sections and passages."""

from __future__ import annotations

from dataclasses import dataclass, field

SECTION_SEPARATOR = " > "


@dataclass(frozen=True)
class PageSpan:
    """A page of the source, as a character span of the normalised document text."""

    number: int
    start: int
    end: int
    ocr: bool = False  # the page had no text layer; its text was read by OCR


CELL_SEPARATOR = " | "


@dataclass(frozen=True)
class TableRow:
    """A row of a table: its cells and where its `cell | cell | …` line sits in the document text.

    A cell merged over several rows is repeated in every row it spans; in the header a cell merged over
    several columns is repeated in each of them (each column is named); in a body row a cell merged over
    several columns ("合计" over 序号 and 项目名称) is written once, in its first column, the others empty.
    """

    cells: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    """A table of a document: caption, column headers, body rows, and the span of text it occupies.

    `header` holds one name per column (a multi-row header is joined per column with "/"); its line is in
    the text once, at `header_row`. `rows` are the body rows in order, a table continued on the next page
    joined to its first part. The span starts at the caption line (when there is one) and ends after the
    last row, or after the notes right under the table ("注：执行率=…") that belong to it.
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    start: int
    end: int
    header_row: TableRow | None = None
    page: int | None = None


@dataclass(frozen=True)
class HeadingMark:
    """A paragraph the source itself marks as a heading (a Word heading style, a larger font in a PDF).

    `level` is 1 for the outermost heading style the document uses; `start` is the paragraph's offset.
    """

    start: int
    level: int


@dataclass
class Document:
    """A loaded report: its normalised text (paragraphs joined by newlines) and where it came from."""

    id: str
    name: str
    text: str
    sha256: str
    source_path: str = ""
    pages: list[PageSpan] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    headings: list[HeadingMark] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """Return the page number that holds a character offset, if pages are known."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return None

    def ocr_at(self, offset: int) -> bool:
        """Tell whether the text at an offset was read by OCR."""
        return any(page.ocr for page in self.pages if page.start <= offset < page.end)

    def table_at(self, offset: int) -> Table | None:
        """Return the table whose span holds a character offset, if any."""
        return next((t for t in self.tables if t.start <= offset < t.end), None)


@dataclass(frozen=True)
class Section:
    """A heading of the outline and the span of text it governs (heading line included)."""

    level: int
    marker: str
    title: str
    start: int
    end: int
    path: tuple[str, ...]

    @property
    def heading(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of a document: an exact span of its normalised text plus heading path."""

    id: str
    document_id: str
    document: str
    section_path: tuple[str, ...]
    text: str
    start: int
    end: int
    page: int | None = None
    lead: str = ""
    ocr: bool = False  # the passage's text was read by OCR from a page image

    @property
    def section(self) -> str:
        return SECTION_SEPARATOR.join(self.section_path)

    def contextual_text(self, depth: int | None = None) -> str:
        """Return the text to index: heading path (its last `depth` levels), the lead-in it continues, the passage."""
        path = self.section_path if depth is None else self.section_path[-depth:]
        parts = [SECTION_SEPARATOR.join(path), self.lead, self.text]
        return "\n".join(part for part in parts if part)

    def to_metadata(self) -> dict[str, str | int]:
        """Return flat metadata for a vector store."""
        return {
            "document_id": self.document_id,
            "document": self.document,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "page": -1 if self.page is None else self.page,
        }


@dataclass(frozen=True)
class ScoredPassage:
    """A passage with the fused score a retriever gave it (higher is better) and each side's evidence."""

    passage: Passage
    score: float
    dense: float | None = None
    lexical: float | None = None
