"""Read a scanned page saved as an image (PNG, JPEG, TIFF; one page per frame) by OCR."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from index.loaders.base import Block, LoaderError, ProgressFn
from index.loaders.layout import PageLayout, blocks_from_pages


def load(path: Path, data: bytes, progress: ProgressFn | None = None) -> list[Block]:
    """Return the paragraphs and tables OCR reads in an image file, a page per frame."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from index.loaders.ocr import read_image

    try:
        picture = Image.open(BytesIO(data))
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(picture)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise LoaderError(path, f"图片文件已损坏或格式不正确（{type(exc).__name__}）") from exc
    layouts: list[PageLayout] = []
    for done, frame in enumerate(frames):
        if progress:
            progress(f"文字识别 {path.name} 第{done + 1}页", done, len(frames))
        layouts.append(read_image(frame, done + 1))
    if progress:
        progress(f"文字识别 {path.name} 完成", len(frames), len(frames))
    if not any(layout.lines or layout.tables for layout in layouts):
        raise LoaderError(path, "图片中没有识别出文字（可能是空白图片或图像过于模糊）")
    return blocks_from_pages(layouts)
