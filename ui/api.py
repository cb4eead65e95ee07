"""The HTTP API for the portal: ask (whole or streamed as SSE), documents, the report audit, feedback, health."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, model_validator

from assistant.records import AnswerRecord, ChatTurn, FindingView
from assistant.service import Assistant, QuestionError, StreamEvent
from assistant.settings import Settings
from ui.feedback import FeedbackStore, UnknownRecord
from ui.uploads import UploadError, display_name, index_upload, report_dict, store_upload


class AskRequest(BaseModel):
    """A question, with the conversation so far and the reports to ask (all when omitted)."""

    question: str = Field(description="问题（中文或英文）。")
    history: list[ChatTurn] = Field(default_factory=list, description="此前的对话轮次（不含引文 HTML）。")
    documents: list[str] | None = Field(None, description="限定查询的报告 id；省略则查询全部报告。")
    mode: Literal["extractive", "llm", "fake"] | None = Field(None, description="回答方式；省略则用默认方式。")


class FeedbackRequest(BaseModel):
    """👍/👎 on an answer, named by its record id or given whole."""

    record_id: str | None = None
    record: AnswerRecord | None = None
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=4000)

    @model_validator(mode="after")
    def _names_a_record(self) -> FeedbackRequest:
        if not self.record_id and self.record is None:
            raise ValueError("需要 record_id 或完整的 record")
        return self


class DocumentOut(BaseModel):
    """An indexed report."""

    id: str
    name: str
    passages: int
    characters: int
    sha256: str


class ErrorOut(BaseModel):
    """An error, explained in Chinese."""

    error: str


def error(status: int, message: str) -> JSONResponse:
    """Return the API's error shape."""
    return JSONResponse({"error": message}, status_code=status)


