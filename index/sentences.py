"""The sentences (and table rows) of a report as units of evidence, and their embedding vectors.

Retrieval ranks passages; an answer quotes one sentence of them. Everyday words ("水管漏了没人修吗")
meet the report's register ("管网漏损点") only through the multilingual embedding, and only a sentence's own
vector tells the sentence that answers from its neighbours. The vectors are built once per document version at
ingest and kept beside the catalog (`<index dir>/sentences/<version>.npz`, written atomically), so that a
question costs one matrix product, not an embedding per sentence.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embeddings import ReportEmbeddings
from index.facts import heading_title
from index.models import Document, Passage
from index.text import Span as TextSpan
from index.text import addresses_assistant, sentences

SENTENCES_DIR = "sentences"
UNITS_VERSION = 1  # bump when sentence_units cuts passages differently
MIN_CHARS = 4


def sentence_units(passage: Passage, document: Document | None) -> list[tuple[TextSpan, bool, int]]:
    """Return the units of a passage in order: each sentence of its prose, each row of its tables (flagged
    True), with the number of the passage's line it is on; without headings and without sentences that give
    the assistant orders."""
    heading = heading_title(passage.section_path[-1]) if passage.section_path else ""
    headings = set(passage.section_path)
    out: list[tuple[TextSpan, bool, int]] = []
    offset = 0
    for number, line in enumerate(passage.text.split("\n")):
        base = passage.start + offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped or stripped in headings or heading_title(stripped) == heading:
            continue
        in_table = document is not None and document.table_at(base) is not None
        units = (
            [TextSpan(base, base + len(line), line)]
            if in_table
            else [TextSpan(base + s.start, base + s.end, s.text) for s in sentences(line)]
        )
        for unit in units:
            if len(unit.text) >= MIN_CHARS and not addresses_assistant(unit.text):
                out.append((unit, in_table, number))
    return out


@dataclass(frozen=True)
class SentenceVectors:
    """The unit-length embedding vectors of one document version's units, by the unit's start offset."""

    version: str
    starts: tuple[int, ...]
    matrix: np.ndarray  # (units, dim), float32, rows of unit length

    def similarity(self, query: np.ndarray) -> dict[int, float]:
        """Return each unit's cosine similarity to a unit-length query vector, by start offset."""
        if not self.starts:
            return {}
        scores = self.matrix @ query
        return dict(zip(self.starts, (float(s) for s in scores), strict=True))


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    scaled: np.ndarray = (vectors / norms).astype(np.float32)
    return scaled


def unit_vector(vector: Sequence[float]) -> np.ndarray:
    """Return a vector scaled to unit length (float32)."""
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm else array


def document_units(document: Document, passages: Sequence[Passage]) -> list[tuple[int, str]]:
    """Return (start, text) of every unit of a document's passages, each once, in text order."""
    seen: dict[int, str] = {}
    for passage in passages:
        if passage.document_id != document.id:
            continue
        for unit, _, _ in sentence_units(passage, document):
            seen.setdefault(unit.start, unit.text)
    return sorted(seen.items())


def embed_units(
    version: str, document: Document, passages: Sequence[Passage], embeddings: ReportEmbeddings
) -> SentenceVectors:
    """Embed every unit of a document version."""
    units = document_units(document, passages)
    if not units:
        return SentenceVectors(version, (), np.zeros((0, 0), dtype=np.float32))
    vectors = np.asarray(embeddings.embed_documents([text for _, text in units]), dtype=np.float32)
    return SentenceVectors(version, tuple(start for start, _ in units), _unit(vectors))


class SentenceStore:
    """Sentence vectors of a corpus on disk, cached in memory; stamped with the embedding that made them."""

    def __init__(self, index_dir: Path) -> None:
        self.directory = index_dir / SENTENCES_DIR
        self._cache: dict[str, SentenceVectors] = {}
        self._lock = threading.Lock()

    def _path(self, version: str) -> Path:
        return self.directory / f"{version.replace('@', '_')}.npz"

    @staticmethod
    def _stamp(identity: str) -> str:
        return f"{UNITS_VERSION}:{identity}"

    def save(self, vectors: SentenceVectors, identity: str) -> None:
        """Write one document version's vectors (temporary file, then an atomic rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sentences-", suffix=".npz", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    starts=np.asarray(vectors.starts, dtype=np.int64),
                    matrix=vectors.matrix,
                    stamp=np.asarray(self._stamp(identity)),
                )
            os.replace(tmp, self._path(vectors.version))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._lock:
            self._cache[vectors.version] = vectors

    def get(self, version: str, identity: str) -> SentenceVectors | None:
        """Return a version's vectors, or None when there are none of this embedding (an older index)."""
        with self._lock:
            cached = self._cache.get(version)
        if cached is not None:
            return cached
        try:
            with np.load(self._path(version), allow_pickle=False) as data:
                if str(data["stamp"]) != self._stamp(identity):
                    return None
                vectors = SentenceVectors(version, tuple(int(s) for s in data["starts"]), data["matrix"])
        except (OSError, KeyError, ValueError):
            return None  # missing or damaged: the answer ranks by passage, and the next ingest rebuilds it
        with self._lock:
            self._cache[version] = vectors
        return vectors

    def prune(self, keep: set[str]) -> None:
        """Delete the files of versions no longer in the catalog."""
        if not self.directory.is_dir():
            return
        names = {self._path(v).name for v in keep}
        for path in self.directory.glob("*.npz"):
            if path.name not in names:
                with contextlib.suppress(OSError):
                    path.unlink()
        with self._lock:
            self._cache = {v: s for v, s in self._cache.items() if v in keep}


__all__ = [
    "SentenceStore",
    "SentenceVectors",
    "document_units",
    "embed_units",
    "sentence_units",
    "unit_vector",
]
