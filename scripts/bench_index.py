"""Time the build-time side with the default e5 backend: index the seed from scratch, re-ingest, search.

    .venv/bin/python scripts/bench_index.py [--reports seeds] [--questions seeds/dev.jsonl] [--runs 3] [--passes 3]

Each indexing run starts from an empty temp data dir and includes loading the model. Search latency is
`corpus.search()` over every question of the set, after one warm-up pass. Exits 1 when indexing takes
longer than --max-index-s (median) or a search longer than --max-search-ms (median).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=Path, default=ROOT / "seeds", help="report file or folder to index")
    parser.add_argument("--questions", type=Path, default=ROOT / "seeds" / "dev.jsonl")
    parser.add_argument("--runs", type=int, default=3, help="indexing runs from scratch (median reported)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the questions")
    parser.add_argument("--max-index-s", type=float, default=10.0)
    parser.add_argument("--max-search-ms", type=float, default=50.0)
    args = parser.parse_args()

    # No network: set before the model and Chroma libraries are imported.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from rich.console import Console
    from rich.table import Table

    from assistant.corpus import Corpus, open_corpus
    from assistant.settings import Settings

    questions = [
        json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    index_s: list[float] = []
    reingest_s: list[float] = []
    passages = 0
    identity = ""
    with tempfile.TemporaryDirectory(prefix="bench-index-") as scratch:
        corpus: Corpus | None = None
        for run in range(args.runs):
            settings = Settings(data_dir=Path(scratch) / f"run-{run}", seeds_dir=args.reports)
            started = time.perf_counter()
            corpus = open_corpus(settings)  # loads the model
            report = corpus.ingest([args.reports])
            index_s.append(time.perf_counter() - started)
            if report.failed or not report.added:
                print(f"indexing failed: {report.failed or 'nothing added'}", file=sys.stderr)
                return 1
            passages, identity = report.passages, corpus.embeddings.identity
            started = time.perf_counter()
            again = corpus.ingest([args.reports])
            reingest_s.append(time.perf_counter() - started)
            assert not again.changed, "re-ingesting unchanged reports must be a no-op"
        assert corpus is not None
        for question in questions:  # warm-up: lexical index, HNSW index, model caches
            corpus.search(question, 10)
        search_ms: list[float] = []
        for _ in range(args.passes):
            for question in questions:
                started = time.perf_counter()
                corpus.search(question, 10)
                search_ms.append((time.perf_counter() - started) * 1000)

    index_median = statistics.median(index_s)
    search_median = statistics.median(search_ms)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    table = Table(title=f"bench_index: {passages} passages, {identity}, {os.cpu_count()} CPUs")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("limit", justify="right")
    table.add_row(f"index from scratch, median of {args.runs} (s)", f"{index_median:.2f}", f"{args.max_index_s:.0f}")
    table.add_row("index runs (s)", " / ".join(f"{s:.2f}" for s in index_s), "")
    table.add_row("no-op re-ingest, median (ms)", f"{statistics.median(reingest_s) * 1000:.1f}", "")
    table.add_row(f"search median, {len(search_ms)} queries (ms)", f"{search_median:.1f}", f"{args.max_search_ms:.0f}")
    table.add_row("search p95 (ms)", f"{percentile(search_ms, 95):.1f}", "")
    table.add_row("search max (ms)", f"{max(search_ms):.1f}", "")
    table.add_row("peak RSS (MB)", f"{peak_rss_mb:.0f}", "")
    console = Console()
    console.print(table)

    failures = []
    if index_median > args.max_index_s:
        failures.append(f"indexing median {index_median:.2f} s > {args.max_index_s} s")
    if search_median > args.max_search_ms:
        failures.append(f"search median {search_median:.1f} ms > {args.max_search_ms} ms")
    for failure in failures:
        console.print(f"[bold red]FAIL[/] {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
