"""Hybrid retrieval: RRF of e5 and BM25 over the seed, English and compound questions, filters, Chroma server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_REPORT
from langchain_core.documents import Document as LCDocument

from assistant.corpus import Corpus, open_corpus
from assistant.settings import Settings
from index.catalog import Catalog, IndexedDocument
from index.embeddings import FakeEmbeddings
from index.expand import translate_english
from index.models import Document, Passage
from index.retriever import FusionWeights, HybridSearch, is_mostly_chinese, sub_queries

SettingsFactory = Callable[..., Settings]
SMALL_REPORT = "一、基本情况\n2023年，区政务服务中心受理业务157.83万宗，预算完成率99.99%。\n"


def texts(hits: list[Any]) -> list[str]:
    return [hit.passage.text for hit in hits]


def rank_of(needle: str, hits: list[Any]) -> int | None:
    return next((i for i, text in enumerate(texts(hits)) if needle in text), None)


# --- the real e5 index of the seed ---------------------------------------------------------------------------


def test_the_budget_completion_question_ranks_its_passage_first(seed_corpus_e5: Corpus) -> None:
    hits = seed_corpus_e5.search("2023年预算完成率是多少", 5)
    assert "预算完成率87.19%" in hits[0].passage.text
    assert hits[0].passage.section == "一、基本情况 > （三）部门整体收支情况 > 3.部门预算支出情况"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].dense is not None and hits[0].lexical is not None, "both sides found it"


@pytest.mark.parametrize(
    ("question", "evidence"),
    [
        ("区数据门户发布了多少个数据资源主题", "数据资源主题2667个"),
        ("信息化项目评审累计核减了多少金额", "累计核减金额约4129万元"),
        ("一件事联办套餐有多少个", "106个一件事联办套餐"),
        ("机关运行经费预计支出多少", "预计支出65.85万元"),
        ("What was the budget completion rate in 2023?", "预算完成率87.19%"),
        ("How many 5G base stations were built in 2023?", "新建5G基站2041座"),
    ],
)
def test_questions_outside_the_dev_set_find_their_evidence_in_the_top_three(
    seed_corpus_e5: Corpus, question: str, evidence: str
) -> None:
    rank = rank_of(evidence, seed_corpus_e5.search(question, 10))
    assert rank is not None and rank < 3, f"rank {rank}"


def test_a_compound_question_gets_passages_for_both_parts(seed_corpus_e5: Corpus) -> None:
    hits = seed_corpus_e5.search("公务接待费支出了多少？2023年新建了多少座5G基站？", 5)
    assert rank_of("公务接待费预算1.21万元", hits) is not None
    assert rank_of("新建5G基站2041座", hits) is not None


def test_an_english_question_is_matched_lexically_only_through_genre_terms(
    seed_corpus_e5: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = seed_corpus_e5.searcher
    lexical_queries: list[str] = []
    original = searcher._lexical.search

    def spy(query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        lexical_queries.append(query)
        return original(query, k, allowed)

    monkeypatch.setattr(searcher._lexical, "search", spy)
    question = "What was the budget execution rate in 2023?"
    seed_corpus_e5.search(question, 5)
    assert lexical_queries == [" ".join(translate_english(question))]
    assert "执行率" in lexical_queries[0] and "What" not in lexical_queries[0]
    # Words of one report (5G base stations) are in no lexicon: the multilingual dense side carries them alone.
    lexical_queries.clear()
    hits = seed_corpus_e5.search("How many 5G base stations were built in 2023?", 5)
    assert lexical_queries == [] and any("基站" in h.passage.text for h in hits)
    assert "新建5G基站2041座" in hits[0].passage.text


def test_an_english_question_without_glossary_terms_is_answered_by_the_dense_side_alone(seed_corpus_e5: Corpus) -> None:
    hits = seed_corpus_e5.search("Who wrote this, and why?", 5)
    assert len(hits) == 5
    assert all(hit.lexical is None and hit.dense is not None for hit in hits)


def test_the_langchain_retriever_returns_documents_with_passage_metadata(seed_corpus_e5: Corpus) -> None:
    question = "2023年预算完成率是多少"
    documents = seed_corpus_e5.as_retriever(k=3).invoke(question)
    hits = seed_corpus_e5.search(question, 3)
    assert len(documents) == 3 and all(isinstance(d, LCDocument) for d in documents)
    assert [d.metadata["passage_id"] for d in documents] == [h.passage.id for h in hits] == [d.id for d in documents]
    assert [d.page_content for d in documents] == texts(hits)
    first = documents[0].metadata
    assert first["section"] == "一、基本情况 > （三）部门整体收支情况 > 3.部门预算支出情况"
    assert first["score"] == pytest.approx(hits[0].score)
    assert first["document"] == hits[0].passage.document and first["page"] is None


@pytest.mark.parametrize("question", ["", "   ", "\n"])
def test_an_empty_question_retrieves_nothing(seed_corpus_fake: Corpus, question: str) -> None:
    assert seed_corpus_fake.search(question, 5) == []
    assert seed_corpus_fake.as_retriever(k=5).invoke(question) == []


# --- document filter ---------------------------------------------------------------------------------------


@pytest.fixture
def two_reports(tmp_settings: SettingsFactory, seed_path: Path, tmp_path: Path) -> Corpus:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(seed_path, folder / seed_path.name)
    (folder / "small.txt").write_text(SMALL_REPORT, encoding="utf-8")
    corpus = open_corpus(tmp_settings())
    assert len(corpus.ingest([folder]).added) == 2
    return corpus


def test_the_document_filter_restricts_results(two_reports: Corpus, seed_path: Path) -> None:
    ids = {info.name: info.id for info in two_reports.documents()}
    question = "2023年预算完成率是多少"
    both = two_reports.search(question, 10)
    assert {h.passage.document for h in both} == {seed_path.name, "small.txt"}
    only_small = two_reports.search(question, 10, document_ids={ids["small.txt"]})
    assert [h.passage.document for h in only_small] == ["small.txt"]
    only_seed = two_reports.search(question, 10, document_ids={ids[seed_path.name]})
    assert len(only_seed) == 10 and {h.passage.document for h in only_seed} == {seed_path.name}
    assert two_reports.search(question, 10, document_ids={"doc-unknown"}) == []
    retriever = two_reports.as_retriever(k=5, document_ids={ids["small.txt"]})
    assert [d.metadata["document"] for d in retriever.invoke(question)] == ["small.txt"]


# --- fusion, with stub rankings ---------------------------------------------------------------------------


class StubStore:
    """A vector store that returns a fixed dense ranking for every query."""

    def __init__(self, ranking: list[tuple[str, float]]) -> None:
        self.ranking = ranking
        self.calls: list[tuple[int, list[str]]] = []

    def query(self, vector: list[float], k: int, versions: list[str]) -> list[tuple[str, float]]:
        self.calls.append((k, list(versions)))
        return self.ranking[:k]


class StubLexical:
    """A lexical index that returns a fixed ranking, or one per query."""

    def __init__(self, ranking: list[tuple[str, float]], per_query: dict[str, list[tuple[str, float]]] | None = None):
        self.ranking = ranking
        self.per_query = per_query or {}

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        return self.per_query.get(query, self.ranking)[:k]


def stub_search(
    dense: list[tuple[str, float]], lexical: StubLexical, weights: FusionWeights | None = None
) -> HybridSearch:
    document = Document(id="doc-x", name="x.txt", text="x" * 100, sha256="0" * 64)
    passages = [
        Passage(id=pid, document_id="doc-x", document="x.txt", section_path=(), text=pid, start=i, end=i + 1)
        for i, pid in enumerate("ABCDE")
    ]
    search = HybridSearch(
        Catalog("default", "fake:64", "", [IndexedDocument(document, passages)]),
        StubStore(dense),  # type: ignore[arg-type]
        FakeEmbeddings(),
        weights=weights or FusionWeights(rrf_k=5),
    )
    search._lexical = lexical  # type: ignore[assignment]
    return search


def test_reciprocal_rank_fusion_adds_one_over_k_plus_rank_from_each_side() -> None:
    search = stub_search([("A", 0.9), ("B", 0.8), ("C", 0.7)], StubLexical([("C", 12.0), ("A", 9.0), ("D", 3.0)]))
    hits = search.search("预算完成率", 4)
    assert [h.passage.id for h in hits] == ["A", "C", "B", "D"]
    assert [h.score for h in hits] == pytest.approx([1 / 6 + 1 / 7, 1 / 8 + 1 / 6, 1 / 7, 1 / 8])
    assert [(h.dense, h.lexical) for h in hits] == [(0.9, 9.0), (0.7, 12.0), (0.8, None), (None, 3.0)]


def test_fusion_keeps_the_top_k_and_ignores_dense_ids_missing_from_the_catalog() -> None:
    search = stub_search([("ghost", 0.99), ("B", 0.8), ("A", 0.7)], StubLexical([("A", 5.0)]))
    assert [h.passage.id for h in search.search("预算", 1)] == ["A"]
    assert {h.passage.id for h in search.search("预算", 10)} == {"A", "B"}


@pytest.mark.parametrize(
    ("weights", "order"),
    [
        (FusionWeights(rrf_k=5, dense=1.0, lexical=0.0), ["A", "B", "C"]),
        (FusionWeights(rrf_k=5, dense=0.0, lexical=1.0), ["C", "B", "A"]),
        (FusionWeights(rrf_k=5, dense=1.0, lexical=3.0), ["C", "B", "A"]),
    ],
)
def test_fusion_weights_tilt_the_order(weights: FusionWeights, order: list[str]) -> None:
    dense = [("A", 0.9), ("B", 0.8), ("C", 0.7)]
    search = stub_search(dense, StubLexical([("C", 3.0), ("B", 2.0), ("A", 1.0)]), weights)
    assert [h.passage.id for h in search.search("预算", 3)] == order


def test_an_english_question_counts_the_lexical_side_at_half_weight() -> None:
    # Dense says B first, lexical says A first: at equal weight A and B tie; halving lexical puts B ahead.
    dense, lexical = [("B", 0.9), ("A", 0.8)], StubLexical([("A", 5.0), ("B", 4.0)])
    english = stub_search(dense, lexical).search("What was the budget completion rate?", 2)
    assert [h.passage.id for h in english] == ["B", "A"]
    assert english[0].score == pytest.approx(1 / 6 + 0.5 / 7)


def test_a_compound_question_adds_the_rankings_of_its_parts() -> None:
    parts = sub_queries("公务接待费支出了多少？新建了多少座5G基站？")
    assert parts == ["公务接待费支出了多少", "新建了多少座5G基站"]
    # The whole question finds only A; each part finds its own passage, which the fusion brings in.
    lexical = StubLexical([("A", 1.0)], per_query={parts[0]: [("D", 2.0)], parts[1]: [("E", 2.0)]})
    search = stub_search([], lexical)
    hits = search.search("公务接待费支出了多少？新建了多少座5G基站？", 3)
    assert [h.passage.id for h in hits] == ["A", "D", "E"]
    assert hits[1].score == pytest.approx(0.5 / 6)


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("2023年新建了多少座5G基站？", True),
        ("How many 5G base stations were built?", False),
        ("What is 预算完成率?", False),
        ("预算完成率 in 2023 是多少?", True),
        ("2023", True),
        ("？", True),
    ],
)
def test_a_question_is_chinese_when_most_of_its_letters_are(text: str, chinese: bool) -> None:
    assert is_mostly_chinese(text) is chinese


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("2023年预算完成率是多少？", ["2023年预算完成率是多少"]),
        (
            "年中预算调整的原因是什么？专项债资金实际支付了多少？",
            ["年中预算调整的原因是什么", "专项债资金实际支付了多少"],
        ),
        ("预算是多少；支出是多少。完成率呢？", ["预算是多少", "支出是多少", "完成率呢"]),
        ("What was spent? And why?", ["What was spent", "And why"]),
        ("是吗？好的。", []),
    ],
)
def test_a_compound_question_splits_into_its_parts(question: str, parts: list[str]) -> None:
    assert sub_queries(question) == parts


# --- a real Chroma server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `chroma run` on a free local port for this module; stop it afterwards."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        pytest.skip("the chroma executable is not installed")
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    port = free_port()
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                executable,
                "run",
                "--path",
                str(tmp_path_factory.mktemp("chroma-server")),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                chromadb.HttpClient(
                    host="127.0.0.1", port=port, settings=ChromaClientSettings(anonymized_telemetry=False)
                ).heartbeat()
                break
            except Exception:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.chroma_server
def test_ingest_and_search_through_a_chroma_server(chroma_url: str, tmp_settings: SettingsFactory) -> None:
    settings = tmp_settings(chroma={"url": chroma_url}, corpus="番禺区2023")
    corpus = open_corpus(settings)
    report = corpus.ingest([SEED_REPORT])
    assert report.added and corpus.store.count() == report.passages
    assert not settings.chroma_dir.exists(), "nothing is written to the embedded store"
    assert "预算完成率87.19%" in corpus.search("2023年预算完成率是多少", 3)[0].passage.text
    # A second worker process would open the same server: it sees the same corpus without ingesting.
    again = open_corpus(settings)
    assert again.ingest([SEED_REPORT]).unchanged
    assert again.store.count() == report.passages


@pytest.mark.chroma_server
def test_an_unreachable_chroma_server_is_a_store_error(tmp_settings: SettingsFactory) -> None:
    from index.store import StoreError

    settings = tmp_settings(chroma={"url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(StoreError, match="Chroma"):
        open_corpus(settings).ingest([SEED_REPORT])
