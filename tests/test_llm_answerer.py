"""Tests of the LLM answerer end to end: the real langchain-openai client against a scripted OpenAI-compatible
server on 127.0.0.1 (tests/fake_llm_server.py), through the composition root and the chain."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import openai
import pytest
from conftest import make_settings
from fake_llm_server import MODEL, FakeLLMServer, Reply, fake_llm_fixture, fake_llm_server_fixture, iter_sse
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from assistant.answerers.llm import LLMUnavailable, build_chat_model
from assistant.figures.tool import make_verify_tool
from assistant.prompts import PROMPTS_DIR, render
from assistant.records import AnswerRecord, ChatTurn
from assistant.service import Assistant, QuestionError, build_assistant
from assistant.settings import LLMSettings

if TYPE_CHECKING:
    from assistant.chain import StreamEvent

FIXTURES = (fake_llm_server_fixture, fake_llm_fixture)  # `fake_llm_server` for the module, `fake_llm` reset per test

TIMEOUT_S = 1.0
API_KEY = "sk-test-key"
QUESTION = "2023年部门全年预算数、支出和预算完成率是多少？"
BUDGET_SENTENCE = "全年预算数21766.40万元"  # how the report writes it (no thousands separator)
FALLBACK = "已改用离线摘录式回答。"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MARKER = re.compile(r"\[\d+\]")


@pytest.fixture(scope="module")
def assistant(fake_llm_server: FakeLLMServer, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The seed indexed with fake embeddings, answering through the fake server with a 1-second timeout."""
    llm = {"base_url": fake_llm_server.base_url, "timeout_s": TIMEOUT_S, "api_key": API_KEY}
    assistant = build_assistant(make_settings(tmp_path_factory.mktemp("llm"), llm=llm))
    assistant.ensure_indexed()
    return assistant


def _marker_of(assistant: Assistant, question: str, sentence: str) -> int:
    """Return the [n] under which the passage holding `sentence` is handed to the model for `question`."""
    hits = assistant.corpus.search(question, assistant.settings.retrieval.top_k)
    return next(n for n, hit in enumerate(hits, start=1) if sentence in hit.passage.text)


@pytest.fixture
def budget_marker(assistant: Assistant) -> int:
    """The [n] under which the passage stating the full-year budget is handed to the model."""
    return _marker_of(assistant, QUESTION, BUDGET_SENTENCE)


def _stream(assistant: Assistant, question: str = QUESTION) -> tuple[list[str], AnswerRecord]:
    events: list[StreamEvent] = list(assistant.stream(question, mode="llm"))
    assert [e.kind for e in events].count("record") == 1 and events[-1].kind == "record"
    assert events[-1].record is not None
    return [e.text for e in events if e.kind == "delta"], events[-1].record


def _ask(assistant: Assistant, streaming: bool) -> AnswerRecord:
    return _stream(assistant)[1] if streaming else assistant.ask(QUESTION, mode="llm")


def _comparable(record: AnswerRecord) -> dict[str, object]:
    return record.model_dump(exclude={"id", "latency_ms"})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- (a) a good reply -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("streaming", [False, True], ids=["ask", "stream"])
def test_a_correct_reply_gives_an_llm_record_with_verified_figures_and_a_real_citation(
    assistant: Assistant, fake_llm: FakeLLMServer, budget_marker: int, streaming: bool
) -> None:
    fake_llm.script(f"2023年全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%[{budget_marker}]。")
    record = _ask(assistant, streaming)
    assert record.mode == "llm" and not record.refused
    assert record.answer == "2023年全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%[1]。"
    assert [(f.text, f.status) for f in record.figures] == [
        ("21766.40万元", "verified"),
        ("18,977.96万元", "verified"),
        ("87.19%", "verified"),
    ]
    (citation,) = record.citations
    assert citation.passage_id == record.retrieved[budget_marker - 1].passage_id
    assert BUDGET_SENTENCE in citation.text and "87.19%" in citation.quote and citation.quote in citation.text
    assert citation.section.endswith("3.部门预算支出情况")
    assert not any(FALLBACK in w or "⚠" in w for w in record.warnings)
    assert len(fake_llm.completions) == 1


