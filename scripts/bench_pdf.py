"""Time indexing a text-layer PDF report of 15 pages with ruled tables, from scratch, with the default e5 index.

    PYTHONPATH=. .venv/bin/python scripts/bench_pdf.py [--pages 15] [--max-s 15]

The PDF is built here (reportlab, CID font): sections of wrapped paragraphs, each with a 自评表-like ruled
table with merged cells, one of them running over a page. Reports the time to load the PDF (tables and
layout), to chunk, and the whole ingest into a fresh data dir including loading the embedding model. Exits 1
when the whole ingest takes longer than --max-s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "{n}年度，本项目年初预算{a:,.2f}万元，年中调整后预算{b:,.2f}万元，实际支出{c:,.2f}万元，预算执行率{r:.2f}%。"
    "项目实施单位按照合同约定、工程进度和考核结果申请支付资金，财务部门按季度对资金使用情况进行核查，"
    "全年未发现挤占、挪用和超范围支出情况，各项绩效目标总体完成。"
)


def build(path: Path, pages: int) -> int:
    """Write the bench PDF; return its page count."""
    import pypdfium2 as pdfium

    from tests.documents import Drawn, Heading, report_pdf

    items: list[object] = []
    section = 0
    while True:
        section += 1
        items.append(Heading(f"（{section}）第{section}个项目绩效情况", 13))
        for k in range(3):
            a = 1000 + 37.5 * section + k
            items.append(PARAGRAPH.format(n=2020 + k, a=a, b=a * 1.05, c=a * 0.97, r=97.0 - k))
        rows = [["一级指标", "二级指标", "三级指标", "分值", "得分"]]
        rows += [
            ["产出指标", "数量指标" if i < 4 else "质量指标", f"指标{section}-{i}", "5", str(4 + i % 2)]
            for i in range(8)
        ]
        rows += [["合计", "", "", "40", "36"]]
        items.append(f"表{section} 第{section}个项目绩效指标完成情况")
        items.append(Drawn(rows, {(1, 0): (8, 1), (1, 1): (4, 1), (5, 1): (4, 1), (9, 0): (1, 3)}))
        report_pdf(path, items)  # type: ignore[arg-type]
        count = len(pdfium.PdfDocument(str(path)))
        if count >= pages:
            return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=15)
    parser.add_argument("--max-s", type=float, default=15.0)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from assistant.corpus import open_corpus
    from assistant.settings import Settings
    from index.chunking import chunk_document
    from index.loaders import load_document

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as scratch:
        pdf = Path(scratch) / "bench-report.pdf"
        pages = build(pdf, args.pages)
        started = time.perf_counter()
        document = load_document(pdf)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        passages = chunk_document(document)
        chunk_s = time.perf_counter() - started
        started = time.perf_counter()
        corpus = open_corpus(Settings(data_dir=Path(scratch) / "data", seeds_dir=Path(scratch)))
        open_s = time.perf_counter() - started
        report = corpus.ingest([pdf])
        ingest_s = time.perf_counter() - started
    print(f"{pages} pages, {len(document.tables)} tables, {len(passages)} passages")
    print(f"load (pdfplumber tables + layout): {load_s:.2f} s ({load_s / pages:.2f} s/page)")
    print(f"chunk: {chunk_s * 1000:.0f} ms")
    print(f"open the corpus (embedding model, store): {open_s:.2f} s")
    print(f"ingest from scratch (model load + load + chunk + embed + store): {ingest_s:.2f} s (limit {args.max_s:g} s)")
    if report.failed or ingest_s > args.max_s:
        print(f"FAIL {report.failed or f'{ingest_s:.2f} s > {args.max_s} s'}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