def sse(event: str, data: Any) -> str:
    """Return one server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _event_data(event: StreamEvent) -> tuple[str, Any]:
    if event.kind == "record" and event.record is not None:
        return "record", event.record.model_dump(mode="json")
    return "delta", {"text": event.text}


def _document_ids(documents: list[str] | None) -> set[str] | None:
    return set(documents) if documents else None


def build_router(assistant: Assistant, store: FeedbackStore, settings: Settings) -> APIRouter:
    """Return the API routes over one assistant and feedback store."""
    router = APIRouter()
    errors: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}}

    @router.get("/healthz", tags=["运行状态"])
    def healthz() -> Any:
        """服务状态、已索引报告数、默认回答方式；向量库或索引不可用时返回 503。"""
        problem = assistant.corpus.healthy()
        if problem is not None:
            return JSONResponse({"status": "unavailable", "error": f"服务暂时不可用：{problem}"}, status_code=503)
        return {"status": "ok", "documents": len(assistant.corpus.documents()), "mode": settings.answer_mode}

    @router.post("/api/ask", response_model=AnswerRecord, responses=errors, tags=["问答"])
    def ask(body: AskRequest) -> Any:
        """提问，返回完整的回答记录（回答、引文、数字核验、警示）。"""
        try:
            record = assistant.ask(body.question, body.history, _document_ids(body.documents), body.mode)
        except QuestionError as exc:
            return error(400, str(exc))
        store.remember(record)
        return record

    @router.post("/api/ask/stream", responses={200: {"content": {"text/event-stream": {}}}, **errors}, tags=["问答"])
    def ask_stream(body: AskRequest) -> Any:
        """提问，以 SSE 流式返回：若干 `event: delta`（data 为 {"text"}），最后一个 `event: record`。"""
        events = assistant.stream(body.question, body.history, _document_ids(body.documents), body.mode)
        try:
            first = next(events)
        except QuestionError as exc:
            return error(400, str(exc))

        def body_events() -> Iterator[str]:
            event: StreamEvent | None = first
            try:
                while event is not None:
                    name, data = _event_data(event)
                    if event.record is not None:
                        store.remember(event.record)
                    yield sse(name, data)
                    event = next(events, None)
            except Exception as exc:  # the stream has started: report in-band
                yield sse("error", {"error": f"回答过程中出错：{exc}"})

        return StreamingResponse(
            body_events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.get("/api/documents", response_model=list[DocumentOut], responses=errors, tags=["报告"])
    def documents() -> list[DocumentOut]:
        """列出已索引的报告。"""
        return [DocumentOut(**vars(d)) for d in assistant.corpus.documents()]

    @router.get(
        "/api/audit",
        response_model=list[FindingView],
        responses={**errors, 404: {"model": ErrorOut}},
        tags=["报告核查"],
    )
    def audit(
        document: Annotated[list[str] | None, Query(description="只看这些报告（id，可重复）；省略则看全部。")] = None,
        show: Annotated[
            Literal["failing", "notes", "all"],
            Query(description="failing：不一致；notes：再加舍入级的提示；all：全部数字关系。"),
        ] = "failing",
    ) -> Any:
        """报告核查：报告自身数字关系的复算结果（完成率、合计、占比、得分、单位笔误、前后不一致等），附所在段落。"""
        known = {d.id for d in assistant.corpus.documents()}
        unknown = [d for d in document or [] if d not in known]
        if unknown:
            return error(404, f"没有这份报告：{'、'.join(unknown)}。")
        return assistant.review(document, show)

    @router.post(
        "/api/documents", tags=["报告"], responses={**errors, 413: {"model": ErrorOut}, 415: {"model": ErrorOut}}
    )
    def upload(
        request: Request,
        file: Annotated[UploadFile, File(description="报告文件：PDF（含扫描件）、DOCX、XLSX、TXT、MD 或图片")],
    ) -> Any:
        """上传一份报告并建立索引，返回索引结果。"""
        limit = settings.server.max_upload_mb
        try:
            length = int(request.headers.get("content-length", "0"))
        except ValueError:
            length = 0
        try:
            if length > limit * 1024 * 1024 + 64 * 1024:
                raise UploadError(413, f"文件过大，单个文件不能超过 {limit:g} MB。")
            name = display_name(file.filename)
            path = store_upload(file.file, file.filename, settings.data_dir / "uploads", limit)
            report = index_upload(assistant.corpus, path, name)
        except UploadError as exc:
            return error(exc.status, exc.message)
        result = report_dict(report)
        result["documents"] = [vars(d) for d in assistant.corpus.documents()]
        return result

    @router.delete("/api/documents/{document_id}", tags=["报告"], responses={404: {"model": ErrorOut}})
    def remove(document_id: str) -> Any:
        """从索引中移除一份报告。"""
        if not assistant.corpus.remove(document_id):
            return error(404, "没有这份报告。")
        return {"removed": document_id}

    @router.post("/api/feedback", tags=["反馈"], responses={404: {"model": ErrorOut}})
    def feedback(body: FeedbackRequest, request: Request) -> Any:
        """对一条回答点赞或点踩（可附意见），存入 SQLite。"""
        user = getattr(request.state, "user", None)
        try:
            feedback_id = store.add(
                body.rating, record=body.record, record_id=body.record_id, comment=body.comment, user=user
            )
        except UnknownRecord:
            return error(404, "找不到这条回答记录，请附上完整的 record。")
        return {"id": feedback_id, "record_id": body.record_id or (body.record.id if body.record else None)}

    return router


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error with the API's error shape, in Chinese (an index or store fault is a 503)."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from index.catalog import CatalogError
    from index.store import StoreError

    async def question_error(request: Request, exc: Exception) -> JSONResponse:
        return error(400, str(exc))

    async def upload_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, UploadError)
        return error(exc.status, exc.message)

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        return error(503, f"服务暂时不可用：{exc}")

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        body = {
            "error": f"请求格式不正确：{_explain(exc.errors())}。请按接口文档 /docs 提交。",
            "detail": _brief(exc.errors()),
        }
        return JSONResponse(body, status_code=422)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        message = _HTTP_MESSAGES.get(exc.status_code, f"请求无法处理（HTTP {exc.status_code}）。")
        return JSONResponse({"error": message, "detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        return error(500, "服务器内部错误，请稍后重试；若反复出现请联系管理员。")

    app.add_exception_handler(QuestionError, question_error)
    app.add_exception_handler(UploadError, upload_error)
    app.add_exception_handler(StoreError, unavailable)
    app.add_exception_handler(CatalogError, unavailable)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)


_HTTP_MESSAGES = {
    400: "请求体无法解析，请提交 UTF-8 编码的 JSON 或表单。",
    404: "没有这个地址。",
    405: "不支持该请求方法。",
    413: "请求过大。",
}


def _explain(errors: Any) -> str:
    """Say in Chinese what is wrong with a request body.

    >>> _explain([{"type": "missing", "loc": ("body", "rating")}, {"type": "string_too_long", "loc": ("body", "comment"),
    ...           "ctx": {"max_length": 4000}}])
    '缺少字段 rating；字段 comment 过长（最多 4000 字）'
    """
    reasons: list[str] = []
    for e in errors:
        field = ".".join(str(part) for part in tuple(e.get("loc", ()))[1:] if not isinstance(part, int))
        kind = e.get("type", "")
        if kind == "json_invalid":
            reason = "请求体不是有效的 JSON"
        elif kind == "missing":
            reason = f"缺少字段 {field}"
        elif kind == "value_error":
            reason = str(e.get("msg", "")).removeprefix("Value error, ")
        elif kind == "string_too_long":
            reason = f"字段 {field} 过长（最多 {e.get('ctx', {}).get('max_length', '?')} 字）"
        elif not field:
            reason = "请求体应为 JSON 对象" if kind == "model_attributes_type" else "请求体内容不合要求"
        else:
            reason = f"字段 {field} 的值不合要求"
        reasons.append(reason)
    return "；".join(dict.fromkeys(reasons)) or "请求体内容不合要求"


def _brief(errors: Any) -> list[dict[str, Any]]:
    """Return validation errors without the offending input (it may be huge, or a secret the client sent)."""
    return [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in errors]
