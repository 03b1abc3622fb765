"""On-disk cache of model calls, keyed by scoring-code version + model fingerprint + call kind +
prompt + parameters.

SQLite (stdlib) because every write is a committed transaction: a run killed at any point loses at
most the call in flight, and a resumed run finds everything before it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from medllm.models import Model

# Part of every key and of every result folder's run record: bump it when a change to prompts,
# scoring or parsing would make stored calls or scored rows wrong, so none of them is served.
SCORING_VERSION = 2


def model_fingerprint(model: Any) -> str:
    """model.id, plus a digest of the weights for in-memory transformers models (a model trained in
    the same process keeps its id but must not hit the cache of its former self). A wrapper (a
    RagModel) adds its inner model's fingerprint and its `state_digest()` (the knowledge base)."""
    wrapped = getattr(model, "inner", None)
    if isinstance(wrapped, Model):
        return f"{model.id}|{model_fingerprint(wrapped)}|{model.state_digest()}"
    inner = getattr(model, "model", None)
    if inner is None or not hasattr(inner, "named_parameters"):
        path = getattr(model, "path", None)
        if isinstance(path, Path) and path.is_file():
            st = path.stat()
            return f"{model.id}|{st.st_size}|{st.st_mtime_ns}"
        return str(model.id)
    import torch

    h = hashlib.sha256(str(model.id).encode())
    with torch.no_grad():
        for name, p in inner.named_parameters():
            t = p.detach().double()
            h.update(
                f"{name}:{tuple(p.shape)}:{t.sum().item():.10e}:{t.abs().sum().item():.10e}".encode()
            )
    return f"{model.id}|{h.hexdigest()[:16]}"


def call_key(fingerprint: str, kind: str, payload: Any, params: Any) -> str:
    raw = json.dumps(
        [SCORING_VERSION, fingerprint, kind, payload, params], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(raw.encode()).hexdigest()


class CallCache:
    """get/put of JSON values by key; `path=None` keeps nothing (every call goes to the model)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._db: sqlite3.Connection | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, value TEXT)")
            self._db.commit()
        self.hits = 0
        self.misses = 0

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        if self._db is None or not keys:
            self.misses += len(keys)
            return {}
        found: dict[str, Any] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key, value FROM calls WHERE key IN ({','.join('?' * len(part))})"
            found.update((k, json.loads(v)) for k, v in self._db.execute(q, part))
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def put_many(self, values: dict[str, Any]) -> None:
        if self._db is None or not values:
            return
        rows = [(k, json.dumps(v)) for k, v in values.items()]
        self._db.executemany("INSERT OR REPLACE INTO calls VALUES (?, ?)", rows)
        self._db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
