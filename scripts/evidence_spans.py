"""Check that every evidence string of a suite's questions lies inside a single passage (chunking only).

    PYTHONPATH=. .venv/bin/python scripts/evidence_spans.py [seeds/suite.toml] [--max-chars 320] [--show]

Each report is loaded from its published form and chunked as ingest would; no embeddings are built. Prints,
per report, the share of evidence strings held whole by one passage and the share of answerable questions
all of whose evidence strings are; `--show` lists the strings that are cut. Exits 1 when any string is cut.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import load_questions
from assistant.evaluation.suite import load_suite
from index.chunking import chunk_document
from index.loaders import load_document
from index.text import normalise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", type=Path, nargs="?", default=ROOT / "seeds" / "suite.toml")
    parser.add_argument("--max-chars", type=int, default=320)
    parser.add_argument("--show", action="store_true", help="list the evidence strings no single passage holds")
    args = parser.parse_args()
    cut_total = 0
    for report in load_suite(args.suite):
        passages = [
            normalise(p.text) for path in report.documents for p in chunk_document(load_document(path), args.max_chars)
        ]
        strings = whole = questions = whole_questions = 0
        cut: list[str] = []
        for question_file in report.questions:
            for question in load_questions(question_file):
                if not question.answerable or not question.evidence:
                    continue
                questions += 1
                held = [any(normalise(e) in p for p in passages) for e in question.evidence]
                strings += len(held)
                whole += sum(held)
                whole_questions += all(held)
                cut += [f"{question.id}: {e}" for e, ok in zip(question.evidence, held, strict=True) if not ok]
        cut_total += len(cut)
        print(
            f"{report.name}: {len(passages)} passages; evidence strings in one passage {whole}/{strings}"
            f" ({whole / max(strings, 1):.2f}); questions with all evidence whole {whole_questions}/{questions}"
            f" ({whole_questions / max(questions, 1):.2f})"
        )
        if args.show:
            for line in cut:
                print(f"    cut  {line}")
    return 1 if cut_total else 0


if __name__ == "__main__":
    sys.exit(main())
