"""Load prompt templates from prompts/ and render them; a missing or unknown variable fails loudly."""

from __future__ import annotations

import string
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from index.models import ScoredPassage

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(KeyError):
    """A template asked for a variable nobody gave, or was given one it does not use."""


@lru_cache(maxsize=32)
def load_template(name: str, directory: Path = PROMPTS_DIR) -> str:
    """Return the text of prompts/<name>.txt."""
    path = directory / f"{name}.txt"
    if not path.is_file():
        raise PromptError(f"提示词模板不存在：{path}")
    return path.read_text(encoding="utf-8")


def template_fields(template: str) -> set[str]:
    """Return the variable names a template uses."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def render(name: str, directory: Path = PROMPTS_DIR, **values: str) -> str:
    """Render a template with exactly the variables it uses.

    >>> render("condense", history="用户：预算完成率是多少？", question="那支出呢？").splitlines()[-3]
    '追问：那支出呢？'
    """
    template = load_template(name, directory)
    needed = template_fields(template)
    missing = needed - values.keys()
    extra = values.keys() - needed
    if missing or extra:
        raise PromptError(f"模板 {name} 变量不匹配：缺少 {sorted(missing)}，多余 {sorted(extra)}")
    return template.format(**values)


def format_passages(hits: Sequence[ScoredPassage]) -> str:
    """Number passages for a prompt, each with its document and heading path.

    >>> from index.models import Passage, ScoredPassage
    >>> p = Passage("p1", "d1", "报告.txt", ("一、基本情况",), "预算完成率87.19%。", 0, 11)
    >>> print(format_passages([ScoredPassage(p, 0.5)]))
    [1] 《报告.txt》 一、基本情况
    预算完成率87.19%。
    """
    blocks = []
    for number, hit in enumerate(hits, start=1):
        passage = hit.passage
        heading = f"[{number}] 《{passage.document}》 {passage.section}".rstrip()
        blocks.append(f"{heading}\n{passage.text}")
    return "\n\n".join(blocks)
