"""Sentence vectors: every sentence and table row of a report embedded once at ingest, kept per document
version beside the catalog, and used to rank the sentences of an answer by meaning without embedding them
again at question time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from synthetic_tables import write_tables_report

from assistant.corpus import open_corpus
from assistant.evidence.meaning import with_similarity
from assistant.evidence.spans import passage_spans
from assistant.service import build_assistant
from assistant.settings import Settings
from index.embeddings import CachedQueries, FakeEmbeddings
from index.loaders import load_document
from index.sentences import SentenceStore, document_units, embed_units

SettingsFactory = Callable[..., Settings]


def test_every_sentence_and_table_row_is_a_unit_but_headings_are_not(tmp_path: Path) -> None:
    from index.chunking import chunk_document

    document = load_document(write_tables_report(tmp_path))
    units = [text for _, text in document_units(document, chunk_document(document, 320))]
    assert "平台已与应急管理、生态环境、住房建设3个部门实现数据共享。" in units
    assert any(u.startswith("1 | 农村供水保障工程 | 800.00") for u in units)  # a row of the funds table
    assert "（四）供水信息平台建设" not in units and "1.建设内容" not in units


def test_sentence_vectors_are_saved_per_version_and_refused_for_another_embedding(tmp_path: Path) -> None:
    from index.chunking import chunk_document

    document = load_document(write_tables_report(tmp_path / "r"))
    passages = chunk_document(document, 320)
    vectors = embed_units("doc@v1", document, passages, FakeEmbeddings())
    store = SentenceStore(tmp_path / "index")
    store.save(vectors, "fake:64")
    again = SentenceStore(tmp_path / "index").get("doc@v1", "fake:64")
    assert again is not None and again.starts == vectors.starts
    assert np.allclose(again.matrix, vectors.matrix)
    assert np.allclose(np.linalg.norm(again.matrix, axis=1), 1.0)  # unit rows: a product is a cosine
    assert SentenceStore(tmp_path / "index").get("doc@v1", "e5:other") is None  # another model's vectors
    for path in (tmp_path / "index" / "sentences").glob("*.npz"):
        path.write_bytes(b"damaged")
    assert SentenceStore(tmp_path / "index").get("doc@v1", "fake:64") is None
    store.prune(set())
    assert not list((tmp_path / "index" / "sentences").glob("*.npz"))


def test_ingest_writes_sentence_vectors_and_an_older_index_gets_them_when_first_asked(
    tmp_settings: SettingsFactory, tmp_path: Path
) -> None:
    report = write_tables_report(tmp_path / "reports")
    corpus = open_corpus(tmp_settings())
    corpus.ingest([report])
    folder = corpus.settings.index_dir / "sentences"
    assert len(list(folder.glob("*.npz"))) == 1
    for path in folder.glob("*.npz"):
        path.unlink()  # an index made before sentences were embedded
    assistant = build_assistant(tmp_settings(), open_corpus(tmp_settings()))
    knowledge = assistant._build_knowledge()
    assert len(next(iter(knowledge.sentence_vectors.values())).starts) > 20
    assert len(list(folder.glob("*.npz"))) == 1


def test_a_question_is_embedded_once_for_retrieval_and_for_ranking_sentences() -> None:
    calls: list[str] = []

    class Counting(FakeEmbeddings):
        def embed_query(self, text: str) -> list[float]:
            calls.append(text)
            return super().embed_query(text)

    cached = CachedQueries(Counting())
    assert cached.embed_query("预算执行率是多少") == cached.embed_query("预算执行率是多少")
    assert calls == ["预算执行率是多少"] and cached.identity == "fake:64"


def test_the_nearest_sentences_retrieval_missed_join_the_candidates_with_their_own_similarity(
    tmp_path: Path,
) -> None:
    from index.chunking import chunk_document

    document = load_document(write_tables_report(tmp_path))
    passages = chunk_document(document, 320)
    first = passage_spans(passages[0], 0, document, {})
    by_start = {p.start: p for p in passages}
    wanted = next(s for p in passages[1:] for s in passage_spans(p, 0, document, {}) if "数据共享" in s.text)
    similarity = {(s.passage.document_id, s.start): 0.5 for s in first}
    similarity[wanted.key] = 0.9

    def passage_at(document_id: str, offset: int) -> Any:
        return next(p for start, p in sorted(by_start.items()) if p.start <= offset < p.end)

    spans = with_similarity(first, similarity, passage_at, lambda p, rank: passage_spans(p, rank, document, {}), 7)
    assert spans[: len(first)] == [replace(s, dense=0.5, own_dense=True) for s in first]
    added = spans[len(first) :]
    assert added and added[0].key == wanted.key and added[0].dense == 0.9 and added[0].rank == 7
    only = with_similarity(first, similarity, passage_at, lambda p, r: [], 7, only=set(), extra=0)
    assert all(s.dense == 0.0 for s in only) and len(only) == len(first)


@pytest.mark.parametrize("question", ["How many departments share data with the water supply platform?"])
def test_english_ranks_sentences_by_the_vectors_made_at_ingest_not_by_embedding_them_again(
    tmp_settings: SettingsFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    corpus = open_corpus(tmp_settings())
    corpus.ingest([write_tables_report(tmp_path / "reports")])
    assistant = build_assistant(tmp_settings(), corpus)

    def no_embedding(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("sentences embedded at question time")

    monkeypatch.setattr(corpus, "similarity", no_embedding)
    record = assistant.ask(question)
    assert record.answer
