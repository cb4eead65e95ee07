"""Shared fixtures: the seed report, settings in a temp data dir, and session-wide indexes of the seed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from assistant.corpus import Corpus
    from assistant.settings import Settings

# No network and no telemetry in tests; set before any model or Chroma library is imported.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
# A developer's own REPORT_ASSISTANT_* settings must not leak into the settings tests build.
for _name in [name for name in os.environ if name.startswith("REPORT_ASSISTANT_")]:
    del os.environ[_name]

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO / "seeds"
SEED_REPORT = next(SEEDS_DIR.glob("*.txt"))

SettingsFactory = Callable[..., "Settings"]


def docx_bytes(*paragraphs: str) -> bytes:
    """Return a small DOCX holding the given paragraphs."""
    import io

    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """Path of the shipped seed report (a hard-wrapped PDF extract as .txt)."""
    return SEED_REPORT


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Return settings over a data dir with fake embeddings unless overridden (no .env or TOML file read)."""
    from assistant.settings import Settings

    values: dict[str, Any] = {"data_dir": data_dir, "seeds_dir": SEEDS_DIR, "embedding": {"backend": "fake"}}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def tmp_settings(tmp_path: Path) -> SettingsFactory:
    """Factory of settings with the data dir in tmp_path and fake embeddings; keyword arguments override."""

    def factory(**overrides: Any) -> Settings:
        return make_settings(tmp_path / "data", **overrides)

    return factory


def _indexed_seed(data_dir: Path, **overrides: Any) -> Corpus:
    from assistant.corpus import open_corpus

    corpus = open_corpus(make_settings(data_dir, **overrides))
    report = corpus.ingest([SEED_REPORT])
    assert report.added and not report.failed, report
    return corpus


@pytest.fixture(scope="session")
def seed_corpus_e5(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The seed indexed once per session with the real e5 model (embedded Chroma in a temp dir). Read only."""
    return _indexed_seed(tmp_path_factory.mktemp("e5-index"), embedding={"backend": "e5"})


@pytest.fixture(scope="session")
def seed_corpus_fake(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The seed indexed once per session with fake embeddings: cheap, for lexical and plumbing tests. Read only."""
    return _indexed_seed(tmp_path_factory.mktemp("fake-index"))


def indexed_assistant(data: Path, report: Path, **overrides: Any) -> Any:
    """Build an assistant in a data dir (no seeds) and index one report into it."""
    from assistant.service import build_assistant

    built = build_assistant(make_settings(data / "data", seeds_dir=data / "none", **overrides))
    ingested = built.corpus.ingest([report])
    assert ingested.added and not ingested.failed
    return built


def cached_ask(assistant: Any) -> Any:
    """Return `assistant.ask` remembered per question (a module's tests ask some questions more than once)."""
    from functools import cache

    @cache
    def ask(question: str) -> Any:
        return assistant.ask(question)

    return ask
