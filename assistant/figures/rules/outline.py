"""The outline's numbering: sibling headings of one kind count 一、二、三 without repeating a number.

A number used twice among siblings (two （三） under 一、) is a slip a reviewer sees; a number skipped is only a
提示 (the outline may have missed a heading written as a sentence).
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
            seen: dict[int, str] = {}
            expected = numbered[0][0] if numbered else 1
            for number, marker, title in numbered:
                if number in seen:
                    view.add(
                        "outline",
                        f"{where}下标题编号{marker}重复使用：{seen[number]}、{marker}{title}",
                        f"同级标题依次为{'、'.join(m for _, m, _ in numbered)}",
                        marker,
                        f"应为第{expected}个",
                        False,
                        [],
                        section=where,
                    )
                elif number != expected:
                    view.add(
                        "outline",
                        f"{where}下标题编号由{expected - 1}跳至{number}（{marker}{title}）",
                        f"同级标题依次为{'、'.join(m for _, m, _ in numbered)}",
                        marker,
                        f"应为第{expected}个",
                        True,
                        [],
                        "提示",
                        section=where,
                    )
                seen.setdefault(number, f"{marker}{title}")
                expected = max(expected, number) + 1


def _kind(marker: str) -> str:
    """Return a marker's shape with its number taken out ("（三）" -> "（）", "3." -> ".")."""
    return "".join(ch for ch in marker if not ch.isdigit() and ch not in "一二三四五六七八九十百零〇两①②③④⑤⑥⑦⑧⑨⑩")
