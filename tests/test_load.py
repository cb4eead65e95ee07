"""The load test (scripts/load_test.py): its sessions can tell one history from another, and a small run passes.

The session design is checked in process over the seed (fake embeddings): each follow-up needs its own
session's history to get its figure, and a follow-up answered with any other session's history is caught as a
leak. Then the script itself runs as a subprocess against a server it starts (4 concurrent sessions).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from assistant.corpus import Corpus
    from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "load_test.py"


def load_script() -> ModuleType:
    """Import scripts/load_test.py (scripts/ is not a package)."""
    if "load_test" in sys.modules:
        return sys.modules["load_test"]
    spec = importlib.util.spec_from_file_location("load_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_test"] = module
    spec.loader.exec_module(module)
    return module


load_test = load_script()
SUBJECTS = load_test.SUBJECTS


@pytest.fixture(scope="module")
def assistant(seed_corpus_fake: Corpus) -> Assistant:
    from assistant.service import build_assistant

    return build_assistant(seed_corpus_fake.settings, corpus=seed_corpus_fake)


def ask(assistant: Assistant, question: str, history: list[dict[str, str]]) -> dict[str, Any]:
    from assistant.records import ChatTurn

    record = assistant.ask(question, [ChatTurn(**turn) for turn in history])
    return record.model_dump(mode="json")


def opening_history(assistant: Assistant, subject: Any) -> list[dict[str, str]]:
    """The history a session has when it asks its follow-up: its opening question and the answer to it."""
    answer = load_test.answer_body(ask(assistant, subject.opening, []))
    return [{"role": "user", "content": subject.opening}, {"role": "assistant", "content": answer}]


@pytest.fixture(scope="module")
def calibration(assistant: Assistant) -> Any:
    """What the script's calibration pass measures, computed in process."""
    answers, evidence = {}, {}
    for subject in SUBJECTS:
        record = ask(assistant, subject.follow_up, opening_history(assistant, subject))
        answers[subject.name] = load_test.answer_body(record)
        evidence[subject.name] = load_test.evidence_text(record)
    return load_test.Calibration(answers, evidence)


def test_the_subjects_are_distinct() -> None:
    assert len({s.name for s in SUBJECTS}) == len(SUBJECTS) >= 8
    assert len({load_test.normalized(s.follow_up_figures[0]) for s in SUBJECTS}) == len(SUBJECTS)


@pytest.mark.parametrize("subject", SUBJECTS, ids=[s.name for s in SUBJECTS])
def test_each_follow_up_needs_its_own_history(assistant: Assistant, subject: Any) -> None:
    alone = load_test.evidence_text(ask(assistant, subject.follow_up, []))
    assert not any(load_test.holds(alone, f) for f in subject.follow_up_figures), "answerable without history"
    record = ask(assistant, subject.follow_up, opening_history(assistant, subject))
    assert all(load_test.holds(load_test.evidence_text(record), f) for f in subject.follow_up_figures)
    closing = ask(assistant, subject.closing, [])
    assert not load_test.check_closing(subject, closing)


def test_a_follow_up_answered_with_its_own_history_passes(assistant: Assistant, calibration: Any) -> None:
    for subject in SUBJECTS:
        record = ask(assistant, subject.follow_up, opening_history(assistant, subject))
        assert load_test.check_follow_up(subject, record, SUBJECTS, calibration) == ([], [], False)


@pytest.mark.parametrize("subject", SUBJECTS, ids=[s.name for s in SUBJECTS])
def test_a_follow_up_answered_with_another_sessions_history_is_caught(
    assistant: Assistant, calibration: Any, subject: Any
) -> None:
    for other in SUBJECTS:
        if other.name == subject.name:
            continue
        leaked = ask(assistant, subject.follow_up, opening_history(assistant, other))
        _, leaked_from, _ = load_test.check_follow_up(subject, leaked, SUBJECTS, calibration)
        assert other.name in leaked_from, (subject.name, other.name, leaked["answer"][:200])


def test_a_leak_is_caught_whatever_the_follow_up(calibration: Any) -> None:
    """Another subject's follow-up answer, word for word, is a leak even where figures overlap."""
    first, second = SUBJECTS[0], SUBJECTS[1]
    record = {"answer": calibration.follow_up_answers[second.name], "citations": []}
    problems, leaked_from, changed = load_test.check_follow_up(first, record, SUBJECTS, calibration)
    assert second.name in leaked_from and changed and problems


def test_percentiles_and_the_local_only_rule() -> None:
    assert load_test.percentile([], 50) is None
    assert load_test.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert load_test.percentile([float(n) for n in range(1, 101)], 95) == 95.0
    load_test.require_local("http://127.0.0.1:7860")
    with pytest.raises(SystemExit, match=r"only 127\.0\.0\.1"):
        load_test.require_local("http://example.com:7860")


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_the_load_script_answers_concurrent_sessions_without_leaks(tmp_path: Path) -> None:
    results = tmp_path / "load.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--embedding",
            "fake",
            "--concurrency",
            "4",
            "--sessions",
            "4",
            "--time-limit",
            "60",
            "--request-timeout",
            "30",
            "--health-bound",
            "5",
            "--json-out",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=170,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    payload = json.loads(results.read_text(encoding="utf-8"))
    assert not payload["calibration_problems"]
    [level] = payload["levels"]
    assert level["ok"] and level["concurrency"] == 4 and level["sessions"] == 4
    assert level["answered"] == level["questions"] == 4 * 3
    assert level["failed"] == level["leaked"] == level["changed"] == 0
    assert level["health_probes"] >= 1 and not level["health_failures"]
    assert level["p50_ms"] is not None and level["questions_per_second"] > 0
    assert "q/s" in completed.stdout and "OK" in completed.stdout
