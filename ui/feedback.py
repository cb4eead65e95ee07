"""SQLite store of answered records and the 👍/👎 feedback given on them (in the data dir)."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from assistant.records import AnswerRecord

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    record_id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    record_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    record_json TEXT NOT NULL,
    user TEXT,
    created_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class FeedbackRow:
    """One stored feedback."""

    id: int
    record_id: str
    rating: str
    comment: str
    question: str
    record_json: str
    user: str | None
    created_at: str


class UnknownRecord(LookupError):
    """Feedback names a record this server never answered."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_OPEN_ATTEMPTS = 10


class FeedbackStore:
    """Remembers every answer record and stores feedback with the question, the record JSON and the time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Workers sharing a data dir open the one database at start-up together: each waits for the other's
        # lock (SQLite does not wait while one of them switches the journal mode, hence the retries).
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                with self._lock, self._db:
                    self._db.execute("PRAGMA journal_mode=WAL")
                    self._db.executescript(_SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == _OPEN_ATTEMPTS - 1:
                    self._db.close()
                    raise
                time.sleep(0.2 * (attempt + 1))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def remember(self, record: AnswerRecord) -> None:
        """Keep an answered record so that feedback (UI or API) can name it by id."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO answers (record_id, question, record_json, created_at) VALUES (?, ?, ?, ?)",
                (record.id, record.question, record.model_dump_json(), _now()),
            )

    def record(self, record_id: str) -> AnswerRecord | None:
        """Return a remembered record, or None."""
        with self._lock:
            row = self._db.execute("SELECT record_json FROM answers WHERE record_id = ?", (record_id,)).fetchone()
        return AnswerRecord.model_validate_json(row[0]) if row else None

    def add(
        self,
        rating: Rating,
        *,
        record: AnswerRecord | None = None,
        record_id: str | None = None,
        comment: str = "",
        user: str | None = None,
    ) -> int:
        """Store one feedback and return its id; the record is given or looked up by id."""
        if record is None:
            record = self.record(record_id or "")
            if record is None:
                raise UnknownRecord(record_id)
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO feedback (record_id, rating, comment, question, record_json, user, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.id, rating, comment.strip(), record.question, record.model_dump_json(), user, _now()),
            )
            return int(cursor.lastrowid or 0)

    def set_comment(self, feedback_id: int, comment: str) -> bool:
        """Attach a comment to a stored feedback; return whether it existed."""
        with self._lock, self._db:
            cursor = self._db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip(), feedback_id))
            return cursor.rowcount > 0

    def all(self) -> list[FeedbackRow]:
        """Return every feedback, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, record_id, rating, comment, question, record_json, user, created_at "
                "FROM feedback ORDER BY id"
            ).fetchall()
        return [FeedbackRow(*row) for row in rows]
