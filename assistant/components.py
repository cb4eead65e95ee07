"""Factories for the swappable dependencies, one `match` each, imports inside their branch."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.settings import EmbeddingSettings, Settings
    from index.embeddings import ReportEmbeddings
    from index.store import VectorStore


def build_embeddings(settings: EmbeddingSettings) -> ReportEmbeddings:
    """Return the embedding backend the settings name."""
    match settings.backend:
        case "e5":
            from index.embeddings import E5Embeddings

            return E5Embeddings(
                batch_size=settings.batch_size, threads=settings.threads, ingest_threads=settings.ingest_threads
            )
        case "sentence-transformers":
            from index.embeddings import SentenceTransformerEmbeddings

            return SentenceTransformerEmbeddings(
                settings.model, settings.query_prefix, settings.passage_prefix, settings.batch_size
            )
        case "fake":
            from index.embeddings import FakeEmbeddings

            return FakeEmbeddings(settings.fake_dim)
    from index.embeddings import EmbeddingError

    raise EmbeddingError(f"未知的嵌入后端：{settings.backend}")


def build_store(settings: Settings, embedding_identity: str) -> VectorStore:
    """Return the corpus's Chroma collection (server when a URL is set, embedded otherwise)."""
    from index.store import VectorStore, collection_name, make_client

    client = make_client(settings.chroma.url, settings.chroma_dir)
    return VectorStore(client, collection_name(settings.chroma.collection_prefix, settings.corpus), embedding_identity)