# -- (b) a wrong figure -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claim", "figure", "status", "flag"),
    [
        ("预算完成率85%", "85%", "mismatch", "85%（⚠与报告不符：报告为87.19%）"),
        ("支出18,977.96元", "18,977.96元", "mismatch", "18,977.96元（⚠与报告不符：报告为18,977.96万元"),
        ("全年预算数21,766.40亿元", "21,766.40亿元", "mismatch", "21,766.40亿元（⚠与报告不符"),
        ("其中信息化投入3,333.33万元", "3,333.33万元", "unverified", "3,333.33万元（⚠报告中找不到依据）"),
    ],
    ids=["rate-rounded", "wan-dropped", "wrong-magnitude", "invented"],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["ask", "stream"])
def test_a_figure_the_report_does_not_support_is_flagged_in_the_answer_and_the_warnings(
    assistant: Assistant,
    fake_llm: FakeLLMServer,
    budget_marker: int,
    streaming: bool,
    claim: str,
    figure: str,
    status: str,
    flag: str,
) -> None:
    fake_llm.script(f"根据报告，{claim}[{budget_marker}]。")
    record = _ask(assistant, streaming)
    assert record.mode == "llm"
    assert {f.text: f.status for f in record.figures}[figure] == status
    assert flag in record.answer
    assert any(w.startswith(f"数字“{figure}”") for w in record.warnings)


def test_each_flagged_figure_gets_its_own_warning_and_good_ones_none(
    assistant: Assistant, fake_llm: FakeLLMServer, budget_marker: int
) -> None:
    fake_llm.script(f"全年预算数21766.40万元，支出18,977.96元，预算完成率85%[{budget_marker}]。")
    record = assistant.ask(QUESTION, mode="llm")
    statuses = {f.text: f.status for f in record.figures}
    assert statuses == {"21766.40万元": "verified", "18,977.96元": "mismatch", "85%": "mismatch"}
    flagged = [w for w in record.warnings if w.startswith("数字“")]
    assert len(flagged) == 2 and "21766.40万元（⚠" not in record.answer


def test_a_figure_the_report_itself_gets_wrong_is_warned_about_even_when_copied_exactly(
    assistant: Assistant, fake_llm: FakeLLMServer
) -> None:
    question = "机关运行经费的预算执行情况如何？"
    marker = _marker_of(assistant, question, "预计支出65.85万元")
    fake_llm.script(f"机关运行经费一般公共预算56.40万元，预计支出65.85万元，完成预算85.65%[{marker}]。")
    record = assistant.ask(question, mode="llm")
    # The report does say 85.65%, and contradicts itself on it: shown as inconsistent, not green.
    assert {f.text: f.status for f in record.figures}["85.65%"] == "inconsistent"
    (audit,) = [w for w in record.warnings if w.startswith("报告数字不一致：")]
    assert "65.85万元 ÷ 56.40万元 = 116.76%" in audit
    assert audit in assistant.ask(question, mode="extractive").warnings  # the same words as the offline answer


# -- (c) a citation that points nowhere -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("marker", "reason"), [("[9]", "past the 5 passages"), ("[6]", "retrieved but not shown")], ids=["9", "6"]
)
def test_a_marker_for_a_passage_the_model_was_not_given_is_removed_with_a_warning(
    assistant: Assistant, fake_llm: FakeLLMServer, budget_marker: int, marker: str, reason: str
) -> None:
    fake_llm.script(f"预算完成率87.19%[{budget_marker}]{marker}。")
    record = assistant.ask(QUESTION, mode="llm")
    assert record.answer == "预算完成率87.19%[1]。", reason
    assert f"回答中的引用标记 {marker} 没有对应的段落，已删除。" in record.warnings
    assert len(record.citations) == 1


