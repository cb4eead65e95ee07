"""Table totals: a 合计 row is the sum of the rows above it, a parent row of its children, column by column.

A table's rows relate through their labels: a total row (合计, 总分, 年度资金总额) sums the top-level rows of its
block; a row numbered 一、 sums the rows numbered 1. below it; rows opened by 其中 are parts of the row above
(they may not cover it, so only parts that exceed it fail); an average row (平均得分) is the mean of its block.
Percent columns are not summed (their rows' rates are checked by the rates rule). A total that fails alone
but holds with the rows of the table just before it in the same section (a form split into two grids) holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.figures.relations import (
    FindingKind,
    Magnitudes,
    Outcome,
    difference,
    mean,
    quantity,
    shown,
    shown_in,
    solve,
    total,
)
from assistant.figures.report_view import ReportView, Row
from assistant.figures.rules import register
from index.facts import Fact

_SUMMED = frozenset({"money", "count", "score", "measure"})
_NOT_SUMMED_ROLES = frozenset({"rate", "share", "change", "target"})


@dataclass(frozen=True)
class _Relation:
    whole: Row
    parts: tuple[Row, ...]
    complete: bool  # the parts cover the whole (a total or parent row), not 其中 rows
    average: bool = False


@register("table_totals", order=20)
def table_totals(view: ReportView) -> None:
    """Recompute every total, subtotal, 其中 and average row of every table."""
    for index in range(len(view.document.tables)):
        rows = view.rows(index)
        table = view.document.tables[index]
        firsts: list[str] = []
        for r in rows:  # a first cell left empty under a vertical merge is the merged cell's
            cell = table.rows[r.index].cells[0] if table.rows[r.index].cells else ""
            firsts.append(cell or (firsts[-1] if firsts else ""))
        for relation in _relations(rows, firsts):
            for whole in relation.whole.facts:
                if whole.family in _SUMMED and whole.role not in _NOT_SUMMED_ROLES:
                    _column(view, index, relation, whole)


def _relations(rows: Sequence[Row], firsts: Sequence[str]) -> list[_Relation]:
    """Return the relations of a table's rows; `firsts` are the rows' first cells (a group's merged cell)."""
    out: list[_Relation] = []
    block_start = 0
    absorbed: set[int] = set()  # rows that go on listing the parts of a row above after its 其中 row
    for i, row in enumerate(rows):
        if row.is_subtotal and i > block_start:
            group = _group_above(rows, firsts, block_start, i)
            if len(group) >= 2:
                out.append(_Relation(row, tuple(group), complete=True))
            continue  # a subtotal sums its group; the total after it still sums every row of the block
        if row.is_part:
            continue
        parts: list[Row] = []
        for later in rows[i + 1 :]:
            if not later.is_part:
                break
            parts.append(later)
        more = _continued_parts(rows, i, parts) if i not in absorbed else []
        absorbed.update(range(i + 1 + len(parts), i + 1 + len(parts) + len(more)))
        if more:
            out.append(_Relation(row, (*parts, *more), complete=True))
        elif parts:
            out.append(_Relation(row, tuple(parts), complete=False))
        if row.rank is not None and not row.is_total:
            children = _children(rows, i)
            if len(children) >= 2:
                out.append(_Relation(row, tuple(children), complete=True))
        if (row.is_total or row.is_average) and not parts:
            block = [
                r
                for k, r in enumerate(rows[block_start:i], start=block_start)
                if not (r.is_part or r.is_total or r.is_average or k in absorbed)
            ]
            ranks = [r.rank for r in block if r.rank is not None]
            if ranks:
                top = min(ranks)
                block = [r for r in block if r.rank is None or r.rank == top]
            if len(block) >= 2:
                out.append(_Relation(row, tuple(block), complete=True, average=row.is_average))
        if row.is_total:
            block_start = i + 1 + len(parts)
    return out


def _continued_parts(rows: Sequence[Row], i: int, parts: Sequence[Row]) -> list[Row]:
    """Return the rows after a row's 其中 rows that go on listing its parts ("其中：业务用房", then 通用设备,
    专用设备, 车辆 without 其中): those that, with the 其中 rows, add up to the row exactly; none when they do not."""
    whole = next((f for f in rows[i].facts if f.family in _SUMMED and f.role not in _NOT_SUMMED_ROLES), None)
    if whole is None or not parts:
        return []
    cells = [p.cell(whole.column) for p in parts]
    if any(c is None or c.family != whole.family for c in cells):
        return []
    running = sum(c.value for c in cells if c is not None)
    more: list[Row] = []
    for later in rows[i + 1 + len(parts) :]:
        cell = later.cell(whole.column)
        if later.is_part or later.is_total or later.is_average or cell is None or cell.family != whole.family:
            return []
        running += cell.value
        more.append(later)
        if abs(running - whole.value) <= 0.5 * 10.0 ** (-whole.decimals):
            return more
        if running > whole.value:
            return []
    return []


def _group_above(rows: Sequence[Row], firsts: Sequence[str], start: int, i: int) -> list[Row]:
    """Return the rows of the group a subtotal row closes: those just above it sharing the first cell of the row
    right above it (小计 under the rows of one 一级指标), else every row since the last total."""
    candidates = [k for k in range(start, i) if not (rows[k].is_part or rows[k].is_total or rows[k].is_average)]
    if not candidates:
        return []
    first = firsts[candidates[-1]]
    group: list[int] = []
    for k in reversed(candidates):
        if not first or firsts[k] != first:
            break
        group.append(k)
    chosen = group[::-1] if first and len(group) >= 2 else candidates
    return [rows[k] for k in chosen]


def _children(rows: Sequence[Row], i: int) -> list[Row]:
    parent = rows[i].rank
    assert parent is not None
    children: list[Row] = []
    level: int | None = None
    for later in rows[i + 1 :]:
        if later.is_total or later.is_average:
            break
        if later.rank is None:
            if later.is_part:
                continue
            break
        if later.rank <= parent:
            break
        if level is None:
            level = later.rank
        if later.rank == level:
            children.append(later)
    return children


def _column(view: ReportView, index: int, relation: _Relation, whole: Fact) -> None:
    parts = [row.cell(whole.column) for row in relation.parts]
    if any(p is None or p.family != whole.family or p.counter != whole.counter for p in parts):
        return
    facts = [p for p in parts if p is not None]
    kind: FindingKind = "score_sum" if whole.family == "score" else "sum"
    caption = view.document.tables[index].caption.split(" ")[0]
    name = f"{caption}{relation.whole.name}{whole.column}"
    if relation.average:
        found = mean(facts, whole)
        formula = f"({' + '.join(shown(p) for p in facts)}) ÷ {len(facts)} = {quantity(found.value, whole)}"
        claim = f"{name}{shown(whole)}等于各行平均"
        view.report("average", claim, formula, whole, found, quantity(found.value, whole), [*facts, whole])
        return

    def outcome(m: Magnitudes) -> Outcome:
        return total(facts, whole, m)

    found, slipped, magnitude = solve(outcome, view.suspects([*facts, whole]), [view.money_magnitude])
    m = {slipped.id: magnitude} if slipped is not None and magnitude is not None else {}
    claim = f"{name}{shown(whole)}等于各{'分项' if not relation.complete else '行'}之和"
    formula = f"{' + '.join(shown_in(p, m) for p in facts)} = {quantity(found.value, whole, m)}"
    if not found.holds:
        earlier = _earlier_table(view, index, whole)
        if earlier and relation.complete:
            merged = total([*earlier, *facts], whole)
            if merged.holds:
                formula = f"{' + '.join(shown(p) for p in [*earlier, *facts])} = {quantity(merged.value, whole)}"
                merged_facts = [*earlier, *facts, whole]
                shown_total = quantity(merged.value, whole)
                view.report(kind, claim + "（含上表所列）", formula, whole, merged, shown_total, merged_facts)
                return
        if not relation.complete and found.value < whole.value:
            return  # 其中 rows need not cover the row above them
        formula += f"（相差{difference(found, whole)}）"
    view.report(
        kind, claim, formula, whole, found, quantity(found.value, whole, m), [*facts, whole], slipped, magnitude
    )


def _earlier_table(view: ReportView, index: int, whole: Fact) -> list[Fact]:
    """Return the top-level cells of the same column in the table just before, if it is in the same section."""
    if index == 0:
        return []
    tables = view.document.tables
    here, before = tables[index], tables[index - 1]
    if _path(view, here.start, here.caption) != _path(view, before.start, before.caption):
        return []
    rows = view.rows(index - 1)
    totals = [r for r in rows if r.is_total]
    top = totals or [
        r
        for r in rows
        if not r.is_part and r.rank in (None, min((x.rank for x in rows if x.rank is not None), default=None))
    ]
    cells = [r.cell(whole.column) for r in top]
    return [c for c in cells if c is not None and c.family == whole.family]


def _path(view: ReportView, offset: int, caption: str) -> tuple[str, ...]:
    path = view.path_at(offset)
    return path[:-1] if path and caption and path[-1] == caption else path
