"""Persist fact tables beside the catalog, one JSON file per document version, written atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path

from index.facts.build import build_fact_table
from index.facts.model import FactTable
from index.models import Document

FACTS_DIR = "facts"
BUILDER_VERSION = 19  # bump when the fact builder reads documents differently


def facts_format() -> str:
    """Return the format stamp of fact files: builder version and the role lexicon it read (edits rebuild)."""
    import hashlib
    from importlib import resources

    lexicon = resources.files("index.lexicon").joinpath("roles.toml").read_bytes()
    return f"{BUILDER_VERSION}-{hashlib.sha1(lexicon).hexdigest()[:8]}"


class FactStore:
    """Fact tables of a corpus on disk (`<index dir>/facts/<version>.json`), cached in memory."""

    def __init__(self, index_dir: Path) -> None:
        self.directory = index_dir / FACTS_DIR
        self._cache: dict[str, FactTable] = {}
        self._lock = threading.Lock()

    @staticmethod
    def version_of(document: Document) -> str:
        return f"{document.id}@{document.sha256[:12]}"

    def _path(self, version: str) -> Path:
        return self.directory / f"{version.replace('@', '_')}.json"

    def save(self, table: FactTable) -> None:
        """Write one fact table (temporary file, then an atomic rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = {"format": facts_format(), **table.to_dict()}
        fd, tmp = tempfile.mkstemp(prefix=".facts-", suffix=".json", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False)
            os.replace(tmp, self._path(table.version))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._lock:
            self._cache[table.version] = table

    def build(self, document: Document) -> FactTable:
        """Build and save the fact table of a document version."""
        table = build_fact_table(document)
        self.save(table)
        return table

    def get(self, document: Document) -> FactTable:
        """Return the fact table of a document version: from memory, from disk, or built now (and saved)."""
        version = self.version_of(document)
        with self._lock:
            cached = self._cache.get(version)
        if cached is not None:
            return cached
        path = self._path(version)
        table: FactTable | None = None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") == facts_format():
                table = FactTable.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError):
            table = None  # missing or damaged: rebuilt from the document below
        if table is None:
            table = build_fact_table(document)
            with contextlib.suppress(OSError):  # a read-only data dir still answers, from memory
                self.save(table)
        with self._lock:
            self._cache[version] = table
        return table

    def prune(self, keep: set[str]) -> None:
        """Delete fact files of versions no longer in the catalog."""
        if not self.directory.is_dir():
            return
        wanted = {self._path(v).name for v in keep}
        for path in self.directory.glob("*.json"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)
        with self._lock:
            for version in [v for v in self._cache if v not in keep]:
                del self._cache[version]
