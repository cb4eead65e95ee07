"""The answer record: the one contract shared by the UI, the HTTP API, `ask --json` and eval."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FigureStatus = Literal["verified", "derived", "inconsistent", "mismatch", "unverified"]
AnswerMode = Literal["extractive", "llm", "fake"]


class Citation(BaseModel):
    """A marker in the answer and the passage (and sentence) it points to."""

    marker: str
    passage_id: str
    document: str
    section: str
    text: str = Field(description="The whole passage text.")
    quote: str = Field(description="The sentence of the passage the answer used.")
    page: int | None = None
    ocr: bool = Field(default=False, description="The passage was read by OCR from a scanned page: check it.")


class RetrievedPassage(BaseModel):
    """A passage as retrieved, in rank order."""

    passage_id: str
    document: str = ""
    section: str
    text: str
    score: float


class FigureCheck(BaseModel):
    """The verdict on one figure quoted in an answer."""

    text: str
    value: float
    unit: str
    status: FigureStatus
    source: str = ""
    note: str = ""


class AnswerRecord(BaseModel):
    """One question answered: text with [n] markers, citations, figure checks and warnings."""

    id: str
    question: str
    answer: str
    standalone: str = Field(
        "", description="The question made stand-alone with the conversation (a follow-up's filled slots)."
    )
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[RetrievedPassage] = Field(default_factory=list)
    figures: list[FigureCheck] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    mode: AnswerMode = "extractive"
    latency_ms: float = 0.0


class ChatTurn(BaseModel):
    """One earlier exchange of a conversation."""

    role: Literal["user", "assistant"]
    content: str


class FindingPassage(BaseModel):
    """A passage a finding rests on, with the finding's figures marked in it."""

    passage_id: str
    section: str
    page: int | None = None
    text: str
    marks: list[tuple[int, int]] = Field(
        default_factory=list, description="Character spans of the finding's figures in `text`."
    )


class FindingView(BaseModel):
    """One audit finding of a report as the 报告核查 view and `GET /api/audit` show it."""

    document_id: str
    document: str
    severity: Literal["成立", "提示", "不一致"]
    kind: str
    kind_label: str = Field(description="What kind of relation, in Chinese (完成率、分项合计…).")
    claim: str
    formula: str
    stated: str
    computed: str
    holds: bool
    section: str
    passages: list[FindingPassage] = Field(default_factory=list)
