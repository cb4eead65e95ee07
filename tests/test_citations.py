"""Tests of turning a draft's [n] markers into citations: renumbering, dangling markers, quotes."""

from __future__ import annotations

import pytest

from assistant.citations import best_quote, resolve
from index.models import Passage, ScoredPassage

PASSAGES = [
    ("3.部门预算支出情况", "2023年，我部门全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%。"),
    ("4.“三公”经费支出情况", "“三公”经费一般公共预算6.91万元，支出4.03万元。公务接待费预算1.21万元，支出0.51万元。"),
    ("5.机关运行经费预算支出情况", "2023年，机关运行经费一般公共预算56.40万元，预计支出65.85万元，完成预算85.65%。"),
    ("6.政府采购预算支出情况", "2023年，政府采购预算财政拨款936.74万元，完成采购金额936.74万元。"),
    ("7.非税收入征缴情况", "2023年，我部门非税收入预算0.66万元。"),
]


def _hits() -> list[ScoredPassage]:
    hits = []
    for number, (heading, text) in enumerate(PASSAGES, start=1):
        path = ("一、基本情况", "（三）部门整体收支情况", heading)
        start = 100 * number
        passage = Passage(f"p{number}", "d1", "报告.txt", path, text, start, start + len(text), page=number)
        hits.append(ScoredPassage(passage, 1.0 / number))
    return hits


@pytest.mark.parametrize(
    ("draft", "text", "cited_ids"),
    [
        ("甲[3]。乙[1]。丙[3][2]。", "甲[1]。乙[2]。丙[1][3]。", ["p3", "p1", "p2"]),
        ("预算完成率87.19%[1]。", "预算完成率87.19%[1]。", ["p1"]),
        ("采购936.74万元[4]，非税收入0.66万元[5]。", "采购936.74万元[1]，非税收入0.66万元[2]。", ["p4", "p5"]),
        ("甲[2][2]。乙[2]。", "甲[1]。乙[1]。", ["p2"]),
        ("甲[5][1][5]。", "甲[1][2][1]。", ["p5", "p1"]),
        ("报告未提及这方面的内容。", "报告未提及这方面的内容。", []),
    ],
)
def test_markers_are_renumbered_one_to_n_in_order_of_first_use(draft: str, text: str, cited_ids: list[str]) -> None:
    cited = resolve(draft, _hits())
    assert cited.text == text
    assert [c.passage_id for c in cited.citations] == cited_ids
    assert [c.marker for c in cited.citations] == [str(n) for n in range(1, len(cited_ids) + 1)]
    assert cited.dangling == []


@pytest.mark.parametrize(
    ("draft", "text", "dangling"),
    [
        ("预算完成率87.19%[9]。", "预算完成率87.19%。", ["[9]"]),
        ("甲[6]。乙[2]。", "甲。乙[1]。", ["[6]"]),
        ("甲[0][1]。", "甲[1]。", ["[0]"]),
        ("甲[100]。", "甲。", ["[100]"]),
    ],
)
def test_markers_pointing_past_the_passages_given_are_removed_and_reported(
    draft: str, text: str, dangling: list[str]
) -> None:
    cited = resolve(draft, _hits())
    assert cited.text == text
    assert cited.dangling == dangling
    assert all(c.passage_id in {h.passage.id for h in _hits()} for c in cited.citations)


@pytest.mark.parametrize("draft", ["见财预[2023]12号文。", "数组下标[a]不是引用。", "全角【1】不是引用。"])
def test_brackets_that_are_not_citation_markers_are_left_alone(draft: str) -> None:
    cited = resolve(draft, _hits())
    assert cited.text == draft
    assert cited.citations == [] and cited.dangling == []


def test_a_citation_carries_the_whole_passage_its_document_section_and_page() -> None:
    (citation,) = resolve("机关运行经费预计支出65.85万元[3]。", _hits()).citations
    passage = _hits()[2].passage
    assert citation.passage_id == "p3"
    assert citation.document == "报告.txt"
    assert citation.section == "一、基本情况 > （三）部门整体收支情况 > 5.机关运行经费预算支出情况"
    assert citation.text == passage.text
    assert citation.page == 3


def test_a_quote_given_by_the_answerer_is_used_as_is() -> None:
    quote = "公务接待费预算1.21万元，支出0.51万元。"
    (citation,) = resolve("公务接待费支出0.51万元[2]。", _hits(), {2: quote}).citations
    assert citation.quote == quote


def test_without_a_given_quote_the_sentence_closest_to_the_claim_before_the_marker_is_quoted() -> None:
    cited = resolve("三公经费支出4.03万元[2]。公务接待费支出0.51万元[2]。", _hits())
    (citation,) = cited.citations
    assert citation.quote == "“三公”经费一般公共预算6.91万元，支出4.03万元。"
    cited = resolve("预算完成率87.19%。公务接待费支出0.51万元[2]。", _hits())
    assert cited.citations[0].quote == "公务接待费预算1.21万元，支出0.51万元。"


@pytest.mark.parametrize(
    ("claim", "quote"),
    [
        ("公务接待费花了多少", "公务接待费预算1.21万元，支出0.51万元。"),
        ("三公经费一般公共预算", "“三公”经费一般公共预算6.91万元，支出4.03万元。"),
    ],
)
def test_best_quote_picks_the_sentence_sharing_most_with_the_claim(claim: str, quote: str) -> None:
    assert best_quote(PASSAGES[1][1], claim) == quote


def test_best_quote_of_a_passage_without_sentence_breaks_is_the_passage() -> None:
    assert best_quote("无标点的短段落文字", "随便什么") == "无标点的短段落文字"
