"""Read a page image by OCR: rapidocr-onnxruntime, whose PP-OCRv4 Chinese models ship inside its wheel.

The engine is built once per process, on first use, and reused. Ruled tables are found from the page's
drawn lines (OpenCV), their cells by pdfplumber's own grid algorithm, and each OCR text box goes to the cell
that holds it; the rest of the text is grouped into lines for the layout step, in PDF points.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from index.loaders.grid import cell_text, grid_cells, make_grid
from index.loaders.layout import Line, PageLayout, PlacedTable

if TYPE_CHECKING:
    from PIL.Image import Image

_ENGINE: Any = None
_LOCK = threading.Lock()
_DIGIT_PUNCT = re.compile(r"(?<=\d)\s*([.,，。．])\s*(?=\d)")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d)\s+(?=[%％])")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９％", "0123456789%")

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in image pixels


def engine() -> Any:
    """Return the process's OCR engine, building it on first use (no download: the models are in the wheel)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR

            threads = min(2, os.cpu_count() or 1)
            # Report pages are upright: the angle classifier only turns some Chinese lines upside down.
            _ENGINE = RapidOCR(use_cls=False, intra_op_num_threads=threads, inter_op_num_threads=1)
        return _ENGINE


def tidy(text: str) -> str:
    """Undo what OCR does to numbers: full-width digits, full-width or spaced separators inside them.

    >>> tidy("完成率96. 15 %，共5，108.3公里，得分５分")
    '完成率96.15%，共5,108.3公里，得分5分'
    """
    text = text.translate(_FULL_WIDTH_DIGITS)
    text = _DIGIT_PUNCT.sub(lambda m: "," if m.group(1) in ",，" else ".", text)
    return _SPACE_BEFORE_PERCENT.sub("", text)


def recognise(image: Image) -> list[tuple[Box, str]]:
    """Return the text boxes OCR reads in an image, each as its box and text."""
    import numpy as np

    result, _ = engine()(np.asarray(image.convert("RGB")))
    boxes: list[tuple[Box, str]] = []
    for points, text, _score in result or []:
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        if text.strip():
            boxes.append(((min(xs), min(ys), max(xs), max(ys)), tidy(text.strip())))
    return boxes


def ruling_edges(image: Image) -> list[dict[str, Any]]:
    """Return the long horizontal and vertical strokes of a page image as pdfplumber edge objects."""
    import cv2
    import numpy as np

    gray = np.asarray(image.convert("L"))
    ink = (gray < 160).astype(np.uint8) * 255
    height, width = ink.shape
    edges: list[dict[str, Any]] = []
    for orientation, kernel in (("h", (max(width // 40, 10), 1)), ("v", (1, max(height // 80, 10)))):
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            if orientation == "h" and w >= kernel[0] and h <= 8:
                mid = y + h / 2
                edges.append(_edge("h", float(x), float(x + w), mid, mid))
            elif orientation == "v" and h >= kernel[1] and w <= 8:
                mid = x + w / 2
                edges.append(_edge("v", mid, mid, float(y), float(y + h)))
    return edges


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict[str, Any]:
    return {
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }


def table_cells(edges: list[dict[str, Any]], tolerance: float) -> list[list[Box]]:
    """Return the cells of each ruled table the edges draw (pdfplumber's intersection algorithm)."""
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    if not edges:
        return []
    merged = merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
    intersections = edges_to_intersections(merged, tolerance, tolerance)
    cells = intersections_to_cells(intersections)
    tables = cells_to_tables(cells)
    return [[tuple(float(v) for v in c) for c in t] for t in tables if len(t) >= 2]  # type: ignore[misc]


def _centre_in(box: Box, cell: Box) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]


def group_lines(boxes: Sequence[tuple[Box, str]]) -> list[tuple[Box, str]]:
    """Group text boxes into lines (boxes that overlap vertically), left to right; wide gaps become a space."""
    lines: list[list[tuple[Box, str]]] = []
    for box, text in sorted(boxes, key=lambda b: (b[0][1] + b[0][3]) / 2):
        for line in lines:
            top = min(b[1] for b, _ in line)
            bottom = max(b[3] for b, _ in line)
            overlap = min(bottom, box[3]) - max(top, box[1])
            if overlap > 0.5 * min(bottom - top, box[3] - box[1]):
                line.append((box, text))
                break
        else:
            lines.append([(box, text)])
    out: list[tuple[Box, str]] = []
    for line in lines:
        line.sort(key=lambda b: b[0][0])
        text = line[0][1]
        for (prev, _), (box, piece) in itertools.pairwise(line):
            gap = box[0] - prev[2]
            text += (" " if gap > 1.0 * (box[3] - box[1]) else "") + piece
        bbox = (
            min(b[0] for b, _ in line),
            min(b[1] for b, _ in line),
            max(b[2] for b, _ in line),
            max(b[3] for b, _ in line),
        )
        out.append((bbox, text))
    return sorted(out, key=lambda b: b[0][1])


def read_image(image: Image, number: int, scale: float = 1.0) -> PageLayout:
    """Read one page image by OCR into a page layout (coordinates divided by `scale`, i.e. in PDF points)."""
    boxes = recognise(image)
    tolerance = max(3.0, image.width / 400)
    tables: list[PlacedTable] = []
    used: set[int] = set()
    for cells in table_cells(ruling_edges(image), tolerance):
        cell_boxes: list[tuple[Box, str]] = []
        for cell in cells:
            inside = [i for i, (b, _) in enumerate(boxes) if i not in used and _centre_in(b, cell)]
            used.update(inside)
            text = cell_text([t for _, t in group_lines([boxes[i] for i in inside])])
            cell_boxes.append((tuple(v / scale for v in cell), text))  # type: ignore[arg-type]
        grid_cells_, edges = grid_cells(cell_boxes, tolerance / scale)
        grid = make_grid(grid_cells_, page=number, ocr=True)
        if grid is not None:
            top = min(c[1] for c in cells) / scale
            bottom = max(c[3] for c in cells) / scale
            tables.append(PlacedTable(grid, top, bottom, number, tuple(edges)))
    rest = [b for i, b in enumerate(boxes) if i not in used]
    lines: list[Line] = []
    for (x0, top, x1, bottom), text in group_lines(rest):
        height = (bottom - top) / scale
        lines.append(Line(text, x0 / scale, x1 / scale, top / scale, bottom / scale, 0.8 * height, number, True))
    return PageLayout(number, image.height / scale, lines, tables, ocr=True)
