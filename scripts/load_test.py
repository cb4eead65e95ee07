"""Load test: N concurrent chat sessions against `report-assistant serve` on 127.0.0.1, bounded in time.

    .venv/bin/python scripts/load_test.py [--url http://127.0.0.1:7860 [--url …]] [--embedding e5|fake]
        [--concurrency 1 8 32] [--sessions S] [--time-limit 180] [--request-timeout 60] [--health-bound 2]
        [--json-out results.json] [--token SECRET]

A session is one user asking three questions in sequence about one subject (公务接待费, 政府采购, …): an
opening question, a follow-up that only its own history can answer ("那支出呢？", "完成率呢？") and a closing
question; each request carries the session's history, some go to `POST /api/ask`, some to
`POST /api/ask/stream` (server-sent events). Sessions run concurrently, so a server that mixed up histories
would answer one session's follow-up about another session's subject; every follow-up is checked:

- on subject: the answer holds the figure of its own subject (e.g. 0.51万元, the 公务接待费 spent);
- no leak: it holds no figure of another subject (other than those its subject's answer holds anyway, as
  measured by a calibration pass that asks every subject alone first), and it is not word for word another
  subject's calibrated answer;
- unchanged: extractive answers are deterministic, so an answer that differs from its calibrated one is
  counted (and shown) too.

While a level runs, `/healthz` is probed every half second and must answer within --health-bound seconds.
For each N the script runs a fixed number of sessions (--sessions, default max(16, 2N)) and prints
questions/s and p50/p95 latency; a level stops starting questions after --time-limit seconds, and every
request has --request-timeout, so the script ends by itself.

With several --url (workers of one deployment), each question goes to the next worker in turn, as a
load balancer without sticky sessions would send it: the history travels with the request.

Without --url it starts `report-assistant serve` on a free 127.0.0.1 port over a temp data dir (the seed is
indexed first, not timed) and also reports the server's memory (RSS) and CPU time. Only 127.0.0.1 is ever
contacted. Exit status: 0 when every question was answered, no follow-up leaked and every health probe
answered in time; 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
STARTUP_LIMIT_S = 240.0


@dataclass(frozen=True)
class Subject:
    """What one session asks about: an opening question, a follow-up that needs it, and a closing question."""

    name: str
    opening: str
    follow_up: str
    follow_up_figures: tuple[str, ...]  # the follow-up's answer must hold these (only this history gives them)
    closing: str
    closing_figures: tuple[str, ...]
    signature: tuple[str, ...]  # the figures the report gives for this subject: seen elsewhere, they betray a leak

    @property
    def questions(self) -> tuple[str, str, str]:
        return (self.opening, self.follow_up, self.closing)


# Each follow-up is generic ("那支出呢？"): asked without its history it does not get its figure
# (tests/test_load.py checks this over the seed), so the figures in the answer show which history was used.
SUBJECTS: tuple[Subject, ...] = (
    Subject(
        name="公务接待费",
        opening="2023年公务接待费预算是多少？",
        follow_up="那支出呢？",
        follow_up_figures=("0.51万元",),
        closing="公务接待费占“三公”经费支出总额的比例是多少？",
        closing_figures=("12.66%",),
        signature=("1.21万元", "0.51万元", "12.66%", "42.15%"),
    ),
    Subject(
        name="政府采购",
        opening="政府采购预算财政拨款是多少？",
        follow_up="完成率呢？",
        follow_up_figures=("100.00%",),
        closing="政府采购项目主要有哪些？",
        closing_figures=("云坐席",),
        signature=("936.74万元", "100.00%"),
    ),
    Subject(
        name="公务用车",
        opening="公务用车运行维护费预算是多少？",
        follow_up="那支出呢？",
        follow_up_figures=("3.52万元",),
        closing="公务用车保有量是多少辆？",
        closing_figures=("3辆",),
        signature=("5.70万元", "3.52万元", "87.34%", "61.75%"),
    ),
    Subject(
        name="机关运行经费",
        opening="机关运行经费一般公共预算是多少？",
        follow_up="那支出呢？",
        follow_up_figures=("65.85万元",),
        closing="机关运行经费主要用于什么？",
        closing_figures=("办公及印刷费",),
        signature=("56.40万元", "65.85万元", "85.65%"),
    ),
    Subject(
        name="信息化运维、新建类项目",
        opening="信息化运维、新建类项目预算安排多少？",
        follow_up="那支出呢？",
        follow_up_figures=("486.96万元",),
        closing="信息化运维、新建类项目完成预算的比例是多少？",
        closing_figures=("76.81%",),
        signature=("633.98万元", "486.96万元", "76.81%"),
    ),
    Subject(
        name="部门职能类项目",
        opening="部门职能类项目预算安排多少？",
        follow_up="那支出呢？",
        follow_up_figures=("12,895.64万元",),
        closing="部门职能类项目完成预算的比例是多少？",
        closing_figures=("84.40%",),
        signature=("15279.26万元", "12,895.64万元", "84.40%"),
    ),
    Subject(
        name="项目支出",
        opening="项目支出年度预算是多少？",
        follow_up="那支出呢？",
        follow_up_figures=("17,865.48",),
        closing="项目支出增加的主要原因是什么？",
        closing_figures=("专项债",),
        signature=("20,585.55万元", "17,865.48", "86.79%"),
    ),
    Subject(
        name="履职效能",
        opening="履职效能自评得分是多少？",
        follow_up="满分是多少？",
        follow_up_figures=("50分",),
        closing="履职效能方面产出指标完成情况如何？",
        closing_figures=("38个",),
        signature=("49.4分", "50分"),
    ),
)


# --- talking to the server -----------------------------------------------------------------------------------


class AskFailed(RuntimeError):
    """A question got no answer record (HTTP error, error event, timeout, broken stream)."""


@dataclass
class Reply:
    """An answer record as received, with its timing."""

    record: dict[str, Any]
    seconds: float
    first_delta_seconds: float | None = None


def ask_whole(client: httpx.Client, url: str, question: str, history: list[dict[str, str]]) -> Reply:
    """Ask through POST /api/ask."""
    started = time.perf_counter()
    response = client.post(url + "/api/ask", json={"question": question, "history": history})
    if response.status_code != 200:
        raise AskFailed(f"HTTP {response.status_code}: {response.text[:200]}")
    return Reply(response.json(), time.perf_counter() - started)


def ask_streamed(client: httpx.Client, url: str, question: str, history: list[dict[str, str]]) -> Reply:
    """Ask through POST /api/ask/stream and read the server-sent events up to the record."""
    started = time.perf_counter()
    first_delta: float | None = None
    record: dict[str, Any] | None = None
    event = ""
    with client.stream("POST", url + "/api/ask/stream", json={"question": question, "history": history}) as response:
        if response.status_code != 200:
            raise AskFailed(f"HTTP {response.status_code}: {response.read().decode(errors='replace')[:200]}")
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: "):
                data = json.loads(line[len("data: ") :])
                if event == "delta" and first_delta is None:
                    first_delta = time.perf_counter() - started
                elif event == "record":
                    record = data
                elif event == "error":
                    raise AskFailed(f"error event: {data}")
    if record is None:
        raise AskFailed("the stream ended without a record")
    return Reply(record, time.perf_counter() - started, first_delta)


def answer_body(record: dict[str, Any]) -> str:
    """The answer text without the appended warnings about the report's own figures."""
    return str(record.get("answer", "")).split("\n⚠")[0]


