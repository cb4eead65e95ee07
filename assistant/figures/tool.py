"""Wrap figure verification as a LangChain tool an LLM agent can call."""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from assistant.figures.verify import report_figures
from index.models import Document, Passage


class VerifyFiguresInput(BaseModel):
    """Arguments of the verify_figures tool."""

    text: str = Field(description="要核验的文字（如回答草稿），其中的数字将与报告逐一比对。")


def make_verify_tool(documents: Sequence[Document], passages: Sequence[Passage] = ()) -> StructuredTool:
    """Return a tool that checks every figure of a text against the given report(s) and returns JSON."""
    index = report_figures(documents, passages)

    def verify_figures(text: str) -> str:
        checks = index.check(text)
        return json.dumps({"figures": [c.model_dump() for c in checks]}, ensure_ascii=False)

    return StructuredTool.from_function(
        func=verify_figures,
        name="verify_figures",
        description=(
            "核验文字中的每个数字是否与报告一致：verified（报告原文有）、derived（可由报告数字算出，附公式）、"
            "mismatch（与报告不符，附报告数值）、unverified（报告中找不到依据）。输入为要核验的文字。"
        ),
        args_schema=VerifyFiguresInput,
    )