# -- (d) garbage, (e) timeouts, an endpoint that is down --------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (Reply.http_error(500), "大模型服务返回错误（HTTP 500）"),
        (Reply.http_error(400, '{"error": {"message": "context too long"}}'), "大模型服务返回错误（HTTP 400）"),
        (Reply.not_json(), "大模型服务返回了无法解析的内容"),
        (Reply.empty(), "大模型返回了空的或无法识别的内容"),
        (Reply.text_reply("……。"), "大模型返回了空的或无法识别的内容"),
    ],
    ids=["http-500", "http-400", "not-json", "empty", "punctuation-only"],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["ask", "stream"])
def test_an_unusable_reply_falls_back_to_the_extractive_answer_with_a_chinese_warning(
    assistant: Assistant, fake_llm: FakeLLMServer, reply: Reply, why: str, streaming: bool
) -> None:
    fake_llm.script(reply)
    record = _ask(assistant, streaming)
    assert record.mode == "extractive" and not record.refused
    assert "87.19%" in record.answer and record.citations
    assert record.warnings[0].startswith(why) and record.warnings[0].endswith(FALLBACK)
    assert len(fake_llm.completions) == 1  # no retries against a broken endpoint


@pytest.mark.parametrize("streaming", [False, True], ids=["ask", "stream"])
def test_a_model_slower_than_the_timeout_falls_back_within_a_bounded_time(
    assistant: Assistant, fake_llm: FakeLLMServer, streaming: bool
) -> None:
    fake_llm.script(Reply.stall(TIMEOUT_S + 2.0))
    started = time.perf_counter()
    record = _ask(assistant, streaming)
    elapsed = time.perf_counter() - started
    assert TIMEOUT_S * 0.9 <= elapsed < TIMEOUT_S + 1.5
    assert record.mode == "extractive" and "87.19%" in record.answer
    assert record.warnings[0].startswith("大模型服务响应超时") and record.warnings[0].endswith(FALLBACK)


def test_a_stream_that_stalls_midway_shows_what_came_then_the_extractive_answer(
    assistant: Assistant, fake_llm: FakeLLMServer
) -> None:
    fake_llm.script(Reply.stall(TIMEOUT_S + 2.0, text="部门全年预算数为二万余万元……", after_chunks=1))
    deltas, record = _stream(assistant)
    assert deltas[0] == "部门全年预算"
    assert deltas[1] == "\n\n"  # separates the abandoned model text from the fallback
    assert _MARKER.sub("", "".join(deltas[2:])) == _MARKER.sub("", record.answer)
    assert record.mode == "extractive" and "部门全年预算数为" not in record.answer
    assert record.warnings[0].startswith("大模型服务响应超时")


def test_an_endpoint_that_is_down_falls_back_with_a_warning(tmp_path: Path, assistant: Assistant) -> None:
    llm = {"base_url": f"http://127.0.0.1:{_free_port()}/v1", "timeout_s": TIMEOUT_S}
    down = build_assistant(make_settings(tmp_path, llm=llm), corpus=assistant.corpus)
    record = down.ask(QUESTION, mode="llm")
    assert record.mode == "extractive"
    assert record.warnings[0].startswith("无法连接大模型服务") and record.warnings[0].endswith(FALLBACK)


# -- (f) streaming ----------------------------------------------------------------------------------------------
def test_deltas_arrive_while_the_model_is_still_writing_and_the_record_comes_last(
    assistant: Assistant, fake_llm: FakeLLMServer, budget_marker: int
) -> None:
    pause = 0.6  # shorter than the timeout: a slow model, not a dead one
    reply = f"2023年全年预算数21766.40万元，支出18,977.96万元，预算完成率87.19%[{budget_marker}]。"
    fake_llm.script(Reply.stall(pause, text=reply, after_chunks=2))
    started = time.perf_counter()
    arrivals: list[tuple[str, float]] = []
    for event in assistant.stream(QUESTION, mode="llm"):
        arrivals.append((event.kind, time.perf_counter() - started))
    kinds = [kind for kind, _ in arrivals]
    assert kinds[-1] == "record" and set(kinds[:-1]) == {"delta"} and len(kinds) > 3
    first_delta, record_at = arrivals[0][1], arrivals[-1][1]
    assert first_delta < record_at - pause * 0.8