def normalized(text: str) -> str:
    """Text compared for figures: thousands separators and spaces removed (`17,865.48` == `17865.48`)."""
    return re.sub(r"[,，\s]", "", text)


def holds(text: str, figure: str) -> bool:
    """Tell whether normalized text holds a figure, not as the tail of a longer number (0.51 is not in 10.51).

    >>> holds(normalized("支出 0.51万元"), "0.51万元"), holds("支出10.51万元", "0.51万元")
    (True, False)
    """
    return re.search(r"(?<![\d.])" + re.escape(normalized(figure)), text) is not None


def evidence_text(record: dict[str, Any]) -> str:
    """What an answer says and quotes, normalized: the answer body and the quoted sentences of its citations."""
    quotes = " ".join(str(c.get("quote", "")) for c in record.get("citations", []))
    return normalized(answer_body(record) + " " + quotes)


# --- checking follow-ups -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Each subject's follow-up answer asked alone (no concurrency): what 'its own subject' looks like."""

    follow_up_answers: dict[str, str]  # subject name -> answer body
    follow_up_evidence: dict[str, str]  # subject name -> normalized answer and quotes


def foreign_figures(subject: Subject, subjects: Sequence[Subject], calibration: Calibration) -> set[str]:
    """Figures of other subjects that this subject's own follow-up answer, asked alone, never holds."""
    own = calibration.follow_up_evidence.get(subject.name, "")
    figures = {normalized(f) for other in subjects if other.name != subject.name for f in other.signature}
    return {f for f in figures if not holds(own, f)}


