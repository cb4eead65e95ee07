"""Time figure verification of one answer (median over the dev answers) and the one-off index build.

.venv/bin/python scripts/bench_figures.py [REPORT] [--answers seeds/dev.jsonl] [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.figures.audit import audit_report
from assistant.figures.verify import check_figures, report_figures
from index.chunking import chunk_document
from index.loaders import load_document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", nargs="?", default=str(next((ROOT / "seeds").glob("*.txt"))))
    parser.add_argument("--answers", type=Path, default=ROOT / "seeds" / "dev.jsonl")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    document = load_document(args.report)
    passages = chunk_document(document)
    started = time.perf_counter()
    report_figures([document], passages)
    build_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    findings = audit_report([document], passages)
    audit_ms = (time.perf_counter() - started) * 1000

    answers = [json.loads(line)["answer"] for line in args.answers.read_text(encoding="utf-8").splitlines() if line]
    cited = passages[:5]
    timings: list[float] = []
    for _ in range(args.rounds):
        for answer in answers:
            started = time.perf_counter()
            check_figures(answer, cited, [document])
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"index build (once per report version): {build_ms:.1f} ms; audit: {audit_ms:.1f} ms ({len(findings)} relations)"
    )
    print(
        f"verify one answer over {len(timings)} runs: median {statistics.median(timings):.2f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms, max {timings[-1]:.2f} ms (target <= 20 ms median)"
    )


if __name__ == "__main__":
    main()
