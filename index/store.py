"""Chroma vector store: embedded PersistentClient in the data dir, or HttpClient against a Chroma server."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.models import Passage


class StoreError(RuntimeError):
    """The vector store cannot be reached or used; the message says why, in Chinese."""


def collection_name(prefix: str, corpus: str) -> str:
    """Return a valid Chroma collection name (3-512 chars of [a-zA-Z0-9._-]) for a corpus.

    >>> collection_name("report", "default")
    'report-default'
    """
    raw = f"{prefix}-{corpus}"
    # Chroma also refuses ".." and a first or last character that is not a letter or digit.
    safe = re.sub(r"\.{2,}", ".", re.sub(r"[^a-zA-Z0-9._-]", "_", raw)).strip("._-") or "report"
    if safe != raw:
        import hashlib

        safe = f"{safe[:40].rstrip('._-')}-{hashlib.sha1(raw.encode()).hexdigest()[:8]}"
    return safe[:512].rstrip("._-").ljust(3, "x")


def make_client(url: str | None, persist_dir: Path) -> Any:
    """Return a Chroma client: HTTP when a server URL is given, else embedded and persistent."""
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=client_settings,
            )
        except Exception as exc:
            raise StoreError(f"无法连接 Chroma 服务器 {url}：{exc}") from exc
    persist_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(persist_dir), settings=client_settings)
    except Exception as exc:
        raise StoreError(
            f"无法打开向量库目录 {persist_dir}（{exc}）。请运行 report-assistant doctor --repair。"
        ) from exc


class VectorStore:
    """One Chroma collection per corpus; passages are tagged with their document version."""

    def __init__(self, client: Any, name: str, embedding_identity: str) -> None:
        self._client = client
        self.name = name
        self.embedding_identity = embedding_identity
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            try:
                self._collection = self._client.get_or_create_collection(
                    self.name,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedding": self.embedding_identity},
                )
            except Exception as exc:
                raise StoreError(f"向量库不可用（集合 {self.name}）：{exc}") from exc
            stored = (self._collection.metadata or {}).get("embedding")
            if stored and stored != self.embedding_identity:
                raise StoreError(
                    f"向量库集合 {self.name} 由嵌入模型 {stored} 建立，与当前设置 {self.embedding_identity} 不符；"
                    "请运行 report-assistant ingest --rebuild。"
                )
        return self._collection

    def add(self, passages: Sequence[Passage], vectors: Sequence[Sequence[float]], version: str) -> None:
        """Add the passages of one document version with their vectors."""
        if not passages:
            return
        metadatas: list[Any] = [{**p.to_metadata(), "doc_version": version} for p in passages]
        self._call(
            "upsert",
            ids=[p.id for p in passages],
            embeddings=[list(v) for v in vectors],
            documents=[p.text for p in passages],
            metadatas=metadatas,
        )

    def query(self, vector: Sequence[float], k: int, versions: Sequence[str]) -> list[tuple[str, float]]:
        """Return up to k (passage id, cosine similarity) among the given document versions."""
        if not versions or k <= 0:
            return []
        where: dict[str, Any] = (
            {"doc_version": versions[0]} if len(versions) == 1 else {"doc_version": {"$in": list(versions)}}
        )
        result = self._call("query", query_embeddings=[list(vector)], n_results=k, where=where, include=["distances"])
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else [1.0] * len(ids)
        return [(pid, 1.0 - float(d)) for pid, d in zip(ids, distances, strict=False)]

    def delete_except(self, keep_versions: Sequence[str]) -> int:
        """Delete every passage whose document version is not kept; return how many went."""
        where: dict[str, Any]
        if not keep_versions:
            existing = self._call("get", include=[])
            ids = existing["ids"]
        else:
            where = (
                {"doc_version": {"$ne": keep_versions[0]}}
                if len(keep_versions) == 1
                else {"doc_version": {"$nin": list(keep_versions)}}
            )
            ids = self._call("get", where=where, include=[])["ids"]
        if ids:
            self._call("delete", ids=ids)
        return len(ids)

    def count(self) -> int:
        return int(self._call("count"))

    def drop(self) -> None:
        """Delete the whole collection."""
        with contextlib.suppress(Exception):  # absent already
            self._client.delete_collection(self.name)
        self._collection = None

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.collection, method)(**kwargs)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"向量库操作失败（{method}）：{exc}") from exc
