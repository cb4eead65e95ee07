"""Ingest reports into a corpus: load, chunk, embed, store; idempotent, and never half-written."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.catalog import Catalog, IndexedDocument, load_catalog, save_catalog
from index.chunking import chunk_document
from index.embeddings import ReportEmbeddings
from index.facts import build_fact_table
from index.facts.store import FactStore
from index.loaders import LoaderError, ProgressFn, discover, load_document
from index.models import Document
from index.sentences import SentenceStore, SentenceVectors, embed_units
from index.store import VectorStore

__all__ = ["EMBED_PATH_DEPTH", "IngestReport", "Ingestor", "ProgressFn", "chunking_identity", "corpus_lock"]

EMBED_PATH_DEPTH = 2
"""Heading levels prefixed to a passage for embedding (the lexical index takes the whole path)."""


@contextlib.contextmanager
def corpus_lock(index_dir: Path) -> Iterator[None]:
    """Hold the corpus's lock, across processes, while its catalog is read, changed and written back.

    Without it, two workers sharing a data dir that ingest at the same time each write back the catalog they
    read before the other's change (one report is lost) and each drop the other's new vectors from the store.
    The lock file sits next to the index dir, not in it.
    """
    if sys.platform == "win32":  # no flock; one process per data dir there
        yield
        return
    import fcntl

    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with (index_dir.parent / f".{index_dir.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


def chunking_identity(max_chars: int) -> str:
    """Name how documents are read and cut; an index built another way is rebuilt (bump when loaders change)."""
    return f"outline-v3-tables:{max_chars}"


class Ingestor:
    """Adds, replaces and removes documents of one corpus (catalog on disk + vectors in Chroma)."""

    def __init__(
        self, index_dir: Path, corpus: str, store: VectorStore, embeddings: ReportEmbeddings, max_chars: int = 320
    ) -> None:
        self.index_dir = index_dir
        self.corpus = corpus
        self.store = store
        self.embeddings = embeddings
        self.max_chars = max_chars
        self.facts = FactStore(index_dir)
        self.sentences = SentenceStore(index_dir)

    def load(self) -> Catalog:
        return load_catalog(self.index_dir, self.corpus)

    def ingest_paths(
        self, paths: Sequence[Path], progress: ProgressFn | None = None, rebuild: bool = False
    ) -> IngestReport:
        """Ingest files and folders; unreadable files are reported, the rest still go in."""
        report = IngestReport()
        documents: list[Document] = []
        for path in discover(list(paths)):
            try:
                documents.append(load_document(path, progress=progress))
            except LoaderError as exc:
                report.failed.append((str(path), str(exc)))
        return self.ingest_documents(documents, progress=progress, rebuild=rebuild, report=report)

    def ingest_documents(
        self,
        documents: Sequence[Document],
        progress: ProgressFn | None = None,
        rebuild: bool = False,
        report: IngestReport | None = None,
    ) -> IngestReport:
        """Index documents: unchanged ones are a no-op; changed ones replace their passages atomically."""
        with corpus_lock(self.index_dir):
            return self._ingest_documents(documents, progress, rebuild, report)

    def _ingest_documents(
        self,
        documents: Sequence[Document],
        progress: ProgressFn | None,
        rebuild: bool,
        report: IngestReport | None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = report or IngestReport()
        catalog = self.load()
        chunking = chunking_identity(self.max_chars)
        if rebuild or catalog.embedding not in ("", self.embeddings.identity) or catalog.chunking not in ("", chunking):
            # A different model or chunker: every document already in the catalog is rebuilt too.
            if catalog.embedding and catalog.embedding != self.embeddings.identity:
                self.store.drop()
            known = {d.id for d in documents}
            documents = list(documents) + [d.document for d in catalog.documents if d.document.id not in known]
            catalog = Catalog(corpus=self.corpus)
        todo: list[Document] = []
        for document in documents:
            current = catalog.find(document.id)
            if current is not None and current.document.sha256 == document.sha256:
                report.unchanged.append(document.name)
            else:
                todo.append(document)
        new_entries: dict[str, IndexedDocument] = {}
        new_facts = []
        new_sentences: list[SentenceVectors] = []
        for n, document in enumerate(todo):
            if progress:
                progress(f"切分并嵌入 {document.name}", n, len(todo))
            passages = chunk_document(document, self.max_chars)
            entry = IndexedDocument(document, passages)
            vectors = self.embeddings.embed_documents([p.contextual_text(EMBED_PATH_DEPTH) for p in passages])
            self.store.add(passages, vectors, entry.version)
            new_facts.append(build_fact_table(document))
            new_sentences.append(embed_units(entry.version, document, passages, self.embeddings))
            new_entries[document.id] = entry
            (report.replaced if catalog.find(document.id) else report.added).append(document.name)
        if progress:
            progress("完成", len(todo), len(todo))
        if new_entries or not catalog.embedding:
            kept = [new_entries.pop(d.document.id, d) for d in catalog.documents]
            catalog = Catalog(self.corpus, self.embeddings.identity, chunking, kept + list(new_entries.values()))
            for table in new_facts:  # written only now: a failure before this point leaves no new file behind
                self.facts.save(table)
            for units in new_sentences:
                self.sentences.save(units, self.embeddings.identity)
            save_catalog(self.index_dir, catalog)  # the swap: readers see the old or the new corpus, never half
            self.store.delete_except(catalog.versions())
            self.facts.prune(set(catalog.versions()))
            self.sentences.prune(set(catalog.versions()))
        report.passages = sum(len(d.passages) for d in catalog.documents)
        report.seconds = time.perf_counter() - started
        return report

    def remove(self, document_id: str) -> bool:
        """Remove a document from the corpus; return whether it was there."""
        with corpus_lock(self.index_dir):
            catalog = self.load()
            if catalog.find(document_id) is None:
                return False
            catalog.documents = [d for d in catalog.documents if d.document.id != document_id]
            save_catalog(self.index_dir, catalog)
            self.store.delete_except(catalog.versions())
            self.facts.prune(set(catalog.versions()))
            self.sentences.prune(set(catalog.versions()))
            return True

    def sentence_vectors(self, entry: IndexedDocument) -> SentenceVectors:
        """Return the sentence vectors of an indexed document version: from disk, or embedded now and saved
        (an index made before sentences were embedded)."""
        found = self.sentences.get(entry.version, self.embeddings.identity)
        if found is not None:
            return found
        vectors = embed_units(entry.version, entry.document, entry.passages, self.embeddings)
        self.sentences.save(vectors, self.embeddings.identity)
        return vectors
