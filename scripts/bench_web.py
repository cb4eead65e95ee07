"""Time the web path: from sending a question to the first answer text (first SSE delta) of /api/ask/stream.

    .venv/bin/python scripts/bench_web.py [--url http://127.0.0.1:7860] [--embedding e5|fake] [--n 20]

Without --url, starts `report-assistant serve` on a free 127.0.0.1 port over a temp data dir (the seed is
indexed first; not timed). Extractive mode; one warm-up question, then --n questions from the dev set.
Prints time to first delta and to the final record per question, the median and p90, and exits 1 when the
median time to first delta is over --max-first-ms (default 300).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(embedding: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `report-assistant serve` and wait until /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        "REPORT_ASSISTANT_DATA_DIR": str(data_dir),
        "REPORT_ASSISTANT_SEEDS_DIR": str(ROOT / "seeds"),
        "REPORT_ASSISTANT_EMBEDDING__BACKEND": embedding,
        "REPORT_ASSISTANT_ANSWER_MODE": "extractive",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    command = [
        str(Path(sys.executable).with_name("report-assistant")),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("server did not start in 180 s")


def time_question(client: httpx.Client, url: str, question: str) -> tuple[float, float]:
    """Return (ms to the first delta, ms to the record) for one question."""
    started = time.perf_counter()
    first = total = float("nan")
    with client.stream("POST", url + "/api/ask/stream", json={"question": question, "mode": "extractive"}) as reply:
        reply.raise_for_status()
        for line in reply.iter_lines():
            if line == "event: delta" and first != first:  # NaN: not seen yet
                first = (time.perf_counter() - started) * 1000
            elif line == "event: record":
                total = (time.perf_counter() - started) * 1000
    return first, total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * q / 100))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="Bench a running server instead of starting one.")
    parser.add_argument("--embedding", default="e5", choices=["e5", "fake"], help="Backend of the started server.")
    parser.add_argument("--questions", type=Path, default=ROOT / "seeds" / "dev.jsonl")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--token", help="Bearer token, when the server requires one.")
    parser.add_argument("--max-first-ms", type=float, default=300.0)
    args = parser.parse_args()

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.n]
    process = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            url = args.url.rstrip("/")
        else:
            began = time.perf_counter()
            process, url = start_server(args.embedding, Path(tmp))
            print(f"server {url} ({args.embedding}) ready in {time.perf_counter() - began:.1f} s")
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
        try:
            with httpx.Client(timeout=60, headers=headers) as client:
                time_question(client, url, "预算完成率是多少？")  # warm-up
                firsts, totals = [], []
                for question in questions:
                    first, total = time_question(client, url, question)
                    firsts.append(first)
                    totals.append(total)
                    print(f"{first:7.1f} ms first delta  {total:7.1f} ms record  {question}")
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
    median = statistics.median(firsts)
    print(f"\n{len(firsts)} questions, extractive mode")
    print(f"first delta: median {median:.1f} ms, p90 {percentile(firsts, 90):.1f} ms, max {max(firsts):.1f} ms")
    print(f"record:      median {statistics.median(totals):.1f} ms, p90 {percentile(totals, 90):.1f} ms")
    ok = median <= args.max_first_ms
    print(f"target median first delta <= {args.max_first_ms:.0f} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
