"""API keys and the per-key rate limit: keys are hashed on load, a bad key line is refused
without echoing it, and the token bucket refuses the request over the limit with the wait."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core import ConfigError
from medllm.serve.security import KeyStore, RateLimiter, retry_after


def test_keys_from_file_and_env_are_checked_by_secret(tmp_path: Path) -> None:
    f = tmp_path / "keys"
    f.write_text("# team keys\nteam-a:aaaaaaaa-1111\n\nteam-b: bbbbbbbb-2222 \n", encoding="utf-8")
    keys = KeyStore.load(f, env="ops:cccccccc-3333")
    assert [keys.check(s) for s in ("aaaaaaaa-1111", "bbbbbbbb-2222", "cccccccc-3333")] == [
        "team-a",
        "team-b",
        "ops",
    ]
    assert keys.check("aaaaaaaa-111") is None and keys.check("") is None
    # only digests are held: no secret is in the store's state
    assert "aaaaaaaa-1111" not in repr(vars(keys))


def test_no_keys_is_an_open_store() -> None:
    assert not KeyStore.load(None, env="")


def test_a_bad_key_line_names_its_place_not_its_text(tmp_path: Path) -> None:
    f = tmp_path / "keys"
    f.write_text("team-a:aaaaaaaa-1111\nshort:abc\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        KeyStore.load(f, env="")
    assert str(e.value).startswith(f"{f}:2: not a `key_id:secret` entry")
    assert "abc" not in str(e.value).split("(fix")[0].replace(str(f), "")


def test_rate_limit_refuses_the_request_over_the_limit_with_the_wait() -> None:
    limiter = RateLimiter(per_min=2)
    assert [limiter.take("a"), limiter.take("a")] == [0.0, 0.0]
    wait = limiter.take("a")
    assert 29.0 < wait <= 30.0  # one token comes back every 30 s
    assert retry_after(wait) == "30"
    assert limiter.take("b") == 0.0  # per key
