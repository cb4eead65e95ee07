"""Generate correct and corrupted statements from a report's own sentences and measure figure verification.

Each statement is a report sentence; a corrupted one has one figure changed (a digit, the magnitude 万元 → 元,
or a percentage). Correct figures should be verified (or derived); corrupted ones caught (mismatch/unverified).

    .venv/bin/python scripts/gen_figure_statements.py [REPORT] [--seed 7] [--out statements.jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.figures.verify import report_figures
from index.chunking import chunk_document
from index.figures import Figure, parse_figures
from index.loaders import load_document
from index.models import Passage


@dataclass
class Statement:
    text: str
    figure: str
    start: int
    corrupted: bool
    corruption: str
    passage_id: str


def _sentences(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for m in re.finditer(r"[。！？\n]", text):
        sentence = text[start : m.end()].strip()
        if sentence:
            out.append(
                (
                    start + len(text[start : m.end()]) - len(text[start : m.end()].lstrip()),
                    sentence,
                )
            )
        start = m.end()
    return out


def _change_digit(figure: Figure, rng: random.Random) -> str | None:
    number = re.match(r"[\d,.]+", figure.text)
    if not number:
        return None
    digits = [i for i, ch in enumerate(number.group(0)) if ch.isdigit()]
    if not digits:
        return None
    i = rng.choice(digits)
    old = number.group(0)[i]
    choices = [d for d in "0123456789" if d != old and not (d == "0" and i == digits[0] and len(digits) > 1)]
    new = old[:0] + rng.choice(choices)
    return figure.text[:i] + new + figure.text[i + 1 :]


def _drop_magnitude(figure: Figure) -> str | None:
    for mag in ("万", "亿"):
        if figure.unit.startswith(mag) and len(figure.unit) > 1:
            return figure.text.replace(figure.unit, figure.unit[len(mag) :])
    return None


def _change_percent(figure: Figure, rng: random.Random) -> str | None:
    if figure.family != "percent":
        return None
    delta = rng.choice([-1, 1]) * rng.uniform(1.0, 15.0)
    value = figure.value + delta
    if value < 0 or abs(value - figure.value) < 0.5:
        return None
    return f"{value:.{figure.decimals}f}%"


def generate(document_text: str, passages: list[Passage], seed: int, per_sentence: int = 3) -> list[Statement]:
    """Return correct and corrupted statements built from the document's sentences."""
    rng = random.Random(seed)
    statements: list[Statement] = []
    for offset, sentence in _sentences(document_text):
        figures = [f for f in parse_figures(sentence) if not f.numeral]
        if not figures or len(sentence) > 220:
            continue
        passage = next((p for p in passages if p.start <= offset < p.end), None)
        pid = passage.id if passage else ""
        for figure in rng.sample(figures, min(per_sentence, len(figures))):
            statements.append(Statement(sentence, figure.text, figure.start, False, "", pid))
            options = [("digit", _change_digit(figure, rng))]
            if figure.value != 0:
                options.append(("magnitude", _drop_magnitude(figure)))
            options.append(("percent", _change_percent(figure, rng)))
            usable = [(name, new) for name, new in options if new and new != figure.text]
            if figure.value == 0:
                usable = [(n, t) for n, t in usable if n != "digit" or not re.fullmatch(r"0[.0]*", t.rstrip("万元%"))]
            if not usable:
                continue
            name, new = rng.choice(usable)
            corrupted = sentence[: figure.start] + new + sentence[figure.end :]
            statements.append(Statement(corrupted, new, figure.start, True, name, pid))
    return statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", nargs="?", default=str(next((ROOT / "seeds").glob("*.txt"))))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()

    document = load_document(args.report)
    passages = chunk_document(document)
    by_id = {p.id: p for p in passages}
    index = report_figures([document], passages)
    statements = generate(document.text, passages, args.seed)
    if args.out:
        args.out.write_text("\n".join(json.dumps(asdict(s), ensure_ascii=False) for s in statements) + "\n")

    counts = {"correct": 0, "correct_ok": 0, "corrupted": 0, "caught": 0}
    by_kind: dict[str, list[int]] = {}
    for s in statements:
        cited = [by_id[s.passage_id]] if s.passage_id in by_id else []
        verdicts = index.check_text(s.text, cited)
        verdict = next((v for v in verdicts if v.figure.start == s.start), None)
        status = verdict.status if verdict else "missing"
        if s.corrupted:
            counts["corrupted"] += 1
            caught = status in ("mismatch", "unverified")
            counts["caught"] += caught
            by_kind.setdefault(s.corruption, [0, 0])[0] += caught
            by_kind[s.corruption][1] += 1
            ok = caught
        else:
            counts["correct"] += 1
            ok = status in ("verified", "derived")
            counts["correct_ok"] += ok
        if not ok and args.show_errors:
            print(f"[{'corrupt:' + s.corruption if s.corrupted else 'correct'}] {s.figure} -> {status}: {s.text}")
            if verdict:
                print(f"    note={verdict.note} source={verdict.source[:80]}")
    verified_rate = counts["correct_ok"] / max(1, counts["correct"])
    caught_rate = counts["caught"] / max(1, counts["corrupted"])
    print(
        f"statements: {len(statements)} ({counts['correct']} correct, {counts['corrupted']} corrupted), seed {args.seed}"
    )
    print(f"correct figures verified (precision of acceptance): {verified_rate:.1%}")
    print(f"corrupted figures caught (recall of errors):        {caught_rate:.1%}")
    for kind, (hit, total) in sorted(by_kind.items()):
        print(f"  {kind:<10} {hit}/{total} caught")


if __name__ == "__main__":
    main()
