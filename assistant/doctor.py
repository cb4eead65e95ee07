"""Check a data directory for damage (catalog, vector store, their agreement) and repair it by rebuilding."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import Settings
from index.catalog import CATALOG_FILE, Catalog, CatalogError, load_catalog


@dataclass
class Diagnosis:
    """What `doctor` found: problems (Chinese, one line each) and facts worth showing."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def diagnose(settings: Settings) -> Diagnosis:
    """Inspect the data dir without changing it."""
    diagnosis = Diagnosis()
    diagnosis.facts.append(f"数据目录：{settings.data_dir.resolve()}")
    catalog: Catalog | None = None
    try:
        catalog = load_catalog(settings.index_dir, settings.corpus)
    except CatalogError as exc:
        diagnosis.problems.append(str(exc))
    if catalog is not None:
        if not catalog.documents:
            diagnosis.facts.append("索引为空（首次启动时会自动索引 seeds/ 中的报告）。")
        else:
            names = "、".join(d.document.name for d in catalog.documents)
            diagnosis.facts.append(f"已索引 {len(catalog.documents)} 份报告、{len(catalog.passages())} 个段落：{names}")
    try:
        from assistant.components import build_embeddings, build_store

        embeddings = build_embeddings(settings.embedding)
        store = build_store(settings, embeddings.identity)
        count = store.count()
        where = f"服务器 {settings.chroma.url}" if settings.chroma.url else "内嵌"
        diagnosis.facts.append(f"向量库：{where}，{count} 条向量")
        if catalog is not None and catalog.documents:
            if catalog.embedding and catalog.embedding != embeddings.identity:
                diagnosis.problems.append(
                    f"索引由嵌入模型 {catalog.embedding} 建立，当前设置为 {embeddings.identity}，需要重建。"
                )
            expected = {p.id for p in catalog.passages()}
            if count < len(expected):
                diagnosis.problems.append(f"向量库缺少向量：目录有 {len(expected)} 个段落，向量库只有 {count} 条。")
    except Exception as exc:  # any failure to open the store is itself the diagnosis
        diagnosis.problems.append(f"向量库无法打开或读取：{exc}")
    return diagnosis


def repair(settings: Settings) -> Path | None:
    """Move the damaged index aside and rebuild it from the catalog's documents or the seeds; return the backup."""
    backup: Path | None = None
    documents = []
    try:
        documents = [d.document for d in load_catalog(settings.index_dir, settings.corpus).documents]
    except CatalogError:
        documents = []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in (settings.index_dir, settings.chroma_dir if not settings.chroma.url else None):
        if path is not None and path.exists():
            backup_dir = settings.data_dir / "backup" / stamp
            backup_dir.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), str(backup_dir / path.name))
            backup = backup_dir
    from chromadb.api.shared_system_client import SharedSystemClient

    from assistant.corpus import open_corpus

    SharedSystemClient.clear_system_cache()  # forget clients bound to the files just moved aside
    corpus = open_corpus(settings)
    if settings.chroma.url:
        corpus.store.drop()
    if documents:
        corpus.ingest_documents(documents)
    else:
        from index.loaders import seed_reports

        corpus.ingest(seed_reports(settings.seeds_dir))
    return backup


def catalog_path(settings: Settings) -> Path:
    return settings.index_dir / CATALOG_FILE
