"""Ingest into the catalog and Chroma: idempotent, replaces changed files, never half-written, model-aware."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.corpus import Corpus, open_corpus
from assistant.settings import Settings
from index.catalog import CATALOG_FILE, CatalogError, load_catalog, save_catalog
from index.chunking import chunk_document
from index.ingest import chunking_identity
from index.loaders import load_document
from index.store import StoreError, collection_name, make_client

SettingsFactory = Callable[..., Settings]
QUESTION = "2023年预算完成率是多少"
SMALL_REPORT = (
    "一、基本情况\n2023年，区政务服务中心受理业务157.83万宗。\n二、主要问题\n绩效指标的设置仍需进一步优化。\n"
)


def ranking(corpus: Corpus, question: str = QUESTION, k: int = 10) -> list[tuple[str, float]]:
    return [(hit.passage.id, round(hit.score, 9)) for hit in corpus.search(question, k)]


def change_figure(path: Path) -> None:
    """Edit a copy of the seed: the budget completion rate 87.19% becomes 88.88%."""
    text = path.read_text(encoding="utf-8")
    assert "预算完成率 87.19%" in text
    path.write_text(text.replace("预算完成率 87.19%", "预算完成率 88.88%"), encoding="utf-8")


def stored_ids(corpus: Corpus) -> set[str]:
    return set(corpus.store.collection.get(include=[])["ids"])


@pytest.fixture
def reports(tmp_path: Path, seed_path: Path) -> Path:
    """A folder holding a copy of the seed report."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(seed_path, folder / seed_path.name)
    return folder


@pytest.fixture
def corpus(tmp_settings: SettingsFactory) -> Corpus:
    return open_corpus(tmp_settings())


def test_ingesting_the_seed_indexes_every_passage(corpus: Corpus, reports: Path, seed_path: Path) -> None:
    report = corpus.ingest([reports])
    expected = chunk_document(load_document(seed_path), corpus.settings.retrieval.max_passage_chars)
    assert report.added == [seed_path.name] and not (report.replaced or report.unchanged or report.failed)
    assert report.passages == len(expected) == corpus.store.count()
    assert stored_ids(corpus) == {p.id for p in expected}
    catalog = load_catalog(corpus.settings.index_dir, "default")
    assert catalog.embedding == "fake:64" and catalog.chunking == chunking_identity(320)
    assert [d.name for d in corpus.documents()] == [seed_path.name]


def test_reingesting_an_unchanged_file_is_a_no_op(corpus: Corpus, reports: Path) -> None:
    corpus.ingest([reports])
    catalog_file = corpus.settings.index_dir / CATALOG_FILE
    before = (catalog_file.stat().st_mtime_ns, corpus.store.count(), ranking(corpus))
    report = corpus.ingest([reports])
    assert report.unchanged == [next(reports.iterdir()).name] and not report.changed
    assert (catalog_file.stat().st_mtime_ns, corpus.store.count(), ranking(corpus)) == before


def test_a_changed_file_replaces_its_passages(corpus: Corpus, reports: Path) -> None:
    corpus.ingest([reports])
    old_ids = stored_ids(corpus)
    path = next(reports.iterdir())
    change_figure(path)
    report = corpus.ingest([reports])
    assert report.replaced == [path.name] and not report.added
    new_ids = stored_ids(corpus)
    assert not old_ids & new_ids, "the old version's passages are gone from Chroma"
    assert corpus.store.count() == len(corpus.passages()) == report.passages
    assert "预算完成率88.88%" in corpus.search(QUESTION, 1)[0].passage.text


