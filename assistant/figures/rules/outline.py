"""The outline's numbering: sibling headings of one kind count 一、二、三 without repeating a number.

A number used twice in a row among siblings (（三） then （三） under 一、) is a slip a reviewer sees; a number
skipped is only a 提示 (the outline may have missed a heading written as a sentence), and a count starting
again at 1 is another list under a heading the outline did not see, not a slip.
"""

from __future__ import annotations

from assistant.figures.report_view import ReportView
from assistant.figures.rules import register
from index.structure import marker_number


@register("outline", order=90)
def outline(view: ReportView) -> None:
    """Find sibling headings whose numbers repeat or skip."""
    sections = view.outline.sections
    parents = {s.path[:-1] for s in sections}
    for parent in parents:
        siblings = [s for s in sections if s.path[:-1] == parent and s.marker]
        by_kind: dict[str, list[tuple[int, str, str]]] = {}
        for s in siblings:
            number = marker_number(s.marker)
            if number is not None:
                kind = _kind(s.marker)
                by_kind.setdefault(kind, []).append((number, s.marker, s.title))
        where = " > ".join(parent) or "正文"
        for numbered in by_kind.values():
            previous: int | None = None
            for (number, marker, title), before in zip(numbered, [None, *numbered[:-1]], strict=False):
                if before is not None and number == before[0]:
                    view.add(
                        "outline",
                        f"{where}下标题编号{marker}重复使用：{before[1]}{before[2]}、{marker}{title}",
                        f"同级标题依次为{'、'.join(m for _, m, _ in numbered)}",
                        marker,
                        f"应为第{number + 1}个",
                        False,
                        [],
                        section=where,
                    )
                elif previous is not None and number > previous + 1:
                    view.add(
                        "outline",
                        f"{where}下标题编号由第{previous}个跳至{marker}{title}",
                        f"同级标题依次为{'、'.join(m for _, m, _ in numbered)}",
                        marker,
                        f"应为第{previous + 1}个",
                        True,
                        [],
                        "提示",
                        section=where,
                    )
                previous = number  # a number back at 1 starts another list (a heading above it was not seen)


def _kind(marker: str) -> str:
    """Return a marker's shape with its number taken out ("（三）" -> "（）", "3." -> ".")."""
    return "".join(ch for ch in marker if not ch.isdigit() and ch not in "一二三四五六七八九十百零〇两①②③④⑤⑥⑦⑧⑨⑩")
