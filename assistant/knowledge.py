"""What the answerers know of the indexed reports: documents, passages, fact tables with the audit applied.

Built once per set of document versions and shared by every question until the corpus changes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.evidence.weights import TermWeights
from assistant.figures import AuditFinding, ReportFigures, failing
from assistant.figures.audit import audit_index
from assistant.figures.verify import report_figures
from index.facts import Fact, FactTable, heading_title, restatements
from index.models import Document, Passage
from index.segment import add_vocabulary
from index.sentences import SentenceVectors, unit_vector


@dataclass
class Knowledge:
    """Documents, passages and fact tables of the reports asked about, with the audit's findings."""

    documents: list[Document]
    passages: list[Passage]
    fact_tables: dict[str, FactTable]
    findings: list[AuditFinding]
    figures: ReportFigures
    weights: TermWeights
    sentence_vectors: dict[str, SentenceVectors] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()  # the reports' own words the segmenter reads questions with
    _by_document: dict[str, list[Passage]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for passage in self.passages:
            self._by_document.setdefault(passage.document_id, []).append(passage)

    def teach(self) -> None:
        """Have the segmenter read with these reports' words (and no other reports'): a process that holds the
        knowledge of several corpora reads each question as its own corpus alone would."""
        add_vocabulary(self.vocabulary)

    def document(self, document_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == document_id), None)

    def passage_at(self, document_id: str, offset: int) -> Passage | None:
        """Return the passage of a document that holds a character offset."""
        return next((p for p in self._by_document.get(document_id, []) if p.start <= offset < p.end), None)

    def facts(self, document_ids: set[str] | None = None) -> list[Fact]:
        """Return the facts of the documents (all when None), in document and text order."""
        return [
            fact
            for document_id, table in self.fact_tables.items()
            if document_ids is None or document_id in document_ids
            for fact in table.facts
        ]

    def children(self, document_ids: set[str]) -> dict[tuple[str, tuple[str, ...]], list[Passage]]:
        """Return, per (document, section path), the first passage of each of its sub-sections in order."""
        out: dict[tuple[str, tuple[str, ...]], list[Passage]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for passage in self.passages:
            if passage.document_id not in document_ids:
                continue
            path = passage.section_path
            out.setdefault((passage.document_id, (*path, "")), []).append(passage)  # the section's own passages
            for depth in range(len(path)):
                child = (passage.document_id, path[: depth + 1])
                if child in seen:
                    continue
                seen.add(child)
                out.setdefault((passage.document_id, path[:depth]), []).append(passage)
        return out

    def sentence_similarity(
        self, query: Sequence[float] | None, document_ids: set[str] | None = None
    ) -> dict[tuple[str, int], float]:
        """Return every sentence's embedding similarity to a question, by (document, start offset); empty when
        no query vector or no sentence vectors are at hand."""
        if query is None:
            return {}
        vector = unit_vector(query)
        out: dict[tuple[str, int], float] = {}
        for document_id, vectors in self.sentence_vectors.items():
            if document_ids is not None and document_id not in document_ids:
                continue
            if vectors.matrix.shape[1:] != vector.shape:
                continue  # made by another embedding: not comparable
            for start, score in vectors.similarity(vector).items():
                out[(document_id, start)] = score
        return out

    def facts_in(self, document_id: str, start: int, end: int) -> list[Fact]:
        """Return the facts of a document whose figure starts inside [start, end)."""
        table = self.fact_tables.get(document_id)
        return table.in_span(start, end) if table else []


def _corrected(tables: dict[str, FactTable], figures: ReportFigures, findings: Sequence[AuditFinding]) -> None:
    """Apply the audit to the fact tables: unit corrections (with the reason) and failing relations."""
    for document_id, table in list(tables.items()):
        updates: dict[int, dict[str, object]] = {}
        for fact in table.facts:
            correction = figures.corrections.get((document_id, fact.start))
            if correction is not None and correction[1] is not None:
                fixed = correction[1]
                updates[fact.id] = {"corrected": fixed.base / fact.magnitude, "correction": correction[0]}
        for finding in failing(findings):
            if finding.document_id != document_id:
                continue
            for figure in finding.figures:
                found = table.at(figure.start)
                if found is None:
                    continue
                said = f"{finding.claim}（核算：{finding.formula}）"
                for same in (found, *restatements(table.facts, found)):
                    entry = updates.setdefault(same.id, {})
                    claims: tuple[str, ...] = tuple(entry.get("inconsistent", same.inconsistent))  # type: ignore[arg-type]
                    if said not in claims:
                        entry["inconsistent"] = (*claims, said)
        if updates:
            tables[document_id] = table.with_updates(updates)


_QUOTED = re.compile(r"[“\"]([^”\"]{2,16})[”\"]")


def _vocabulary(documents: Sequence[Document], tables: dict[str, FactTable], passages: Sequence[Passage]) -> set[str]:
    """Return the words a report teaches the segmenter: subjects, row labels, headings, quoted terms."""
    found: set[str] = set()
    for table in tables.values():
        for fact in table.facts:
            if 2 <= len(fact.subject) <= 12 and " " not in fact.subject:
                found.add(fact.subject)
    for passage in passages:
        for heading in passage.section_path:
            title = re.split(r"[，。；：、,（(]", heading_title(heading))[0]
            if 2 <= len(title) <= 12:
                found.add(title)
    for document in documents:
        found.update(m.group(1) for m in _QUOTED.finditer(document.text))
    return found


def build_knowledge(
    documents: Sequence[Document],
    passages: Sequence[Passage],
    fact_table: Callable[[Document], FactTable],
    sentence_vectors: Callable[[Document], SentenceVectors | None] | None = None,
) -> Knowledge:
    """Assemble the knowledge of a set of documents (fact tables and sentence vectors read from the store,
    audit run once)."""
    tables = {d.id: fact_table(d) for d in documents}
    vectors = {d.id: v for d in documents if sentence_vectors and (v := sentence_vectors(d)) is not None}
    figures = report_figures(documents, passages, tables)
    findings = audit_index(figures)
    corrected = dict(tables)
    _corrected(corrected, figures, findings)
    knowledge = Knowledge(
        vocabulary=frozenset(_vocabulary(documents, corrected, passages)),
        documents=list(documents),
        passages=list(passages),
        fact_tables=corrected,
        findings=findings,
        figures=figures,
        weights=TermWeights(passages),
        sentence_vectors=vectors,
    )
    knowledge.teach()
    return knowledge


class KnowledgeCache:
    """The knowledge of the current corpus, rebuilt when its document versions change."""

    def __init__(self, versions: Callable[[], Sequence[str]], build: Callable[[], Knowledge]) -> None:
        self._versions = versions
        self._build = build
        self._key: tuple[str, ...] | None = None
        self._value: Knowledge | None = None
        self._lock = threading.Lock()

    def get(self) -> Knowledge:
        key = tuple(self._versions())
        with self._lock:
            if self._value is None or key != self._key:
                self._value = self._build()
                self._key = key
            self._value.teach()
            return self._value


__all__ = ["Knowledge", "KnowledgeCache", "build_knowledge"]
