"""The catalog of an indexed corpus: documents and passages on disk, replaced atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from index.models import Document, HeadingMark, PageSpan, Passage, Table, TableRow

CATALOG_FILE = "catalog.json"
FORMAT_VERSION = 1


class CatalogError(RuntimeError):
    """The catalog is missing or unreadable; the message says how to repair it."""


@dataclass
class IndexedDocument:
    """A document in the catalog with its passages and the settings that built them."""

    document: Document
    passages: list[Passage]

    @property
    def version(self) -> str:
        return f"{self.document.id}@{self.document.sha256[:12]}"


@dataclass
class Catalog:
    """Everything about a corpus except its vectors (those live in Chroma)."""

    corpus: str
    embedding: str = ""
    chunking: str = ""
    documents: list[IndexedDocument] = field(default_factory=list)

    def passages(self, document_ids: set[str] | None = None) -> list[Passage]:
        return [p for d in self.documents if document_ids is None or d.document.id in document_ids for p in d.passages]

    def versions(self, document_ids: set[str] | None = None) -> list[str]:
        return [d.version for d in self.documents if document_ids is None or d.document.id in document_ids]

    def find(self, document_id: str) -> IndexedDocument | None:
        return next((d for d in self.documents if d.document.id == document_id), None)


def _passage_from(data: dict[str, Any]) -> Passage:
    return Passage(
        id=data["id"],
        document_id=data["document_id"],
        document=data["document"],
        section_path=tuple(data["section_path"]),
        text=data["text"],
        start=int(data["start"]),
        end=int(data["end"]),
        page=data.get("page"),
        lead=data.get("lead", ""),
        ocr=bool(data.get("ocr", False)),
    )


def _document_from(data: dict[str, Any]) -> Document:
    return Document(
        id=data["id"],
        name=data["name"],
        text=data["text"],
        sha256=data["sha256"],
        source_path=data.get("source_path", ""),
        pages=[PageSpan(**p) for p in data.get("pages", [])],
        tables=[_table_from(t) for t in data.get("tables", [])],
        headings=[HeadingMark(int(h["start"]), int(h["level"])) for h in data.get("headings", [])],
    )


def _row_from(data: dict[str, Any]) -> TableRow:
    return TableRow(cells=tuple(data["cells"]), start=int(data["start"]), end=int(data["end"]))


def _table_from(data: dict[str, Any]) -> Table:
    header_row = data.get("header_row")
    return Table(
        caption=data.get("caption", ""),
        header=tuple(data.get("header", ())),
        rows=tuple(_row_from(r) for r in data.get("rows", [])),
        start=int(data["start"]),
        end=int(data["end"]),
        header_row=_row_from(header_row) if header_row else None,
        page=data.get("page"),
    )


def load_catalog(index_dir: Path, corpus: str) -> Catalog:
    """Read the catalog of a corpus; an absent one is empty, a corrupt one raises CatalogError."""
    path = index_dir / CATALOG_FILE
    if not path.exists():
        return Catalog(corpus=corpus)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {data.get('format')!r}")
        documents = [
            IndexedDocument(_document_from(d["document"]), [_passage_from(p) for p in d["passages"]])
            for d in data["documents"]
        ]
        return Catalog(
            corpus=corpus, embedding=data["embedding"], chunking=data.get("chunking", ""), documents=documents
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # AttributeError: JSON not an object
        raise CatalogError(
            f"索引目录 {index_dir} 中的 {CATALOG_FILE} 已损坏（{exc}）。"
            "请运行 report-assistant doctor --repair 重建索引。"
        ) from exc


def save_catalog(index_dir: Path, catalog: Catalog) -> None:
    """Write the catalog to a temporary file and swap it in, so readers never see half of it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT_VERSION,
        "corpus": catalog.corpus,
        "embedding": catalog.embedding,
        "chunking": catalog.chunking,
        "documents": [
            {"document": asdict(d.document), "passages": [asdict(p) for p in d.passages]} for d in catalog.documents
        ],
    }
    fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".json", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / CATALOG_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _CorpusLocation(Protocol):
    @property
    def index_dir(self) -> Path: ...

    corpus: str


def load_corpus(settings: _CorpusLocation) -> tuple[list[Document], list[Passage]]:
    """Return the indexed documents and passages of the configured corpus; raise CatalogError if none."""
    catalog = load_catalog(settings.index_dir, settings.corpus)
    if not catalog.documents:
        raise CatalogError("还没有建立索引：请先运行 report-assistant ingest。")
    return [d.document for d in catalog.documents], catalog.passages()
