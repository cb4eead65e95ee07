"""The three dev reports loaded from their published form (PDF with tables, DOCX, hard-wrapped extract): every
evidence string of their questions lies inside one passage, under the section the question set names."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.questions import load_questions
from assistant.settings import Settings
from index.chunking import chunk_document
from index.loaders import load_document
from index.models import Document, Passage
from index.text import normalise
from tests.conftest import REPO

CORPUS = REPO / "seeds" / "corpus"
PUBLISHED = {
    "jiaotong-2024": "report.pdf",
    "minzheng-2023": "report.docx",
    "shengtai-2022": "report_extract.txt",
}


@pytest.fixture(scope="module")
def loaded() -> dict[str, tuple[Document, list[Passage]]]:
    max_chars = Settings(_env_file=None).retrieval.max_passage_chars  # type: ignore[call-arg]
    out: dict[str, tuple[Document, list[Passage]]] = {}
    for name, published in PUBLISHED.items():
        document = load_document(CORPUS / name / published)
        out[name] = (document, chunk_document(document, max_chars))
    return out


def evidence(name: str) -> list[tuple[str, str, str]]:
    """Return (question id, evidence string, expected sections) of every answerable question of a report."""
    return [
        (q.id, item, q.section)
        for q in load_questions(Path(CORPUS / name / "questions.jsonl"))
        if q.answerable
        for item in q.evidence
    ]


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_evidence_string_lies_inside_a_single_passage(
    loaded: dict[str, tuple[Document, list[Passage]]], name: str
) -> None:
    _, passages = loaded[name]
    texts = [normalise(p.text) for p in passages]
    cut = [f"{qid}: {item}" for qid, item, _ in evidence(name) if not any(normalise(item) in t for t in texts)]
    assert cut == []


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_the_passage_holding_the_evidence_sits_under_the_section_the_question_names(
    loaded: dict[str, tuple[Document, list[Passage]]], name: str
) -> None:
    _, passages = loaded[name]
    placed = total = 0
    for _, item, sections in evidence(name):
        expected = [normalise(s) for s in sections.split(" ; ")]
        holders = [normalise(" > ".join(p.section_path)) for p in passages if normalise(item) in normalise(p.text)]
        total += 1
        placed += any(h == e or h.startswith(e + ">") for h in holders for e in expected)
    assert placed / total >= 0.98, (placed, total)


def test_the_pdf_tables_are_rows_with_headers_and_the_page_spanning_one_is_joined(
    loaded: dict[str, tuple[Document, list[Passage]]],
) -> None:
    document, _ = loaded["jiaotong-2024"]
    assert [t.caption[:2] for t in document.tables] == ["表1", "表2", "表3", "表4", "表5", "表6"]
    transit = document.tables[2]
    assert len(transit.rows) == 14 and transit.rows[-1].cells[0] == "合计"  # page 7 and page 8 joined
    assert document.text.count("一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分") == 4
    lines = document.text.split("\n")
    assert "产出指标 | 质量指标 | 公交准点率 | ≥90% | 92.3% | 5 | 6" in lines
    assert any("养护工程(大中修)支出1,934.60万元" in line for line in lines), "no sentence cut at a line break"


def test_a_docx_score_equal_to_its_maximum_is_kept(loaded: dict[str, tuple[Document, list[Passage]]]) -> None:
    document, _ = loaded["minzheng-2023"]
    assert "过程 | 资产管理 | 固定资产利用率 | 2 | 2 | —" in document.text.split("\n")
    assert [len(t.rows) for t in document.tables] == [11, 9, 26]
