"""Read .xlsx workbooks (an Excel 自评表) with openpyxl: each sheet a section, each row `cell | …`."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from pathlib import Path
from typing import Any

from index.loaders.base import Block, LoaderError, Para, ProgressFn
from index.loaders.grid import Cell, cell_text, is_unit_line, make_grid

_DECIMALS = re.compile(r"0\.(0+)")


def load(path: Path, data: bytes, progress: ProgressFn | None = None) -> list[Block]:
    """Return, per sheet, a heading with the sheet's name, the lines above its table, and the table."""
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(BytesIO(data), data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LoaderError(path, f"XLSX 文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）") from exc
    except Exception as exc:  # openpyxl raises assorted errors for foreign content
        raise LoaderError(path, f"XLSX 文件无法解析（{type(exc).__name__}）") from exc
    blocks: list[Block] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        cells = sheet_cells(sheet)
        if not cells:
            continue
        blocks.append(Para(clean_title(sheet.title), None, 1))
        blocks.extend(_sheet_blocks(cells))
    return blocks


def clean_title(title: str) -> str:
    return cell_text(title) or "工作表"


def format_value(value: Any, number_format: str = "General") -> str:
    """Write a cell value as the sheet shows it: decimals, thousands separators and percentages kept.

    >>> format_value(4586.3, "#,##0.00"), format_value(0.9621, "0.00%"), format_value(10.0), format_value(7.85)
    ('4,586.30', '96.21%', '10', '7.85')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y年%m月%d日") if (value.hour, value.minute) == (0, 0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.strftime("%Y年%m月%d日")
    if isinstance(value, int | float):
        fmt = number_format or "General"
        decimals_match = _DECIMALS.search(fmt)
        percent = "%" in fmt
        number = float(value) * (100 if percent else 1)
        if decimals_match:
            decimals = len(decimals_match.group(1))
        elif fmt != "General" and "0" in fmt:
            decimals = 0
        else:
            text = f"{number:.10g}" if not float(number).is_integer() else str(int(number))
            return text + ("%" if percent else "")
        thousands = "," if "#,##" in fmt or "#,#" in fmt else ""
        return f"{number:{thousands}.{decimals}f}" + ("%" if percent else "")
    return cell_text(str(value))


def sheet_cells(sheet: Any) -> list[Cell]:
    """Return a sheet's non-empty cells on its grid, merged ranges as spans, empty rows and columns dropped."""
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for rng in sheet.merged_cells.ranges:
        merged[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    raw: list[tuple[int, int, int, int, str]] = []
    for row in sheet.iter_rows():
        for cell in row:
            key = (cell.row, cell.column)
            if key in covered:
                continue
            text = format_value(cell.value, cell.number_format)
            rowspan, colspan = merged.get(key, (1, 1))
            if text or key in merged:
                raw.append((cell.row, cell.column, rowspan, colspan, text))
    raw = [r for r in raw if r[4]]
    if not raw:
        return []
    used_rows = sorted({r for row, _, span, _, _ in raw for r in range(row, row + span)})
    used_cols = sorted({c for _, col, _, span, _ in raw for c in range(col, col + span)})
    row_at = {r: i for i, r in enumerate(used_rows)}
    col_at = {c: i for i, c in enumerate(used_cols)}
    cells: list[Cell] = []
    for row, col, rowspan, colspan, text in raw:
        rows = [r for r in range(row, row + rowspan) if r in row_at]
        cols = [c for c in range(col, col + colspan) if c in col_at]
        cells.append(Cell(row_at[rows[0]], col_at[cols[0]], len(rows), len(cols), text))
    return cells


def _sheet_blocks(cells: list[Cell]) -> list[Block]:
    """Split a sheet into the single-cell lines above and below its table, and the table."""
    by_row: dict[int, list[Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
    n_cols = max(c.col + c.colspan for c in cells)
    rows = sorted(by_row)
    single = {r for r in rows if len(by_row[r]) == 1 and by_row[r][0].rowspan == 1 and n_cols > 1}
    first = next((r for r in rows if r not in single), None)
    if first is None:
        return [Para(by_row[r][0].text) for r in rows]
    last = max(r for r in rows if r not in single)
    above = [by_row[r][0].text for r in rows if r < first]
    below = [by_row[r][0].text for r in rows if r > last]
    body = [Cell(c.row - first, c.col, c.rowspan, c.colspan, c.text) for c in cells if first <= c.row <= last]
    titles = [t for t in above if not is_unit_line(t)]
    caption = titles[0] if titles else ""
    grid = make_grid(body, caption=caption, preamble=[t for t in above if t != caption])
    blocks: list[Block] = [grid] if grid is not None else [Para(t) for t in above]
    blocks.extend(Para(text) for text in below)
    return blocks