def check_follow_up(
    subject: Subject, record: dict[str, Any], subjects: Sequence[Subject], calibration: Calibration
) -> tuple[list[str], list[str], bool]:
    """Return (problems, subjects it leaked from, whether it differs from its calibrated answer)."""
    evidence = evidence_text(record)
    problems = [f"追问回答缺少本会话主题的数字 {f}" for f in subject.follow_up_figures if not holds(evidence, f)]
    foreign = foreign_figures(subject, subjects, calibration)
    leaked_from = {
        other.name
        for other in subjects
        if any(normalized(f) in foreign and holds(evidence, f) for f in other.signature)
    }
    # The stand-alone question the record shows names the subject whose history filled the follow-up's slots.
    standalone = str(record.get("standalone") or "")
    if subject.name not in standalone:
        leaked_from |= {other.name for other in subjects if other.name != subject.name and other.name in standalone}
    body = answer_body(record)
    own_answer = calibration.follow_up_answers.get(subject.name)
    changed = own_answer is not None and body != own_answer
    if changed:  # word for word what another subject's follow-up answers
        leaked_from |= {n for n, a in calibration.follow_up_answers.items() if n != subject.name and a == body}
    return problems, sorted(leaked_from), changed


def check_closing(subject: Subject, record: dict[str, Any]) -> list[str]:
    evidence = evidence_text(record)
    return [f"回答缺少本会话主题的内容 {f}" for f in subject.closing_figures if not holds(evidence, f)]


# --- sessions ------------------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    """One question of one session, as answered (or not)."""

    session: int
    subject: str
    step: int
    transport: str
    question: str
    answered: bool = False
    seconds: float | None = None
    first_delta_seconds: float | None = None
    problems: list[str] = field(default_factory=list)
    leaked_from: list[str] = field(default_factory=list)
    changed: bool = False
    answer: str = ""


def uses_stream(session: int, step: int) -> bool:
    """Every other question goes through the SSE endpoint, so both endpoints carry follow-ups."""
    return (session + step) % 2 == 1


def run_session(
    urls: Sequence[str],
    session: int,
    subject: Subject,
    subjects: Sequence[Subject],
    calibration: Calibration,
    deadline: float,
    request_timeout: float,
    headers: dict[str, str],
) -> list[QuestionResult]:
    """Ask one subject's questions in order, each with the history of this session only."""
    results: list[QuestionResult] = []
    history: list[dict[str, str]] = []
    with httpx.Client(timeout=request_timeout, headers=headers) as client:
        for step, question in enumerate(subject.questions):
            streamed = uses_stream(session, step)
            result = QuestionResult(session, subject.name, step, "stream" if streamed else "ask", question)
            results.append(result)
            if time.monotonic() > deadline:
                result.problems.append("超出时限，未提问")
                continue
            try:
                url = urls[(session + step) % len(urls)]  # round robin: no sticky sessions
                reply = (ask_streamed if streamed else ask_whole)(client, url, question, history)
            except (httpx.HTTPError, AskFailed, ValueError) as exc:
                result.problems.append(f"{type(exc).__name__}: {exc}")
                break  # the rest of this conversation would lean on an answer it never got
            record = reply.record
            result.answered = bool(record.get("answer")) and not record.get("refused")
            result.seconds, result.first_delta_seconds = reply.seconds, reply.first_delta_seconds
            result.answer = answer_body(record)
            if not result.answered:
                result.problems.append("没有回答（拒答或空回答）")
            elif step == 1:
                result.problems, result.leaked_from, result.changed = check_follow_up(
                    subject, record, subjects, calibration
                )
            elif step == 2:
                result.problems = check_closing(subject, record)
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": result.answer}]
    return results


class CalibrationFailed(RuntimeError):
    """The server did not answer the calibration questions: there is no point in loading it."""


