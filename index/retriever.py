"""Hybrid retrieval: reciprocal rank fusion of dense (Chroma) and lexical (BM25) rankings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.catalog import Catalog
from index.embeddings import ReportEmbeddings
from index.expand import expand_chinese, translate_english
from index.lexical import LexicalIndex
from index.models import Passage, ScoredPassage
from index.store import VectorStore

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
_SUBQUERY_SPLIT = re.compile(r"[？?；;。!！]+")


def is_mostly_chinese(text: str) -> bool:
    """Tell whether most letters of a text are Chinese characters.

    >>> is_mostly_chinese("How many 5G base stations were built?")
    False
    >>> is_mostly_chinese("2023年新建了多少座5G基站？")
    True
    """
    letters = _LETTER.findall(text)
    if not letters:
        return True
    return len(_CJK.findall(text)) * 2 >= len(letters)


def sub_queries(question: str) -> list[str]:
    """Split a compound question into its parts (two questions asked in one breath).

    >>> sub_queries("年中预算调整的原因是什么？专项债资金实际支付了多少？")
    ['年中预算调整的原因是什么', '专项债资金实际支付了多少']
    """
    parts = [p.strip(" ，,") for p in _SUBQUERY_SPLIT.split(question)]
    return [p for p in parts if len(p) >= 4]


@dataclass(frozen=True)
class FusionWeights:
    rrf_k: int = 5
    dense: float = 1.0
    lexical: float = 1.0
    parts: float = 1.0  # total weight of the sub-question rankings of a compound question


class HybridSearch:
    """Search the passages of a catalog with dense and lexical rankings fused by RRF."""

    def __init__(
        self,
        catalog: Catalog,
        store: VectorStore,
        embeddings: ReportEmbeddings,
        candidates: int = 40,
        weights: FusionWeights | None = None,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.embeddings = embeddings
        self.candidates = candidates
        self.weights = weights or FusionWeights()
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the in-memory lookups after the catalog changed."""
        passages = self.catalog.passages()
        self._by_id: dict[str, Passage] = {p.id: p for p in passages}
        self._lexical = LexicalIndex([p.id for p in passages], [p.contextual_text() for p in passages])

    def passage(self, passage_id: str) -> Passage | None:
        return self._by_id.get(passage_id)

    def _rankings(
        self, query: str, versions: Sequence[str], allowed: set[str] | None, n: int, chinese: bool
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        dense = self.store.query(self.embeddings.embed_query(query), n, versions)
        dense = [(pid, s) for pid, s in dense if pid in self._by_id]
        # English questions: the dense side carries them; report terms from the glossary help lexically.
        lexical_query = " ".join([query, *expand_chinese(query)]) if chinese else " ".join(translate_english(query))
        lexical = self._lexical.search(lexical_query, n, allowed) if lexical_query.strip() else []
        return dense, lexical

    def search(self, query: str, k: int = 5, document_ids: set[str] | None = None) -> list[ScoredPassage]:
        """Return the top-k passages for a query, best first."""
        versions = self.catalog.versions(document_ids)
        if not versions or not query.strip():
            return []
        allowed = None if document_ids is None else {p.id for p in self.catalog.passages(document_ids)}
        n = min(self.candidates, len(allowed) if allowed is not None else len(self._by_id))
        chinese = is_mostly_chinese(query)
        fused: dict[str, float] = {}
        dense_scores: dict[str, float] = {}
        lexical_scores: dict[str, float] = {}
        w = self.weights

        def add(ranking: list[tuple[str, float]], weight: float, scores: dict[str, float]) -> None:
            for rank, (pid, score) in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + weight / (w.rrf_k + rank + 1)
                scores.setdefault(pid, score)

        dense, lexical = self._rankings(query, versions, allowed, n, chinese)
        add(dense, w.dense, dense_scores)
        add(lexical, w.lexical if chinese else w.lexical / 2, lexical_scores)
        parts = sub_queries(query)
        if len(parts) >= 2:
            for part in parts:
                p_dense, p_lexical = self._rankings(part, versions, allowed, n, chinese)
                add(p_dense, w.parts * w.dense / len(parts), {})
                add(p_lexical, w.parts * w.lexical / len(parts), {})
        ranked = sorted(fused.items(), key=lambda item: -item[1])[:k]
        return [
            ScoredPassage(self._by_id[pid], score, dense_scores.get(pid), lexical_scores.get(pid))
            for pid, score in ranked
        ]


class HybridRetriever(BaseRetriever):
    """LangChain retriever over HybridSearch; each Document carries passage id, section and score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: Any
    k: int = 5
    document_ids: set[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        hits: list[ScoredPassage] = self.search.search(query, self.k, self.document_ids)
        return [
            LCDocument(
                page_content=hit.passage.text,
                metadata={
                    "passage_id": hit.passage.id,
                    "document": hit.passage.document,
                    "section": hit.passage.section,
                    "score": hit.score,
                    "page": hit.passage.page,
                },
                id=hit.passage.id,
            )
            for hit in hits
        ]
