"""Load reports from .txt/.md, .pdf and .docx files into normalised Documents."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from index.models import Document, PageSpan
from index.normalize import clean_inline, normalise_lines

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".pdf", ".docx")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


class LoaderError(Exception):
    """A file that cannot be read as a report; the message names the file and the reason (Chinese)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"无法读取文件 {Path(path).name}：{reason}")


def document_id_for(name: str) -> str:
    """Return the stable id of a document, derived from its file name."""
    return "doc-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def load_document(path: Path | str, name: str | None = None) -> Document:
    """Load one report file; raise LoaderError with a clear reason when it cannot be read."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise LoaderError(path, "文件不存在")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoaderError(path, f"不支持的文件类型“{suffix or '无扩展名'}”，支持 PDF、DOCX、TXT、MD")
    data = path.read_bytes()
    if not data.strip():
        raise LoaderError(path, "文件为空")
    if suffix == ".pdf":
        paragraphs = _pdf_paragraphs(path, data)
    elif suffix == ".docx":
        paragraphs = _docx_paragraphs(path, data)
    else:
        paragraphs = _text_paragraphs(path, data, markdown=suffix in (".md", ".markdown"))
    if not paragraphs:
        raise LoaderError(path, "没有可读取的文字内容")
    return _assemble(paragraphs, name=name, source_path=str(path), data=data)


def _assemble(paragraphs: list[tuple[str, int | None]], name: str, source_path: str, data: bytes) -> Document:
    parts: list[str] = []
    pages: list[PageSpan] = []
    offset = 0
    for text, page in paragraphs:
        start = offset
        parts.append(text)
        offset += len(text) + 1
        if page is not None:
            if pages and pages[-1].number == page:
                pages[-1] = PageSpan(page, pages[-1].start, offset)
            else:
                pages.append(PageSpan(page, start, offset))
    return Document(
        id=document_id_for(name),
        name=name,
        text="\n".join(parts),
        sha256=hashlib.sha256(data).hexdigest(),
        source_path=source_path,
        pages=pages,
    )


def _decode(path: Path, data: bytes) -> str:
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


def _text_paragraphs(path: Path, data: bytes, markdown: bool) -> list[tuple[str, int | None]]:
    text = _decode(path, data)
    lines = text.replace("\f", "\n").splitlines()
    if markdown:
        lines = [_markdown_line(line) for line in lines if not _MD_TABLE_RULE.match(line)]
    return normalise_lines(lines)


def _markdown_line(line: str) -> str:
    line = _MD_HEADING.sub("", line)
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        return " | ".join(cells)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)


def _pdf_paragraphs(path: Path, data: bytes) -> list[tuple[str, int | None]]:
    from io import BytesIO

    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise LoaderError(path, "PDF 已加密，无法读取")
        lines: list[tuple[str, int | None]] = []
        for number, page in enumerate(reader.pages, start=1):
            for line in (page.extract_text() or "").splitlines():
                lines.append((line, number))
    except LoaderError:
        raise
    except Exception as exc:  # pypdf raises assorted errors (NotImplementedError, AttributeError…) for damaged files
        raise LoaderError(path, f"PDF 文件已损坏或格式不正确（{type(exc).__name__}）") from exc
    if not any(line.strip() for line, _ in lines):
        raise LoaderError(path, "PDF 没有文字层（可能是扫描件），请先做文字识别")
    return normalise_lines(lines)


def _docx_paragraphs(path: Path, data: bytes) -> list[tuple[str, int | None]]:
    from io import BytesIO
    from zipfile import BadZipFile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(BytesIO(data))
    except (BadZipFile, KeyError, ValueError) as exc:
        raise LoaderError(path, f"DOCX 文件已损坏或不是 Word 文档（{type(exc).__name__}）") from exc
    except Exception as exc:  # python-docx raises assorted errors for foreign content
        raise LoaderError(path, f"DOCX 文件无法解析（{type(exc).__name__}）") from exc
    paragraphs: list[tuple[str, int | None]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = clean_inline(block.text)
            if text:
                paragraphs.append((text, None))
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = clean_inline(cell.text.replace("\n", " "))
                    if not cells or cells[-1] != value:  # merged cells repeat their text
                        cells.append(value)
                line = " | ".join(cells).strip(" |")
                if line:
                    paragraphs.append((line, None))
    return paragraphs


def seed_reports(seeds_dir: Path) -> list[Path]:
    """Return the report files directly inside the seeds folder (dev reports in its sub-folders are left out)."""
    if not seeds_dir.is_dir():
        return [seeds_dir]
    return sorted(
        p
        for p in seeds_dir.iterdir()
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders into the report files they hold (question sets and hidden files skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
                )
            )
        else:
            found.append(path)
    return found
