"""The formats reports come in, and the one entry point that loads any of them.

Adding a format is one new module with a `load(path, data, progress) -> list[Block]` function and one line in
FORMATS; the suffixes the upload accepts, and the message naming them, are read from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from index.loaders.assemble import assemble
from index.loaders.base import Block, LoaderError, Para, ProgressFn
from index.models import Document

LoadFn = Callable[[Path, bytes, ProgressFn | None], list[Block]]


@dataclass(frozen=True)
class Format:
    """A file format: the name users know it by, its suffixes, and the module that reads it."""

    name: str
    suffixes: tuple[str, ...]
    module: str

    def loader(self) -> LoadFn:
        """Import the format's module (only when a file of the format is loaded) and return its `load`."""
        return cast(LoadFn, importlib.import_module(self.module).load)


FORMATS: tuple[Format, ...] = (
    Format("PDF", (".pdf",), "index.loaders.pdf"),
    Format("DOCX", (".docx",), "index.loaders.word"),
    Format("XLSX", (".xlsx",), "index.loaders.excel"),
    Format("TXT", (".txt",), "index.loaders.text"),
    Format("MD", (".md", ".markdown"), "index.loaders.text"),
    Format("图片", (".png", ".jpg", ".jpeg", ".tif", ".tiff"), "index.loaders.image"),
)
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(s for f in FORMATS for s in f.suffixes)


def format_names() -> str:
    """Return the supported formats as a Chinese list, e.g. "PDF、DOCX、XLSX、TXT、MD、图片（PNG/JPG/TIFF）"."""
    return "、".join(f.name if f.name.isascii() else f"{f.name}（PNG/JPG/TIFF）" for f in FORMATS)


def format_for(suffix: str) -> Format | None:
    """Return the format of a file suffix (any case), if it is supported."""
    suffix = suffix.lower()
    return next((f for f in FORMATS if suffix in f.suffixes), None)


def load_document(path: Path | str, name: str | None = None, progress: ProgressFn | None = None) -> Document:
    """Load one report file; raise LoaderError with a clear reason when it cannot be read."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise LoaderError(path, "文件不存在")
    found = format_for(path.suffix)
    if found is None:
        raise LoaderError(path, f"不支持的文件类型“{path.suffix.lower() or '无扩展名'}”，支持 {format_names()}")
    data = path.read_bytes()
    if not data.strip():
        raise LoaderError(path, "文件为空")
    blocks = found.loader()(path, data, progress)
    if not any(b.text.strip() if isinstance(b, Para) else (b.rows or b.header) for b in blocks):
        raise LoaderError(path, "没有可读取的文字内容")
    return assemble(blocks, name=name, source_path=str(path), data=data)


def _is_report(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".")


def seed_reports(seeds_dir: Path) -> list[Path]:
    """Return the report files directly inside the seeds folder (dev reports in its sub-folders are left out)."""
    if not seeds_dir.is_dir():
        return [seeds_dir]
    return sorted(p for p in seeds_dir.iterdir() if _is_report(p))


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders into the report files they hold (question sets and hidden files skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if _is_report(p)))
        else:
            found.append(path)
    return found
