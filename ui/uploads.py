"""Accept an uploaded report: check type and size, store it under a generated name, index it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import BinaryIO

from assistant.corpus import Corpus
from index.ingest import IngestReport, ProgressFn
from index.loaders import SUPPORTED_SUFFIXES, LoaderError, format_names, load_document

ALLOWED_SUFFIXES = SUPPORTED_SUFFIXES  # one list, owned by the loaders
_CHUNK = 1 << 16
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


class UploadError(Exception):
    """An upload that is refused; `status` is the HTTP status and the message is Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def display_name(filename: str | None) -> str:
    """Return the client's file name fit to show as the document name (never used as a path)."""
    name = _UNSAFE.sub("_", Path((filename or "").replace("\\", "/")).name).strip(" .")
    return name[:200] or "未命名报告"


def check_suffix(filename: str | None) -> str:
    """Return the lower-case suffix of a supported report file; raise 415 otherwise."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        shown = suffix or "无扩展名"
        raise UploadError(415, f"不支持的文件类型“{shown}”，请上传以下格式的报告：{format_names()}。")
    return suffix


def store_upload(source: BinaryIO, filename: str | None, uploads_dir: Path, max_mb: float) -> Path:
    """Copy an upload into the uploads dir under a generated name; refuse wrong types (415) and oversize (413)."""
    suffix = check_suffix(filename)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = uploads_dir / f"{uuid.uuid4().hex}{suffix}"
    limit = int(max_mb * 1024 * 1024)
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadError(413, f"文件过大，单个文件不能超过 {max_mb:g} MB。")
                out.write(chunk)
        if size == 0:
            raise UploadError(400, "文件为空，请检查后重新上传。")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def index_upload(corpus: Corpus, path: Path, name: str, progress: ProgressFn | None = None) -> IngestReport:
    """Load a stored upload under its original name and index it; a file that fails (400 if unreadable) is deleted."""
    try:
        document = load_document(path, name=name, progress=progress)
    except LoaderError as exc:
        path.unlink(missing_ok=True)
        raise UploadError(400, f"无法读取文件 {name}：{exc.reason}") from exc
    except Exception as exc:  # a parser choking on a corrupt file
        path.unlink(missing_ok=True)
        raise UploadError(400, f"无法读取文件 {name}：文件已损坏或格式不正确。") from exc
    try:
        return corpus.ingest_documents([document], progress=progress)
    except BaseException:  # e.g. the vector store is down: keep no file the index does not know
        path.unlink(missing_ok=True)
        raise


def report_dict(report: IngestReport) -> dict[str, object]:
    """Return an ingest report as JSON-ready data."""
    return {
        "added": report.added,
        "replaced": report.replaced,
        "unchanged": report.unchanged,
        "failed": [{"path": Path(p).name, "reason": r} for p, r in report.failed],
        "passages": report.passages,
        "seconds": round(report.seconds, 3),
    }
