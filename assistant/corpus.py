"""The indexed corpus at question time: ingest into it, list its documents, search it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings
from index.catalog import CATALOG_FILE, Catalog
from index.embeddings import CachedQueries, ReportEmbeddings
from index.ingest import Ingestor, IngestReport, ProgressFn
from index.models import Document, Passage, ScoredPassage
from index.retriever import FusionWeights, HybridRetriever, HybridSearch
from index.store import VectorStore


@dataclass(frozen=True)
class DocumentInfo:
    """What a user sees of an indexed report."""

    id: str
    name: str
    passages: int
    characters: int
    sha256: str


class Corpus:
    """One corpus: catalog on disk, vectors in Chroma, lexical index in memory; safe to share across threads."""

    def __init__(self, settings: Settings, embeddings: ReportEmbeddings, store: VectorStore) -> None:
        self.settings = settings
        self.embeddings: ReportEmbeddings = (
            embeddings if isinstance(embeddings, CachedQueries) else CachedQueries(embeddings)
        )
        self.store = store
        self.ingestor = Ingestor(
            settings.index_dir, settings.corpus, store, self.embeddings, settings.retrieval.max_passage_chars
        )
        self._lock = threading.RLock()
        self._search: HybridSearch | None = None
        self._stamp: tuple[int, int] | None = None

    @property
    def catalog(self) -> Catalog:
        return self.searcher.catalog

    def _catalog_stamp(self) -> tuple[int, int] | None:
        try:
            stat = (self.settings.index_dir / CATALOG_FILE).stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    @property
    def searcher(self) -> HybridSearch:
        """The search over the current catalog; re-read when another worker or process replaced the catalog."""
        with self._lock:
            stamp = self._catalog_stamp()
            if self._search is not None and stamp != self._stamp:
                self._search = None
            if self._search is None:
                self._stamp = stamp
                r = self.settings.retrieval
                self._search = HybridSearch(
                    self.ingestor.load(),
                    self.store,
                    self.embeddings,
                    r.candidates,
                    FusionWeights(r.rrf_k, r.dense_weight, r.lexical_weight),
                )
            return self._search

    def reload(self) -> None:
        """Re-read the catalog (after this or another process changed it)."""
        with self._lock:
            self._search = None

    # Ingest and remove run outside the in-process lock: the ingestor's file lock serialises writers across
    # processes, and questions keep being answered from the old catalog until the new one is swapped in.
    def ingest(self, paths: Sequence[Path], progress: ProgressFn | None = None, rebuild: bool = False) -> IngestReport:
        """Index files or folders and make them searchable."""
        report = self.ingestor.ingest_paths(paths, progress=progress, rebuild=rebuild)
        self.reload()
        return report

    def ingest_documents(self, documents: Sequence[Document], progress: ProgressFn | None = None) -> IngestReport:
        report = self.ingestor.ingest_documents(documents, progress=progress)
        self.reload()
        return report

    def remove(self, document_id: str) -> bool:
        removed = self.ingestor.remove(document_id)
        self.reload()
        return removed

    def healthy(self) -> str | None:
        """Return why the corpus cannot answer now (vector store unreachable, catalog damaged), or None."""
        try:
            self.store.count()
            self.ingestor.load()
        except Exception as exc:  # the reason is the answer
            return str(exc)
        return None

    def is_empty(self) -> bool:
        return not self.catalog.documents

    def documents(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(d.document.id, d.document.name, len(d.passages), len(d.document.text), d.document.sha256)
            for d in self.catalog.documents
        ]

    def loaded_documents(self, document_ids: set[str] | None = None) -> list[Document]:
        return [d.document for d in self.catalog.documents if document_ids is None or d.document.id in document_ids]

    def passages(self, document_ids: set[str] | None = None) -> list[Passage]:
        return self.catalog.passages(document_ids)

    def search(self, question: str, k: int | None = None, document_ids: set[str] | None = None) -> list[ScoredPassage]:
        """Return the best passages for a question, best first."""
        return self.searcher.search(question, k or self.settings.retrieval.top_k, document_ids)

    def query_vector(self, question: str) -> list[float]:
        """Return the question's embedding (the one retrieval made, when it asked the same)."""
        return self.embeddings.embed_query(question)

    def similarity(self, question: str, texts: Sequence[str]) -> list[float]:
        """Return the embedding similarity of each text to a question (cosine): sentences ranked by meaning
        across languages, where the question shares no words with the report."""
        if not texts:
            return []
        query = self.embeddings.embed_query(question)
        vectors = self.embeddings.embed_documents(list(texts))
        return [_cosine(query, v) for v in vectors]

    def as_retriever(self, k: int | None = None, document_ids: set[str] | None = None) -> HybridRetriever:
        """Return a LangChain retriever over this corpus."""
        return HybridRetriever(search=self.searcher, k=k or self.settings.retrieval.top_k, document_ids=document_ids)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = (sum(x * x for x in a) ** 0.5) * (sum(y * y for y in b) ** 0.5)
    return dot / norm if norm else 0.0


def open_corpus(settings: Settings) -> Corpus:
    """Build the corpus from settings: embedding backend and vector store chosen by their factories."""
    from assistant.components import build_embeddings, build_store

    embeddings = build_embeddings(settings.embedding)
    return Corpus(settings, embeddings, build_store(settings, embeddings.identity))