def test_the_streamed_record_equals_the_record_of_the_same_reply_asked_without_streaming(
    assistant: Assistant, fake_llm: FakeLLMServer, budget_marker: int
) -> None:
    reply = f"全年预算数21766.40万元[{budget_marker}]，支出18,977.96元，预算完成率85%[{budget_marker}][9]。"
    fake_llm.script(reply, reply)
    asked = assistant.ask(QUESTION, mode="llm")
    deltas, streamed = _stream(assistant)
    # The stream shows the reply with its markers numbered as the record numbers them, the dangling [9] gone.
    assert "".join(deltas) == reply.replace(f"[{budget_marker}]", "[1]").replace("[9]", "")
    assert _comparable(streamed) == _comparable(asked)
    assert [r.streaming for r in fake_llm.completions] == [False, True]


# -- (g) the prompt sent ----------------------------------------------------------------------------------------
def test_the_request_carries_the_system_rules_and_the_numbered_passages_with_heading_paths(
    assistant: Assistant, fake_llm: FakeLLMServer
) -> None:
    fake_llm.script("预算完成率87.19%[1]。")
    record = assistant.ask(QUESTION, mode="llm")
    (request,) = fake_llm.completions
    assert request.message("system") == render("answer_system")
    assert request.message("system") == (PROMPTS_DIR / "answer_system.txt").read_text(encoding="utf-8")
    user = request.message("user")
    top_k = assistant.settings.retrieval.top_k
    for number, passage in enumerate(record.retrieved[:top_k], start=1):
        assert f"[{number}] 《{passage.document}》 {passage.section}\n{passage.text}" in user
    assert f"[{top_k + 1}] 《" not in user
    assert user.startswith("报告段落：\n[1] 《") and user.endswith(f"问题：{QUESTION}\n")
    assert "116.76%" in user  # the report's own arithmetic errors go to the model as audit notes
    assert [m["role"] for m in request.messages] == ["system", "user"]


def test_the_request_uses_the_configured_model_key_and_sampling(assistant: Assistant, fake_llm: FakeLLMServer) -> None:
    fake_llm.script("预算完成率87.19%[1]。", "预算完成率87.19%[1]。")
    assistant.ask(QUESTION, mode="llm")
    _stream(assistant)
    plain, streamed = fake_llm.completions
    llm = assistant.settings.llm
    for request in (plain, streamed):
        assert request.path == "/v1/chat/completions"
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        assert request.body["model"] == llm.model and request.body["temperature"] == llm.temperature
        assert request.body["max_completion_tokens"] == llm.max_tokens
    assert not plain.streaming and streamed.streaming


def test_a_follow_up_sends_the_condensed_question(assistant: Assistant, fake_llm: FakeLLMServer) -> None:
    fake_llm.script("支出0.51万元[1]。")
    history = [ChatTurn(role="user", content="公务接待费预算是多少？")]
    record = assistant.ask("那支出呢？", history=history, mode="llm")
    assert fake_llm.completions[0].message("user").endswith("问题：公务接待费支出是多少？\n")
    assert record.standalone == "公务接待费支出是多少？"
    assert record.figures[0].status == "verified"


# -- (h) no endpoint configured ---------------------------------------------------------------------------------
def test_llm_mode_without_an_endpoint_is_a_clear_chinese_question_error(tmp_path: Path, assistant: Assistant) -> None:
    offline = build_assistant(make_settings(tmp_path), corpus=assistant.corpus)
    assert "llm" not in offline.answerers
    with pytest.raises(QuestionError, match=r"未配置大模型服务地址（REPORT_ASSISTANT_LLM__BASE_URL）") as caught:
        offline.ask(QUESTION, mode="llm")
    assert "extractive" in str(caught.value)
    with pytest.raises(QuestionError, match="未配置大模型服务地址"):
        list(offline.stream(QUESTION, mode="llm"))


def test_building_a_chat_model_without_an_endpoint_says_which_setting_is_missing() -> None:
    with pytest.raises(LLMUnavailable, match="REPORT_ASSISTANT_LLM__BASE_URL"):
        build_chat_model(LLMSettings())


# -- the figure check as a LangChain tool -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def verify_tool(assistant: Assistant) -> BaseTool:
    return make_verify_tool(assistant.corpus.loaded_documents(), assistant.corpus.passages())


def test_the_verify_tool_is_a_langchain_tool_with_a_text_argument(verify_tool: BaseTool) -> None:
    assert isinstance(verify_tool, BaseTool) and verify_tool.name == "verify_figures"
    schema = convert_to_openai_tool(verify_tool)
    assert schema["function"]["name"] == "verify_figures"
    assert schema["function"]["parameters"]["required"] == ["text"]
    assert _CJK.search(schema["function"]["description"])


def test_invoking_the_verify_tool_returns_json_verdicts(verify_tool: BaseTool) -> None:
    output = verify_tool.invoke({"text": "预算完成率87.19%，支出18,977.96元，剩余预算1.21万元−0.51万元=0.70万元。"})
    verdicts = {f["text"]: f["status"] for f in json.loads(output)["figures"]}
    assert verdicts["87.19%"] == "verified"
    assert verdicts["18,977.96元"] == "mismatch"
    assert verdicts["0.70万元"] == "derived"


def test_a_model_bound_to_the_verify_tool_can_call_it(
    assistant: Assistant, fake_llm: FakeLLMServer, verify_tool: BaseTool
) -> None:
    fake_llm.script(Reply.tool_call("verify_figures", {"text": "预算完成率85%"}))
    model = build_chat_model(assistant.settings.llm).bind_tools([verify_tool])
    message = model.invoke("请核验：预算完成率85%")
    (request,) = fake_llm.completions
    assert request.body["tools"][0]["function"]["name"] == "verify_figures"
    (call,) = message.tool_calls
    result = verify_tool.invoke(call)
    assert isinstance(result, ToolMessage) and result.tool_call_id == call["id"]
    (verdict,) = json.loads(result.content)["figures"]
    assert verdict["status"] == "mismatch" and "87.19%" in verdict["note"]


# -- the fake server speaks the protocol ------------------------------------------------------------------------
def test_the_fake_server_lists_its_model_to_the_openai_client(fake_llm: FakeLLMServer) -> None:
    client = openai.OpenAI(base_url=fake_llm.base_url, api_key=API_KEY, max_retries=0)
    assert [m.id for m in client.models.list()] == [MODEL]


def test_the_fake_server_streams_sse_chunks_ending_with_done(fake_llm: FakeLLMServer) -> None:
    fake_llm.script(Reply.text_reply("预算完成率87.19%。", chunk_chars=4))
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "完成率？"}]}
    response = httpx.post(f"{fake_llm.base_url}/chat/completions", json=body, timeout=5)
    assert response.headers["content-type"].startswith("text/event-stream")
    payloads = list(iter_sse(response.text))
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "预算完成率87.19%。"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert fake_llm.completions[0].message("user") == "完成率？"


def test_the_fake_server_answers_500_when_its_script_runs_out(fake_llm: FakeLLMServer) -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{fake_llm.base_url}/chat/completions", json=body, timeout=5)
    assert response.status_code == 500 and fake_llm.unscripted == 1


@pytest.fixture
def own_server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


def test_stopping_the_server_cuts_a_stall_short(own_server: FakeLLMServer) -> None:
    own_server.script(Reply.stall(30.0))
    with pytest.raises(httpx.TimeoutException):
        httpx.post(f"{own_server.base_url}/chat/completions", json={"messages": []}, timeout=0.2)
    started = time.perf_counter()
    own_server.stop()
    assert time.perf_counter() - started < 2.0
