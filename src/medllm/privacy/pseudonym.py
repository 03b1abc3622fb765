"""Keyed pseudonyms for identifiers that are not prose: file and folder names, record ids.

`pseudonym(key, value, kind)` = a prefix + the first hex digits of HMAC-SHA256(key, kind NUL value):
the same key gives the same pseudonym (outputs of two runs line up), and without the key a
pseudonym cannot be traced back, not even by trying every possible MRN. Nothing that maps a
pseudonym back to its value is ever written.

The key (`run_key`): the config's `secret`, else $MEDLLM_DEID_KEY, else a random key for this run
only, never stored: that one makes names and ids unlinkable to any other run.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path, PurePath
from typing import Literal

KEY_ENV = "MEDLLM_DEID_KEY"
Kind = Literal["name", "id"]
# name: one path component, 48 bits (a clash in one output folder is checked for and refused);
# id: a record or document id, 64 bits (ids must stay unique across a whole knowledge base).
_FORMAT: dict[str, tuple[str, int]] = {"name": ("doc-", 12), "id": ("id-", 16)}


def run_key(secret: str | None = None) -> str:
    """`secret`, else $MEDLLM_DEID_KEY, else a fresh random key (held in memory only)."""
    return secret or os.environ.get(KEY_ENV) or secrets.token_hex(16)


def keyed_digest(key: str, value: str) -> bytes:
    """HMAC-SHA256 of `value` under the run's key: stable within a key, not reversible without it."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).digest()


def patient_pseudonym(key: str, value: str) -> str:
    """A patient's (or FHIR resource's) pseudonym, "p-" + 12 hex digits, shared by the JSONL
    patient field and FHIR ids so one patient maps to one pseudonym across formats."""
    return "p-" + keyed_digest(key, value).hex()[:12]


def pseudonym(key: str, value: str, kind: Kind = "id") -> str:
    """ "doc-3f9a1c2e7b04" (kind="name") or "id-…" with 16 hex digits (kind="id")."""
    prefix, n = _FORMAT[kind]
    digest = hmac.new(key.encode(), f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
    return prefix + digest[:n]


def pseudonym_name(key: str, name: str) -> str:
    """A file name's pseudonym, its extension kept: "smith_john_2024-03-14.txt" → "doc-….txt"."""
    return pseudonym(key, name, "name") + PurePath(name).suffix


def pseudonym_path(key: str, rel: PurePath) -> Path:
    """Every component of a relative file path replaced (folders too), the file's extension kept."""
    *folders, name = rel.parts
    return Path(*(pseudonym(key, f, "name") for f in folders), pseudonym_name(key, name))