def calibrate(
    url: str, subjects: Sequence[Subject], request_timeout: float, headers: dict[str, str]
) -> tuple[Calibration, list[str]]:
    """Ask every subject's opening and follow-up once, alone; return the follow-up answers and any problems."""
    answers: dict[str, str] = {}
    evidence: dict[str, str] = {}
    problems: list[str] = []
    with httpx.Client(timeout=request_timeout, headers=headers) as client:
        for subject in subjects:
            try:
                opening = ask_whole(client, url, subject.opening, [])
                history = [
                    {"role": "user", "content": subject.opening},
                    {"role": "assistant", "content": answer_body(opening.record)},
                ]
                follow_up = ask_whole(client, url, subject.follow_up, history).record
            except (httpx.HTTPError, AskFailed, ValueError) as exc:
                raise CalibrationFailed(f"校准：{subject.name} 没有得到回答（{type(exc).__name__}: {exc}）") from exc
            answers[subject.name] = answer_body(follow_up)
            evidence[subject.name] = evidence_text(follow_up)
            missing = [f for f in subject.follow_up_figures if not holds(evidence[subject.name], f)]
            if missing:
                problems.append(f"校准：{subject.name} 的追问单独提问也答不出 {missing}：{answers[subject.name][:120]}")
    return Calibration(answers, evidence), problems


# --- health probe and server metrics -------------------------------------------------------------------------


class HealthProbe:
    """GET /healthz of each worker in turn, every `interval` seconds, on its own connection while a level runs."""

    def __init__(self, urls: Sequence[str], bound: float, headers: dict[str, str], interval: float = 0.5) -> None:
        self.urls, self.bound, self.headers, self.interval = list(urls), bound, headers, interval
        self.seconds: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="healthz-probe", daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=self.bound, headers=self.headers) as client:
            for n in itertools.count():
                if self._stop.is_set():
                    break
                started = time.perf_counter()
                try:
                    response = client.get(self.urls[n % len(self.urls)] + "/healthz")
                    elapsed = time.perf_counter() - started
                    self.seconds.append(elapsed)
                    if response.status_code != 200 or response.json().get("status") != "ok":
                        self.failures.append(f"HTTP {response.status_code}")
                    elif elapsed > self.bound:
                        self.failures.append(f"{elapsed:.2f} s")
                except (httpx.HTTPError, ValueError) as exc:
                    self.seconds.append(time.perf_counter() - started)
                    self.failures.append(f"{type(exc).__name__}")
                self._stop.wait(self.interval)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.bound + 5)


def process_memory_mb(pids: Sequence[int]) -> tuple[float | None, float | None]:
    """Return the largest (RSS, peak RSS) in MB among local processes, from /proc (None where unknown)."""
    rss: list[float] = []
    peak: list[float] = []
    for pid in pids:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+)", status, re.M))
            rss.append(int(values.get("VmRSS", 0)) / 1024)
            peak.append(int(values.get("VmHWM", 0)) / 1024)
    return max(rss, default=None), max(peak, default=None)


