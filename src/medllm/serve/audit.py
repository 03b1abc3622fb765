"""The audit log: one SQLite row per request (WAL, owner-only file), written by one thread.

A row holds when, which key id (never the key), model, latency, tokens, the triage label, the
guardrail action, the HTTP status, and the prompt and answer **after** `privacy.deidentify`: no PHI
value of a request is stored. De-identification fails closed: if it raises, the text is replaced
by a fixed marker, never stored as it came.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sqlite3
import threading
import time
from dataclasses import astuple, dataclass, fields, replace
from pathlib import Path

from medllm.privacy import deidentify

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    ts REAL NOT NULL, key_id TEXT NOT NULL, endpoint TEXT NOT NULL, model TEXT NOT NULL,
    status INTEGER NOT NULL, latency_s REAL NOT NULL, prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL, triage TEXT NOT NULL, action TEXT NOT NULL,
    prompt TEXT NOT NULL, answer TEXT NOT NULL
)"""
WITHHELD = "[withheld: de-identification failed]"


@dataclass(frozen=True)
class AuditRow:
    ts: float
    key_id: str
    endpoint: str
    model: str
    status: int
    latency_s: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    triage: str = ""
    action: str = ""
    prompt: str = ""  # raw here; de-identified by the writer before it is stored
    answer: str = ""


def scrub(text: str) -> str:
    """`text` de-identified (redacted); the fixed marker when de-identification fails."""
    if not text:
        return ""
    try:
        return deidentify(text).text
    except Exception:  # fail closed: nothing of the text is kept
        return WITHHELD


def _lower_priority() -> None:
    """Nice the calling thread (Linux: a thread is a task with its own priority): the audit row's
    de-identification can wait, the decoding beside it on the same cores cannot."""
    # not Linux, or not allowed: run at the normal priority
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class AuditLog:
    """Rows are queued by request handlers and written (after de-identification) by one daemon
    thread, so a request never waits on the disk or on the PHI detectors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
        self._q: queue.Queue[AuditRow | None] = queue.Queue()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._db.commit()
        self._thread = threading.Thread(target=self._write_loop, name="medllm-audit", daemon=True)
        self._thread.start()

    def add(self, row: AuditRow) -> None:
        self._q.put(row)

    def _write_loop(self) -> None:
        _lower_priority()
        columns = ", ".join(f.name for f in fields(AuditRow))
        marks = ", ".join("?" for _ in fields(AuditRow))
        while (row := self._q.get()) is not None:
            clean = replace(row, prompt=scrub(row.prompt), answer=scrub(row.answer))
            self._db.execute(f"INSERT INTO requests ({columns}) VALUES ({marks})", astuple(clean))
            self._db.commit()
            self._q.task_done()
        self._q.task_done()

    def flush(self, timeout_s: float = 30.0) -> None:
        """Wait until every queued row is written (tests, shutdown)."""
        end = time.monotonic() + timeout_s
        while self._q.unfinished_tasks and time.monotonic() < end:
            time.sleep(0.01)

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=30)
        self._db.close()

    def rows(self) -> list[dict[str, object]]:
        cur = sqlite3.connect(self.path).execute("SELECT * FROM requests ORDER BY ts")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
