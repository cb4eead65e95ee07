"""The feedback store (SQLite in the data dir), the upload checks and the security helpers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assistant.records import AnswerRecord
from index.loaders import format_names
from ui.feedback import FeedbackStore, UnknownRecord
from ui.security import cookie_value, frame_ancestors_policy
from ui.uploads import UploadError, check_suffix, display_name, store_upload


def record(record_id: str = "r1") -> AnswerRecord:
    return AnswerRecord(id=record_id, question="公车一年花了多少钱？", answer="支出3.52万元[1]。")


def test_feedback_keeps_question_record_json_rating_comment_and_time(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    feedback_id = store.add("down", record=record(), comment=" 数字不对 ", user="zhangsan")
    [row] = store.all()
    assert (row.id, row.rating, row.comment, row.question, row.user) == (
        feedback_id,
        "down",
        "数字不对",
        "公车一年花了多少钱？",
        "zhangsan",
    )
    assert json.loads(row.record_json)["answer"] == "支出3.52万元[1]。" and row.created_at.startswith("20")


def test_feedback_by_id_needs_a_remembered_record(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    with pytest.raises(UnknownRecord):
        store.add("up", record_id="r1")
    store.remember(record())
    store.add("up", record_id="r1")
    assert store.all()[0].record_id == "r1"


def test_remembered_records_survive_a_restart(tmp_path: Path) -> None:
    FeedbackStore(tmp_path / "f.sqlite3").remember(record("keep"))
    assert FeedbackStore(tmp_path / "f.sqlite3").record("keep") == record("keep")


def test_a_comment_can_follow_the_rating(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    feedback_id = store.add("up", record=record())
    assert store.set_comment(feedback_id, "很好")
    assert not store.set_comment(feedback_id + 1, "x")
    assert store.all()[0].comment == "很好"


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\x\\报告.docx", "报告.docx"),
        ("a\x00b.pdf", "a_b.pdf"),
        ("", "未命名报告"),
        (None, "未命名报告"),
    ],
)
def test_client_file_names_are_only_display_names(filename: str | None, shown: str) -> None:
    assert display_name(filename) == shown


@pytest.mark.parametrize("filename", ["a.PDF", "b.docx", "c.txt", "d.md", "e.xlsx"])
def test_report_types_are_accepted(filename: str) -> None:
    assert check_suffix(filename) == Path(filename).suffix.lower()


@pytest.mark.parametrize("filename", ["a.exe", "b.doc", "noext", None])
def test_other_types_are_refused_with_415(filename: str | None) -> None:
    with pytest.raises(UploadError) as caught:
        check_suffix(filename)
    assert caught.value.status == 415 and format_names() in caught.value.message  # names what the loaders read


def test_uploads_are_stored_under_generated_names_inside_the_uploads_dir(tmp_path: Path) -> None:
    stored = store_upload(io.BytesIO(b"report"), "../../evil.txt", tmp_path / "uploads", 1)
    assert stored.parent == tmp_path / "uploads" and stored.suffix == ".txt" and "evil" not in stored.name
    assert stored.read_bytes() == b"report"


def test_oversize_upload_is_refused_with_413_and_removed(tmp_path: Path) -> None:
    with pytest.raises(UploadError) as caught:
        store_upload(io.BytesIO(b"x" * 2048), "big.txt", tmp_path, 0.001)
    assert caught.value.status == 413 and list(tmp_path.iterdir()) == []


def test_frame_ancestors_none_when_no_embedder_is_allowed() -> None:
    assert frame_ancestors_policy([]) == "frame-ancestors 'none'"


def test_session_cookie_is_not_the_token() -> None:
    assert cookie_value("abc") != "abc" and cookie_value("abc") == cookie_value("abc")


def test_workers_opening_a_new_feedback_database_at_once_all_open_it(tmp_path: Path) -> None:
    import threading

    from ui.feedback import FeedbackStore

    failures: list[Exception] = []
    for n in range(10):
        path = tmp_path / f"db{n}" / "feedback.sqlite3"

        def open_it(path: Path = path) -> None:
            try:
                FeedbackStore(path).close()
            except Exception as exc:  # the failure is the finding
                failures.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures
