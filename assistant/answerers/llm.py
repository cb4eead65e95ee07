"""The LLM answerer: any OpenAI-compatible endpoint through langchain-openai, prompts from prompts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.answerers.base import AnswerContext, Draft
from assistant.prompts import format_passages, render
from assistant.settings import LLMSettings


class LLMUnavailable(RuntimeError):
    """The endpoint is down, timed out or answered with something unusable."""


def build_chat_model(settings: LLMSettings) -> Any:
    """Return a ChatOpenAI client for the configured endpoint (no request is made here)."""
    from langchain_openai import ChatOpenAI

    if not settings.base_url:
        raise LLMUnavailable("未配置大模型服务地址（REPORT_ASSISTANT_LLM__BASE_URL）")
    return ChatOpenAI(
        base_url=settings.base_url,
        model=settings.model,
        api_key=settings.api_key,
        temperature=settings.temperature,
        timeout=settings.timeout_s,
        max_retries=0,
        max_completion_tokens=settings.max_tokens,
    )


def build_messages(context: AnswerContext) -> list[tuple[str, str]]:
    """Return the system and user messages for a question and its passages."""
    notes = "\n".join(f"- {f.claim}（{f.formula}）" for f in context.findings if not f.holds) or "无"
    user = render(
        "answer_user",
        passages=format_passages(context.hits),
        audit_notes=notes,
        question=context.asked,
    )
    return [("system", render("answer_system")), ("human", user)]


def _unavailable(exc: Exception) -> LLMUnavailable:
    """Say in Chinese why the endpoint could not be used; the exception's class name stays for whoever debugs."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        why = "大模型服务响应超时"
    elif isinstance(exc, openai.APIConnectionError):
        why = "无法连接大模型服务"
    elif isinstance(exc, openai.APIStatusError):
        why = f"大模型服务返回错误（HTTP {exc.status_code}）"
    elif isinstance(exc, ValueError):  # a body that is not JSON, or a stream without chunks
        why = "大模型服务返回了无法解析的内容"
    else:
        why = "大模型服务调用失败"
    return LLMUnavailable(f"{why}（{type(exc).__name__}）")


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


class LLMAnswerer:
    """Drafts with a chat model; the chain checks its figures and citations afterwards."""

    mode = "llm"

    def __init__(self, model: Any) -> None:
        self.model = model

    def answer(self, context: AnswerContext) -> Draft:
        try:
            reply = self.model.invoke(build_messages(context))
        except Exception as exc:
            raise _unavailable(exc) from exc
        return self._draft(_text_of(getattr(reply, "content", reply)))

    def stream(self, context: AnswerContext) -> Iterator[str | Draft]:
        pieces: list[str] = []
        try:
            for chunk in self.model.stream(build_messages(context)):
                piece = _text_of(getattr(chunk, "content", chunk))
                if piece:
                    pieces.append(piece)
                    yield piece
        except Exception as exc:
            raise _unavailable(exc) from exc
        yield self._draft("".join(pieces))

    def _draft(self, text: str) -> Draft:
        text = text.strip()
        if not text or not any(ch.isalnum() for ch in text):
            raise LLMUnavailable("大模型返回了空的或无法识别的内容")
        refused = text.startswith(("报告未提及", "The report does not"))
        return Draft(text=text, refused=refused, mode="llm")
