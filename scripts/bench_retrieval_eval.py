"""Score retrieval alone (hit@1/3/5/10, MRR per question type) on a fresh e5 index of the seed reports.

    .venv/bin/python scripts/bench_retrieval_eval.py [QUESTIONS] [--reports seeds] [--metrics-out FILE]
                                                     [--baseline METRICS.json]

The index is built in a temporary data dir with the default settings (e5 embeddings, embedded Chroma),
so the numbers measure the shipped pipeline, not whatever sits in ./data.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.corpus import Corpus
    from assistant.records import RetrievedPassage

ROOT = Path(__file__).resolve().parents[1]
RETRIEVE_K = 10


def retrieve_with(corpus: Corpus) -> Callable[[str], list[RetrievedPassage]]:
    """Return the function the evaluation calls: the top-10 passages as answer-record items."""
    from assistant.records import RetrievedPassage

    def retrieve(question: str) -> list[RetrievedPassage]:
        return [
            RetrievedPassage(
                passage_id=hit.passage.id,
                document=hit.passage.document,
                section=hit.passage.section,
                text=hit.passage.text,
                score=hit.score,
            )
            for hit in corpus.search(question, RETRIEVE_K)
        ]

    return retrieve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="?", type=Path, default=ROOT / "seeds" / "dev.jsonl")
    parser.add_argument("--reports", type=Path, default=ROOT / "seeds", help="report file or folder to index")
    parser.add_argument("--metrics-out", type=Path, default=None, help="write the metrics JSON here")
    parser.add_argument("--baseline", type=Path, default=None, help="metrics JSON of an earlier run to compare with")
    args = parser.parse_args()

    # No network: set before the model and Chroma libraries are imported.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from assistant.corpus import open_corpus
    from assistant.evaluation import print_summary, run_retrieval_eval
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as data_dir:
        settings = Settings(data_dir=Path(data_dir), seeds_dir=args.reports)
        started = time.perf_counter()
        corpus = open_corpus(settings)
        report = corpus.ingest([args.reports])
        for path, reason in report.failed:
            print(f"failed: {path}: {reason}", file=sys.stderr)
        print(
            f"indexed {report.passages} passages with {corpus.embeddings.identity} "
            f"in {time.perf_counter() - started:.1f} s"
        )
        result = run_retrieval_eval(
            args.questions, retrieve_with(corpus), baseline=args.baseline, metrics_out=args.metrics_out
        )
    print_summary(result)
    if args.metrics_out:
        print(f"metrics written to {args.metrics_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
