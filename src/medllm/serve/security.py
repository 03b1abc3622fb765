"""API keys (hashed on load, compared in constant time) and a per-key rate limit.

Keys come from a file (`key_id:secret` per line, `#` comments) and from $MEDLLM_API_KEYS
(comma-separated, same form). Only the key id ever reaches the audit log or the metrics; the
secret is kept as its SHA-256 digest. With no key configured the server runs open, which `serve`
allows only on a loopback address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from medllm.core import ConfigError

ENV = "MEDLLM_API_KEYS"


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


class KeyStore:
    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._keys: list[tuple[str, bytes]] = [(kid, _digest(secret)) for kid, secret in pairs]

    @classmethod
    def load(cls, path: Path | None, env: str | None = None) -> KeyStore:
        pairs: list[tuple[str, str]] = []
        if path is not None:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as e:
                raise ConfigError(
                    f"{path}: cannot read the API key file ({e.strerror})",
                    fix="give a readable file of `key_id:secret` lines",
                ) from None
            for n, line in enumerate(lines, start=1):
                if line.strip() and not line.lstrip().startswith("#"):
                    pairs.append(_pair(line, f"{path}:{n}"))
        raw = os.environ.get(ENV, "") if env is None else env
        pairs += [
            _pair(item, f"${ENV} item {i}")
            for i, item in enumerate(raw.split(","), 1)
            if item.strip()
        ]
        return cls(pairs)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def check(self, secret: str) -> str | None:
        """The key id whose secret this is, else None. Every stored digest is compared (no early
        exit), each in constant time."""
        got = _digest(secret)
        found = None
        for kid, digest in self._keys:
            if hmac.compare_digest(got, digest) and found is None:
                found = kid
        return found


def _pair(text: str, where: str) -> tuple[str, str]:
    kid, sep, secret = text.strip().partition(":")
    if not sep or not kid.strip() or len(secret.strip()) < 8:
        # the line itself is not echoed: it may hold a secret
        raise ConfigError(
            f"{where}: not a `key_id:secret` entry with a secret of 8 or more characters",
            fix="write one key per line, e.g. `team-a:3f9c...` (generate one with `openssl rand -hex 24`)",
        )
    return kid.strip(), secret.strip()


class RateLimiter:
    """A token bucket per key: `per_min` requests a minute, bursts up to `per_min`."""

    def __init__(self, per_min: int) -> None:
        self.rate = per_min / 60.0
        self.capacity = float(per_min)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go; else the seconds until it may (for Retry-After)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
