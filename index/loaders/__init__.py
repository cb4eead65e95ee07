"""Load reports (PDF, scanned PDF and images, DOCX, XLSX, TXT/MD) into normalised Documents with their tables."""

from index.loaders.assemble import document_id_for
from index.loaders.base import LoaderError, ProgressFn
from index.loaders.registry import FORMATS, SUPPORTED_SUFFIXES, discover, format_names, load_document, seed_reports

__all__ = [
    "FORMATS",
    "SUPPORTED_SUFFIXES",
    "LoaderError",
    "ProgressFn",
    "discover",
    "document_id_for",
    "format_names",
    "load_document",
    "seed_reports",
]
