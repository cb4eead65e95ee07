"""Passages: exact spans of the text along the outline; nothing lost, no number cut, no bare heading."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.loaders import load_document
from index.models import Document, Passage
from index.structure import parse_outline

NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
FIGURES = ["18,977.96", "87.19%", "2041", "13693", "1.09", "21766.40", "100%", "0.66", "4,672.31"]
WORDS = ["项目支出", "预算", "万元", "完成率", "以及", "政务服务", "数据", "基站", "全区", "年度"]
HEADINGS = [
    "一、基本情况",
    "（一）部门整体收支情况",
    "1.部门预算支出情况",
    "（1）项目支出",
    "二、综合评价分析",
    "（二）主要工作成效",
]


def doc(text: str, name: str = "synthetic.txt") -> Document:
    return Document(id="doc-synthetic", name=name, text=text, sha256="ab" * 32)


def random_report(seed: int) -> Document:
    """A report-like document: headings, numbers everywhere, sentences of every length, some with no punctuation."""
    rng = random.Random(seed)
    lines: list[str] = []
    for heading in HEADINGS:
        lines.append(heading)
        for _ in range(rng.randint(0, 3)):
            sentences = []
            for _ in range(rng.randint(1, 6)):
                words = [
                    rng.choice(FIGURES) if rng.random() < 0.3 else rng.choice(WORDS) for _ in range(rng.randint(2, 60))
                ]
                glue = rng.choice(["", "，", "、", ",", ":"])
                sentences.append(glue.join(words) + rng.choice(["。", "；", "", "！"]))
            lines.append("".join(sentences))
    if lines[-1] in HEADINGS:
        lines.append("以上为全部情况。")
    return doc("\n".join(lines), name=f"random-{seed}.txt")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_passage_invariants(document: Document, passages: list[Passage], max_chars: int) -> None:
    """Check everything a passage list promises about a document."""
    text = document.text
    assert squash("".join(p.text for p in passages)) == squash(text), "no text lost or duplicated"
    assert len({p.id for p in passages}) == len(passages)
    outline = parse_outline(document)
    first_heading = outline.sections[0].start if outline.sections else len(text)
    previous_end = 0
    for n, passage in enumerate(passages):
        assert text[passage.start : passage.end] == passage.text, "a passage is an exact span"
        assert passage.text == passage.text.strip() and passage.text
        assert passage.start >= previous_end, "spans are in order and do not overlap"
        previous_end = passage.end
        assert passage.id == f"{document.id}-{document.sha256[:8]}-{n:04d}"
        assert passage.page == document.page_at(passage.start)
        # The heading path is that of the paragraph the passage ends in; every passage under a heading has one.
        paragraphs = [p for p in outline.paragraphs if p.end > passage.start and p.start < passage.end]
        assert passage.section_path == paragraphs[-1].path
        if passage.start >= first_heading:
            assert passage.section_path, f"passage {n} has no heading path"
        assert not all(p.heading_only for p in paragraphs), f"passage {n} is a bare heading: {passage.text!r}"
        # Longer than max_chars only by folding in a small tail, which ends a run of passages with one heading path.
        if len(passage.text) > max_chars:
            assert len(passage.text) <= max_chars + max_chars // 5
            assert n == len(passages) - 1 or passages[n + 1].section_path != passage.section_path
    boundaries = {p.start for p in passages} | {p.end for p in passages}
    for number in NUMBER.finditer(text):
        cut = [b for b in boundaries if number.start() < b < number.end()]
        assert not cut, f"number {number.group()} cut at {cut}"


@pytest.fixture(scope="module")
def seed_document(seed_path: Path) -> Document:
    return load_document(seed_path)


@pytest.mark.parametrize("max_chars", [80, 160, 320, 640])
def test_seed_passages_keep_every_invariant(seed_document: Document, max_chars: int) -> None:
    assert_passage_invariants(seed_document, chunk_document(seed_document, max_chars), max_chars)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("max_chars", [80, 120])
def test_random_report_like_documents_keep_every_invariant(seed: int, max_chars: int) -> None:
    document = random_report(seed)
    assert_passage_invariants(document, chunk_document(document, max_chars), max_chars)


@pytest.mark.parametrize(
    ("figure", "offset"),
    [(figure, offset) for figure in ["18,977.96", "87.19%", "21766.40", "1.09"] for offset in range(len(figure) + 1)],
)
def test_a_forced_cut_never_falls_inside_a_number(figure: str, offset: int) -> None:
    # One sentence with no punctuation to cut at: the cut at max_chars would land `offset` characters into the figure.
    max_chars = 80
    filler = "政务服务数据管理" * 20
    text = "一、基本情况\n" + filler[: max_chars - offset] + figure + filler + "。"
    document = doc(text)
    passages = chunk_document(document, max_chars)
    assert len(passages) >= 2
    assert_passage_invariants(document, passages, max_chars)
    assert any(figure in p.text for p in passages), "the figure stays whole in one passage"


def test_a_separator_at_the_limit_is_not_taken_for_a_clause_end() -> None:
    # "18," ends exactly at max_chars: the comma is a thousands separator, not a place to cut.
    max_chars = 80
    head = "一、基本情况\n" + "政务服务数据管理" * 10
    text = head[: max_chars - 3] + "18,977.96万元" + "全区政务服务数据" * 12 + "。"
    passages = chunk_document(doc(text), max_chars)
    assert any("18,977.96" in p.text for p in passages)


def test_the_budget_completion_passage_is_whole_under_its_heading(seed_document: Document) -> None:
    passages = chunk_document(seed_document)
    [passage] = [p for p in passages if "预算完成率87.19%" in p.text]
    assert "2023年，我部门全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%。" in passage.text
    assert passage.section == "一、基本情况 > （三）部门整体收支情况 > 3.部门预算支出情况"
    assert passage.text.startswith("3.部门预算支出情况\n"), "its heading is glued to it"


def test_a_list_item_passage_carries_the_sentence_that_introduces_the_list(seed_document: Document) -> None:
    passages = chunk_document(seed_document)
    [passage] = [p for p in passages if p.text.startswith("3.负责统筹推进全区政务服务体系建设")]
    assert passage.lead == "主要职责是："
    assert passage.contextual_text(2) == f"一、基本情况 > （一）部门概况\n主要职责是：\n{passage.text}"
    assert passage.contextual_text(1).startswith("（一）部门概况\n")


def test_a_passage_cut_from_the_middle_of_a_paragraph_carries_its_opening(seed_document: Document) -> None:
    passages = chunk_document(seed_document)
    [passage] = [p for p in passages if p.text.startswith("四是推动各镇街便民服务中心")]
    assert passage.lead == "（1）推进政务服务全程标准化"


def test_chunking_is_deterministic(seed_document: Document) -> None:
    assert chunk_document(seed_document) == chunk_document(seed_document)


def test_a_document_without_an_outline_is_chunked_without_heading_paths() -> None:
    text = "\n".join(["全区全年共受理业务157.83万宗，收到主动评价286.71万次。"] * 12)
    document = doc(text)
    passages = chunk_document(document, 100)
    assert len(passages) > 1
    assert all(p.section_path == () for p in passages)
    assert_passage_invariants(document, passages, 100)


def test_passages_of_a_paged_document_know_their_page() -> None:
    from index.models import PageSpan

    first, second = "一、基本情况\n" + "预算总收入18,977.96万元。" * 6, "二、综合评价分析\n" + "自评分值为94.4分。" * 6
    document = doc(f"{first}\n{second}")
    document.pages = [PageSpan(1, 0, len(first) + 1), PageSpan(2, len(first) + 1, len(document.text) + 1)]
    passages = chunk_document(document, 80)
    assert {p.page for p in passages if p.section == "一、基本情况"} == {1}
    assert {p.page for p in passages if p.section == "二、综合评价分析"} == {2}
    assert_passage_invariants(document, passages, 80)
