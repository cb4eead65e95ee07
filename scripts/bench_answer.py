"""Bench the answering chain: `ask` latency after start-up (extractive) and a full eval of the dev set.

Not a test: prints medians and exits non-zero when a target is missed (ask <= 100 ms median, eval <= 30 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=ROOT / "seeds" / "dev.jsonl")
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()

    from assistant.evaluation import run_eval
    from assistant.evaluation.questions import load_questions
    from assistant.service import build_assistant
    from assistant.settings import Settings

    questions = [q.question for q in load_questions(args.questions)]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        assistant = build_assistant(Settings(data_dir=Path(tmp), seeds_dir=ROOT / "seeds"))
        assistant.ensure_indexed()
        assistant.ask(questions[0])  # warm-up: audit, term weights, figure index
        startup = time.perf_counter() - started

        timings: list[float] = []
        for _ in range(args.passes):
            for question in questions:
                t0 = time.perf_counter()
                assistant.ask(question)
                timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[int(0.95 * (len(timings) - 1))]

        t0 = time.perf_counter()
        result = run_eval(args.questions, assistant.ask, progress=False)
        eval_seconds = time.perf_counter() - t0

    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"start-up (index seed + first answer): {startup:.1f} s")
    print(f"ask, extractive, {len(timings)} runs: median {median:.1f} ms, p95 {p95:.1f} ms (target <= 100 ms median)")
    print(
        f"eval over {len(questions)} questions: {eval_seconds:.1f} s (target <= 30 s); "
        f"correct {result.overall.values['correct']:.2f}"
    )
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 0 if median <= 100 and eval_seconds <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