def process_cpu_seconds(pids: Sequence[int]) -> float | None:
    """Return the user + system CPU seconds used so far by local processes together (None where unknown)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total if pids else None


# --- levels --------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round((len(ordered) - 1) * q / 100)))]


@dataclass
class LevelReport:
    """What one concurrency level measured."""

    concurrency: int
    sessions: int
    questions: int
    answered: int
    failed: int
    leaked: int
    changed: int
    seconds: float
    questions_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    stream_first_delta_p50_ms: float | None
    health_probes: int
    health_max_ms: float | None
    health_failures: list[str]
    server_rss_mb: float | None
    server_peak_rss_mb: float | None
    server_cpu_seconds: float | None
    load_average: tuple[float, float, float]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.leaked and not self.health_failures


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def run_level(
    urls: Sequence[str],
    concurrency: int,
    sessions: int,
    subjects: Sequence[Subject],
    calibration: Calibration,
    *,
    time_limit: float,
    request_timeout: float,
    health_bound: float,
    headers: dict[str, str],
    server_pids: Sequence[int] = (),
) -> LevelReport:
    """Run `sessions` sessions, `concurrency` at a time, with the health probe running alongside."""
    cpu_before = process_cpu_seconds(server_pids)
    started = time.perf_counter()
    deadline = time.monotonic() + time_limit
    with HealthProbe(urls, health_bound, headers) as probe, ThreadPoolExecutor(concurrency) as pool:
        futures = [
            pool.submit(
                run_session,
                urls,
                n,
                subjects[n % len(subjects)],
                subjects,
                calibration,
                deadline,
                request_timeout,
                headers,
            )
            for n in range(sessions)
        ]
        results = [r for future in futures for r in future.result()]
    seconds = time.perf_counter() - started
    cpu_after = process_cpu_seconds(server_pids)
    rss, peak = process_memory_mb(server_pids)
    latencies = [r.seconds for r in results if r.answered and r.seconds is not None]
    first_deltas = [r.first_delta_seconds for r in results if r.first_delta_seconds is not None]
    asked = sessions * len(subjects[0].questions)
    answered = sum(r.answered for r in results)
    problems = [
        f"会话{r.session}（{r.subject}）第{r.step + 1}问 {r.question!r}：{'；'.join(r.problems)}"
        + (f"；串话自 {r.leaked_from}：{r.answer[:100]}" if r.leaked_from else "")
        for r in results
        if r.problems or r.leaked_from
    ]
    return LevelReport(
        concurrency=concurrency,
        sessions=sessions,
        questions=asked,
        answered=answered,
        failed=asked - answered + sum(bool(r.problems) for r in results if r.answered),
        leaked=sum(bool(r.leaked_from) for r in results),
        changed=sum(r.changed for r in results),
        seconds=round(seconds, 2),
        questions_per_second=round(answered / seconds, 2) if seconds else 0.0,
        p50_ms=ms(percentile(latencies, 50)),
        p95_ms=ms(percentile(latencies, 95)),
        max_ms=ms(max(latencies, default=None)),
        stream_first_delta_p50_ms=ms(percentile(first_deltas, 50)),
        health_probes=len(probe.seconds),
        health_max_ms=ms(max(probe.seconds, default=None)),
        health_failures=probe.failures,
        server_rss_mb=None if rss is None else round(rss, 1),
        server_peak_rss_mb=None if peak is None else round(peak, 1),
        server_cpu_seconds=None if cpu_before is None or cpu_after is None else round(cpu_after - cpu_before, 2),
        load_average=os.getloadavg(),
        problems=problems,
    )


def default_sessions(concurrency: int) -> int:
    return max(16, 2 * concurrency)


def run_load(
    urls: Sequence[str],
    levels: Sequence[int],
    *,
    sessions: int | None = None,
    subjects: Sequence[Subject] = SUBJECTS,
    time_limit: float = 180.0,
    request_timeout: float = 60.0,
    health_bound: float = 2.0,
    token: str | None = None,
    server_pids: Sequence[int] = (),
    progress: Any = None,
) -> tuple[Calibration, list[str], list[LevelReport]]:
    """Calibrate, then run each concurrency level; return the calibration, its problems and the level reports."""
    for url in urls:
        require_local(url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        calibration, calibration_problems = calibrate(urls[0], subjects, request_timeout, headers)
    except CalibrationFailed as exc:
        return Calibration({}, {}), [str(exc)], []
    reports = []
    for concurrency in levels:
        report = run_level(
            urls,
            concurrency,
            sessions or default_sessions(concurrency),
            subjects,
            calibration,
            time_limit=time_limit,
            request_timeout=request_timeout,
            health_bound=health_bound,
            headers=headers,
            server_pids=server_pids,
        )
        reports.append(report)
        if progress:
            progress(report)
    return calibration, calibration_problems, reports


# --- the server ----------------------------------------------------------------------------------------------


def require_local(url: str) -> None:
    """Refuse any host but this machine's loopback."""
    host = urlparse(url).hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"only 127.0.0.1 may be load-tested, not {host!r}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def started_server(embedding: str, data_dir: Path) -> Iterator[tuple[str, int]]:
    """Run `report-assistant serve` on a free port over `data_dir` until the block ends; yield (url, pid)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REPORT_ASSISTANT_")},
        "REPORT_ASSISTANT_DATA_DIR": str(data_dir / "data"),
        "REPORT_ASSISTANT_SEEDS_DIR": str(ROOT / "seeds"),
        "REPORT_ASSISTANT_EMBEDDING__BACKEND": embedding,
        "REPORT_ASSISTANT_ANSWER_MODE": "extractive",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    executable = Path(sys.executable).with_name("report-assistant")
    command = [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port)]
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer /healthz within {STARTUP_LIMIT_S:.0f} s")
            time.sleep(0.25)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# --- output --------------------------------------------------------------------------------------------------

COLUMNS = (
    ("N", "concurrency", "{:>3}"),
    ("sessions", "sessions", "{:>8}"),
    ("questions", "questions", "{:>9}"),
    ("answered", "answered", "{:>8}"),
    ("failed", "failed", "{:>6}"),
    ("leaked", "leaked", "{:>6}"),
    ("changed", "changed", "{:>7}"),
    ("q/s", "questions_per_second", "{:>6}"),
    ("p50 ms", "p50_ms", "{:>7}"),
    ("p95 ms", "p95_ms", "{:>7}"),
    ("max ms", "max_ms", "{:>7}"),
    ("SSE 1st p50", "stream_first_delta_p50_ms", "{:>11}"),
    ("healthz max ms", "health_max_ms", "{:>14}"),
    ("health fails", "health_failures", "{:>12}"),
    ("RSS MB", "server_rss_mb", "{:>7}"),
    ("CPU s", "server_cpu_seconds", "{:>6}"),
    ("load avg 1m", "load_average", "{:>11}"),
)


def table(reports: Sequence[LevelReport]) -> str:
    """A plain-text table of the level reports."""

    def cell(report: LevelReport, attribute: str) -> str:
        value = getattr(report, attribute)
        if attribute == "health_failures":
            return str(len(value))
        if attribute == "load_average":
            return f"{value[0]:.2f}"
        return "-" if value is None else str(value)

    header = "  ".join(fmt.format(title) for title, _, fmt in COLUMNS)
    rows = ["  ".join(fmt.format(cell(r, attribute)) for _, attribute, fmt in COLUMNS) for r in reports]
    return "\n".join([header, *rows])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url", action="append", help="A running server on 127.0.0.1 to load instead of starting one (repeatable)."
    )
    parser.add_argument("--embedding", default="e5", choices=["e5", "fake"], help="Backend of the started server.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32], help="Concurrent sessions (N).")
    parser.add_argument("--sessions", type=int, help="Sessions per level (default max(16, 2N)).")
    parser.add_argument("--time-limit", type=float, default=180.0, help="Seconds per level before it stops asking.")
    parser.add_argument("--request-timeout", type=float, default=60.0, help="Seconds per request.")
    parser.add_argument("--health-bound", type=float, default=2.0, help="Seconds /healthz may take under load.")
    parser.add_argument("--pid", type=int, action="append", default=[], help="Measure RSS and CPU of these servers.")
    parser.add_argument("--token", help="Bearer token, when the server requires one.")
    parser.add_argument("--json-out", type=Path, help="Also write the results as JSON here.")
    args = parser.parse_args(argv)
    if min(args.concurrency) < 1 or (args.sessions is not None and args.sessions < 1):
        parser.error("--concurrency and --sessions must be at least 1")

    def show(report: LevelReport) -> None:
        print(
            f"N={report.concurrency}: {report.answered}/{report.questions} answered in {report.seconds} s", flush=True
        )

    with contextlib.ExitStack() as stack:
        if args.url:
            urls, pids = [u.rstrip("/") for u in args.url], args.pid
            for url in urls:
                require_local(url)
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-test-")))
            began = time.perf_counter()
            url, pid = stack.enter_context(started_server(args.embedding, tmp))
            urls, pids = [url], [pid]
            print(
                f"server {url} ({args.embedding} embeddings) ready in {time.perf_counter() - began:.1f} s", flush=True
            )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
        _, calibration_problems, reports = run_load(
            urls,
            args.concurrency,
            sessions=args.sessions,
            time_limit=args.time_limit,
            request_timeout=args.request_timeout,
            health_bound=args.health_bound,
            token=args.token,
            server_pids=pids,
            progress=show,
        )
    print()
    print(table(reports))
    for problem in calibration_problems + [p for r in reports for p in r.problems[:20]]:
        print("  ✗", problem)
    for report in reports:
        if report.health_failures:
            print(
                f"  ✗ N={report.concurrency}: /healthz failed {len(report.health_failures)}×: {report.health_failures[:5]}"
            )
    if args.json_out:
        payload = {
            "urls": urls,
            "embedding": None if args.url else args.embedding,
            "cores": os.cpu_count(),
            "calibration_problems": calibration_problems,
            "levels": [asdict(r) | {"ok": r.ok} for r in reports],
        }
        args.json_out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    ok = not calibration_problems and bool(reports) and all(r.ok for r in reports)
    print("OK: every question answered, no follow-up leaked, /healthz stayed responsive" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
