"""Tests of the answering chain over the seed with fake embeddings: record shape, citations, input checks,
follow-ups, streaming, and a scripted FakeAnswerer driving it through the composition root."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import make_settings
from langchain_core.runnables import Runnable

import assistant.chain as chain_module
from assistant.answerers.fake import FakeAnswerer
from assistant.chain import RETRIEVED_IN_RECORD, Turn
from assistant.records import AnswerRecord, ChatTurn
from assistant.service import Assistant, QuestionError, build_answerers, build_assistant

if TYPE_CHECKING:
    from assistant.corpus import Corpus
    from assistant.settings import Settings

_MARKER = re.compile(r"\[(\d+)\]")
_CJK = re.compile(r"[\u4e00-\u9fff]")

QUESTIONS = [
    "2023年部门全年预算数、支出和预算完成率是多少？",
    "公务接待费预算是多少？",
    "机关运行经费的预算执行情况如何？",
    "区政数局有哪些内设机构？",
    "政务服务大厅周末开放吗？",
    "How many 5G base stations were built in 2023?",
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("chain"))


@pytest.fixture
def fake() -> FakeAnswerer:
    return FakeAnswerer()


@pytest.fixture
def assistant(settings: Settings, seed_corpus_fake: Corpus, fake: FakeAnswerer) -> Assistant:
    """The seed with fake embeddings; the extractive answerer plus a scripted fake one."""
    answerers = {**build_answerers(settings, seed_corpus_fake), "fake": fake}
    return build_assistant(settings, corpus=seed_corpus_fake, answerers=answerers)


def _markers_in_order_of_first_use(text: str) -> list[str]:
    return list(dict.fromkeys(_MARKER.findall(text)))


def _comparable(record: AnswerRecord) -> dict[str, object]:
    return record.model_dump(exclude={"id", "latency_ms"})


# -- the record ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", QUESTIONS)
def test_every_record_lists_at_least_ten_retrieved_passages_in_rank_order(assistant: Assistant, question: str) -> None:
    record = assistant.ask(question)
    assert len(record.retrieved) >= RETRIEVED_IN_RECORD
    scores = [r.score for r in record.retrieved]
    assert scores == sorted(scores, reverse=True)
    assert len({r.passage_id for r in record.retrieved}) == len(record.retrieved)
    assert all(r.text and r.document for r in record.retrieved)


@pytest.mark.parametrize("question", QUESTIONS)
def test_citations_exist_exactly_for_the_markers_used_numbered_in_order_of_first_use(
    assistant: Assistant, question: str
) -> None:
    record = assistant.ask(question)
    used = _markers_in_order_of_first_use(record.answer)
    if record.refused:
        assert record.citations == [] and used == []
        return
    assert used == [str(n) for n in range(1, len(used) + 1)]
    assert [c.marker for c in record.citations] == used
    top_k = {r.passage_id: r.text for r in record.retrieved[: assistant.settings.retrieval.top_k]}
    for citation in record.citations:
        assert top_k[citation.passage_id] == citation.text
        assert citation.quote and citation.quote in citation.text


def test_a_scripted_draft_is_renumbered_and_cites_the_passages_it_named(
    assistant: Assistant, fake: FakeAnswerer
) -> None:
    fake.enqueue("甲[3]。乙[1]。丙[3][2]。")
    record = assistant.ask("2023年部门全年预算数是多少？", mode="fake")
    assert record.answer == "甲[1]。乙[2]。丙[1][3]。"
    retrieved = [r.passage_id for r in record.retrieved]
    assert [c.passage_id for c in record.citations] == [retrieved[2], retrieved[0], retrieved[1]]
    assert record.mode == "fake"


def test_passages_retrieved_but_not_cited_get_no_citation(assistant: Assistant, fake: FakeAnswerer) -> None:
    fake.enqueue("只用了第二段[2]。")
    record = assistant.ask("2023年部门全年预算数是多少？", mode="fake")
    assert [c.passage_id for c in record.citations] == [record.retrieved[1].passage_id]


def test_a_marker_beyond_the_passages_handed_to_the_answerer_is_dropped_with_a_warning(
    assistant: Assistant, fake: FakeAnswerer
) -> None:
    fake.enqueue("预算数21,766.40万元[1][6]。")  # 10 passages retrieved, but only top_k=5 were handed over
    record = assistant.ask("2023年部门全年预算数是多少？", mode="fake")
    assert record.answer == "预算数21,766.40万元[1]。"
    assert "回答中的引用标记 [6] 没有对应的段落，已删除。" in record.warnings


def test_a_dangling_marker_used_twice_is_named_once(assistant: Assistant, fake: FakeAnswerer) -> None:
    fake.enqueue("预算数21,766.40万元[9]，支出18,977.96万元[9][1]。")
    record = assistant.ask("2023年部门全年预算数是多少？", mode="fake")
    assert "回答中的引用标记 [9] 没有对应的段落，已删除。" in record.warnings


# -- questions that cannot be asked ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "问题为空"),
        ("   \n\t　", "问题为空"),
        ("\x00\x00", "问题为空"),
        ("预" * 10_000, "问题过长（10000字）"),
        ("\x00\x01\x02", "没有看懂这个问题"),
        ("？？？！！……", "没有看懂这个问题"),
    ],
)
def test_questions_that_cannot_be_asked_raise_question_error_in_chinese(
    assistant: Assistant, question: str, message: str
) -> None:
    with pytest.raises(QuestionError, match=message) as caught:
        assistant.ask(question)
    assert _CJK.search(str(caught.value))
    with pytest.raises(QuestionError, match=message):
        list(assistant.stream(question))


def test_a_question_at_the_length_limit_is_still_answered(assistant: Assistant) -> None:
    limit = assistant.settings.max_question_chars
    record = assistant.ask(("公务接待费预算是多少" * limit)[:limit], mode="fake")
    assert record.answer
    with pytest.raises(QuestionError, match=f"请精简到{limit}字以内"):
        assistant.ask("预" * (limit + 1), mode="fake")


def test_an_unknown_mode_is_a_question_error_naming_the_modes_available(assistant: Assistant) -> None:
    with pytest.raises(QuestionError, match="无法使用回答模式“oracle”") as caught:
        assistant.ask("公务接待费预算是多少？", mode="oracle")
    assert "extractive" in str(caught.value)


def test_control_characters_around_a_question_are_ignored(assistant: Assistant, fake: FakeAnswerer) -> None:
    record = assistant.ask("\x00  公务接待费预算是多少？ \n", mode="fake")
    assert record.question == "公务接待费预算是多少？"
    assert fake.seen[-1].question.text == "公务接待费预算是多少？"


# -- follow-ups ------------------------------------------------------------------------------------------------
def test_a_follow_up_is_answered_with_the_subject_of_the_previous_question(
    assistant: Assistant, fake: FakeAnswerer
) -> None:
    history = [
        ChatTurn(role="user", content="公务接待费预算是多少？"),
        ChatTurn(role="assistant", content="公务接待费预算1.21万元[1]。"),
    ]
    record = assistant.ask("那支出呢？", history=history, mode="fake")
    assert record.question == "那支出呢？"
    assert fake.seen[-1].question.text == "公务接待费支出是多少？"  # the follow-up filled the measure slot
    assert record.standalone == "公务接待费支出是多少？"
    assert "公务接待费" in record.retrieved[0].text


def test_the_extractive_answer_to_a_follow_up_names_the_figure_asked_for(assistant: Assistant) -> None:
    history = [ChatTurn(role="user", content="公务接待费预算是多少？")]
    alone = assistant.ask("那支出呢？")
    followed = assistant.ask("那支出呢？", history=history)
    assert "0.51万元" in followed.answer
    assert "0.51万元" not in alone.answer


def test_a_question_that_stands_alone_ignores_the_history(assistant: Assistant, fake: FakeAnswerer) -> None:
    history = [ChatTurn(role="user", content="公务接待费预算是多少？")]
    assistant.ask("2023年政府采购预算财政拨款是多少？", history=history, mode="fake")
    assert fake.seen[-1].question.text == "2023年政府采购预算财政拨款是多少？"


# -- the LangChain runnable ------------------------------------------------------------------------------------
def test_the_chain_is_a_langchain_runnable_of_four_named_steps(assistant: Assistant) -> None:
    runnable = assistant.chain.as_runnable()
    assert isinstance(runnable, Runnable)
    assert [step.name for step in runnable.steps] == ["condense", "retrieve", "answer", "check"]  # type: ignore[attr-defined]


def test_the_runnable_answers_a_turn_and_batches_several(assistant: Assistant) -> None:
    runnable = assistant.chain.as_runnable()
    record = runnable.invoke(Turn("公务接待费预算是多少？"))
    assert isinstance(record, AnswerRecord) and "1.21万元" in record.answer
    records = runnable.batch([Turn("公务接待费预算是多少？"), Turn("机关运行经费预算是多少？")])
    assert ["1.21万元" in records[0].answer, "56.40万元" in records[1].answer] == [True, True]


# -- streaming -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", QUESTIONS[:3])
def test_the_stream_yields_deltas_then_exactly_one_record_equal_to_ask(assistant: Assistant, question: str) -> None:
    events = list(assistant.stream(question))
    kinds = [e.kind for e in events]
    assert kinds[-1] == "record" and kinds.count("record") == 1
    assert kinds[:-1] and set(kinds[:-1]) == {"delta"}
    record = events[-1].record
    assert record is not None
    assert _comparable(record) == _comparable(assistant.ask(question))
    streamed = "".join(e.text for e in events[:-1])
    assert _MARKER.sub("", streamed) == _MARKER.sub("", record.answer)  # numbering is final only in the record


def test_a_scripted_stream_arrives_in_pieces_that_join_to_the_reply(assistant: Assistant, fake: FakeAnswerer) -> None:
    reply = "2023年全年预算数21,766.40万元，支出18,977.96万元，预算完成率87.19%[1]。"
    fake.enqueue(reply)
    events = list(assistant.stream("2023年部门全年预算数是多少？", mode="fake"))
    deltas = [e.text for e in events if e.kind == "delta"]
    assert len(deltas) > 1 and "".join(deltas) == reply
    assert events[-1].record is not None and events[-1].record.answer == reply


# -- the scripted FakeAnswerer through the composition root ----------------------------------------------------
def test_enqueued_replies_are_answered_in_order_then_the_last_repeats(assistant: Assistant, fake: FakeAnswerer) -> None:
    fake.enqueue("第一个回答[1]。", "第二个回答[2]。")
    answers = [assistant.ask("公务接待费预算是多少？", mode="fake").answer for _ in range(3)]
    assert answers == ["第一个回答[1]。", "第二个回答[1]。", "第二个回答[1]。"]
    assert len(fake.seen) == 3


def test_the_fake_answerer_sees_the_question_passages_documents_and_audit(
    assistant: Assistant, fake: FakeAnswerer
) -> None:
    assistant.ask("机关运行经费预算是多少？", mode="fake")
    context = fake.seen[-1]
    assert context.question.text == "机关运行经费预算是多少？"
    assert len(context.hits) == assistant.settings.retrieval.top_k
    assert context.documents and context.passages
    assert any("116.76%" in f.formula for f in context.findings)


def test_a_scripted_refusal_is_marked_refused_without_citations_or_figures(
    assistant: Assistant, fake: FakeAnswerer
) -> None:
    fake.enqueue("报告未提及2021年的预算。")
    record = assistant.ask("2021年的预算是多少？", mode="fake")
    assert record.refused and record.citations == [] and record.figures == []


def test_a_wrong_figure_in_a_non_extractive_draft_is_flagged(assistant: Assistant, fake: FakeAnswerer) -> None:
    fake.enqueue("公务接待费预算1.21万元，支出0.61万元[1]。")
    record = assistant.ask("公务接待费预算和支出是多少？", mode="fake")
    assert {f.text: f.status for f in record.figures} == {"1.21万元": "verified", "0.61万元": "mismatch"}
    assert "0.61万元（⚠与报告不符" in record.answer
    assert any("0.61万元" in w for w in record.warnings)


def test_answer_mode_fake_in_settings_wires_a_fake_answerer_as_the_default(
    tmp_path: Path, seed_corpus_fake: Corpus
) -> None:
    assistant = build_assistant(make_settings(tmp_path, answer_mode="fake"), corpus=seed_corpus_fake)
    assert set(assistant.answerers) == {"extractive", "fake"}
    record = assistant.ask("公务接待费预算是多少？")
    assert record.mode == "fake" and record.answer == "根据报告，见段落[1]。"
    assert len(record.citations) == 1


def test_a_refusal_never_shows_a_marker_without_a_citation(assistant: Assistant, fake: FakeAnswerer) -> None:
    fake.enqueue("报告未提及局长姓名，只列出了内设机构[1]。")
    record = assistant.ask("局长是谁？", mode="fake")
    assert record.refused
    assert len(_markers_in_order_of_first_use(record.answer)) == len(record.citations)


def test_a_question_is_read_only_once_the_report_s_own_words_are_known(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the knowledge teaches the segmenter the report's words: the first question after a start must
    be read in them as every later one is."""
    calls: list[str] = []
    frame, knowledge = chain_module.build_frame, assistant.chain._knowledge
    monkeypatch.setattr(chain_module, "build_frame", lambda *a, **k: (calls.append("frame"), frame(*a, **k))[1])
    monkeypatch.setattr(assistant.chain, "_knowledge", lambda: (calls.append("knowledge"), knowledge())[1])
    assistant.ask("公务接待费预算是多少？")
    assert "frame" in calls and calls.index("knowledge") < calls.index("frame")