@pytest.mark.parametrize("failing", ["embeddings", "store"])
def test_a_failure_midway_leaves_the_previous_index_intact(
    corpus: Corpus, reports: Path, tmp_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    corpus.ingest([reports])
    catalog_file = corpus.settings.index_dir / CATALOG_FILE
    catalog_before, ranking_before = catalog_file.read_bytes(), ranking(corpus)
    files_before = sorted(p.relative_to(catalog_file.parent) for p in catalog_file.parent.rglob("*"))
    # The seed changed and a new report: the seed's new version goes into Chroma, then the new report fails.
    seed = next(reports.iterdir())
    change_figure(seed)
    (reports / "b.txt").write_text(SMALL_REPORT, encoding="utf-8")
    target: Any = corpus.embeddings if failing == "embeddings" else corpus.store
    method = "embed_documents" if failing == "embeddings" else "add"
    original = getattr(target, method)
    calls: list[int] = []

    def fail_on_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, method, fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        corpus.ingest([reports])
    assert len(calls) == 2, "the first document was embedded and stored before the failure"
    assert catalog_file.read_bytes() == catalog_before
    files_after = sorted(p.relative_to(catalog_file.parent) for p in catalog_file.parent.rglob("*"))
    assert files_after == files_before, "no temporary file and no fact table of the new versions left behind"
    assert ranking(open_corpus(tmp_settings())) == ranking_before, "a fresh reader sees the old corpus"
    assert ranking(corpus) == ranking_before, "and so does the corpus that failed"
    # The next successful run indexes both and drops what the failed run left in Chroma.
    monkeypatch.setattr(target, method, original)
    report = corpus.ingest([reports])
    assert (report.replaced, report.added) == ([seed.name], ["b.txt"])
    assert corpus.store.count() == len(corpus.passages())
    assert "预算完成率88.88%" in corpus.search(QUESTION, 1)[0].passage.text


def test_a_different_embedding_model_refuses_to_search_then_rebuilds(
    tmp_settings: SettingsFactory, reports: Path, seed_path: Path
) -> None:
    first = open_corpus(tmp_settings())
    first.ingest([reports])
    other = open_corpus(tmp_settings(embedding={"backend": "fake", "fake_dim": 32}))
    with pytest.raises(StoreError, match="ingest --rebuild"):
        other.search(QUESTION)
    other.reload()
    report = other.ingest([reports])
    assert report.added == [seed_path.name], "every document is embedded again"
    assert load_catalog(other.settings.index_dir, "default").embedding == "fake:32"
    assert other.store.count() == report.passages == len(other.passages())
    assert len(other.search(QUESTION, 3)) == 3


def test_a_rebuild_with_the_same_model_reindexes_in_place(corpus: Corpus, reports: Path, seed_path: Path) -> None:
    corpus.ingest([reports])
    before = (stored_ids(corpus), ranking(corpus))
    report = corpus.ingest([reports], rebuild=True)
    assert report.added == [seed_path.name]
    assert (stored_ids(corpus), ranking(corpus)) == before


def test_documents_already_indexed_are_kept_when_another_file_is_ingested(corpus: Corpus, reports: Path) -> None:
    corpus.ingest([reports])
    extra = reports.parent / "extra.txt"
    extra.write_text(SMALL_REPORT, encoding="utf-8")
    report = corpus.ingest([extra])
    assert report.added == ["extra.txt"]
    assert sorted(d.name for d in corpus.documents()) == sorted([next(reports.iterdir()).name, "extra.txt"])
    assert corpus.store.count() == len(corpus.passages())


def test_removing_a_document_drops_its_passages(corpus: Corpus, reports: Path, seed_path: Path) -> None:
    (reports / "extra.txt").write_text(SMALL_REPORT, encoding="utf-8")
    corpus.ingest([reports])
    [extra] = [d for d in corpus.documents() if d.name == "extra.txt"]
    assert corpus.remove(extra.id) is True
    assert [d.name for d in corpus.documents()] == [seed_path.name]
    assert corpus.store.count() == len(corpus.passages())
    assert all(hit.passage.document == seed_path.name for hit in corpus.search("受理业务157.83万宗", 10))
    assert corpus.remove(extra.id) is False


def test_unreadable_files_are_reported_and_the_rest_still_go_in(corpus: Corpus, reports: Path, seed_path: Path) -> None:
    (reports / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really")
    (reports / "empty.txt").write_bytes(b"")
    report = corpus.ingest([reports])
    assert report.added == [seed_path.name]
    assert sorted(Path(path).name for path, _ in report.failed) == ["broken.pdf", "empty.txt"]
    assert all("无法读取文件" in reason for _, reason in report.failed)


def test_progress_is_reported_per_document(corpus: Corpus, reports: Path) -> None:
    (reports / "extra.txt").write_text(SMALL_REPORT, encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    corpus.ingest([reports], progress=lambda message, done, total: calls.append((message, done, total)))
    assert [(done, total) for _, done, total in calls] == [(0, 2), (1, 2), (2, 2)]
    assert calls[-1][0] == "完成" and "extra.txt" in calls[1][0] + calls[0][0]


def test_the_catalog_round_trips_passages_with_their_lead_and_pages(tmp_path: Path, reports: Path) -> None:
    from index.catalog import Catalog, IndexedDocument
    from index.models import PageSpan

    document = load_document(next(reports.iterdir()))
    document.pages = [PageSpan(1, 0, 5000), PageSpan(2, 5000, len(document.text) + 1)]
    passages = chunk_document(document)
    assert any(p.lead for p in passages) and {p.page for p in passages} == {1, 2}
    save_catalog(tmp_path, Catalog("default", "fake:64", "outline-v1:320", [IndexedDocument(document, passages)]))
    loaded = load_catalog(tmp_path, "default")
    assert loaded.documents[0].document == document
    assert loaded.documents[0].passages == passages


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{", id="truncated-json"),
        pytest.param("", id="empty"),
        pytest.param("[]", id="not-an-object"),
        pytest.param('{"format": 99, "embedding": "fake:64", "documents": []}', id="future-format"),
        pytest.param('{"format": 1, "documents": []}', id="missing-embedding"),
        pytest.param('{"format": 1, "embedding": "fake:64", "documents": [{"document": {}}]}', id="bad-document"),
    ],
)
def test_a_corrupt_catalog_is_a_catalog_error_with_a_repair_hint(
    tmp_settings: SettingsFactory, reports: Path, content: str
) -> None:
    settings = tmp_settings()
    settings.index_dir.mkdir(parents=True)
    (settings.index_dir / CATALOG_FILE).write_text(content, encoding="utf-8")
    corpus = open_corpus(settings)
    with pytest.raises(CatalogError, match="doctor --repair"):
        corpus.search(QUESTION)
    with pytest.raises(CatalogError, match=CATALOG_FILE):
        corpus.ingest([reports])


def test_the_catalog_file_is_json_with_the_format_version(corpus: Corpus, reports: Path) -> None:
    corpus.ingest([reports])
    data = json.loads((corpus.settings.index_dir / CATALOG_FILE).read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["corpus"] == "default" and len(data["documents"]) == 1


# --- collection names ----------------------------------------------------------------------------------------

CHROMA_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")


@pytest.mark.parametrize(
    ("prefix", "corpus_name"),
    [
        ("report", "default"),
        ("report", "年度报告"),
        ("report", "a"),
        ("r", "x"),
        ("", "a"),
        ("", "中"),
        ("report", "2023.年报"),
        ("report", "a..b"),
        ("report", "中..文"),
        ("report", "报告（终稿）-"),
        ("report", "x" * 600),
        ("report", "a" * 508 + "..b"),
    ],
)
def test_collection_names_are_valid_for_chroma_whatever_the_corpus_name(
    tmp_path: Path, prefix: str, corpus_name: str
) -> None:
    name = collection_name(prefix, corpus_name)
    assert CHROMA_NAME.match(name) and ".." not in name
    assert name == collection_name(prefix, corpus_name), "stable"
    make_client(None, tmp_path).get_or_create_collection(name, embedding_function=None)


def test_distinct_corpus_names_get_distinct_collections() -> None:
    names = ["年度报告", "季度报告", "报告", "a", "b", "中..文", "中.文"]
    assert len({collection_name("report", n) for n in names}) == len(names)


def test_a_corpus_with_a_chinese_name_ingests_and_searches(tmp_settings: SettingsFactory, reports: Path) -> None:
    corpus = open_corpus(tmp_settings(corpus="番禺区2023年报"))
    assert corpus.ingest([reports]).passages > 0
    assert corpus.search(QUESTION, 1)
