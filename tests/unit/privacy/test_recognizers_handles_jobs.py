"""Usernames in audit trails and social handles, and jobs after the cues added on 2026-12-03:
sentences written for these tests, synthetic values only. Each also checks a look-alike that
must not be taken."""

from __future__ import annotations

import pytest

from medllm.privacy.recognizers.profession import ProfessionRecognizer
from medllm.privacy.recognizers.username import UsernameRecognizer


def found(rec: object, text: str) -> list[tuple[str, str]]:
    return sorted({(s.kind, text[s.start : s.end]) for s in rec.analyze(text)})  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("e-signed by kpatel3 at 10:02", [("USERNAME", "kpatel3")]),
        ("last edited by m.oyelaran.", [("USERNAME", "m.oyelaran")]),
        ("signed in as tw_brook on the ward pc", [("USERNAME", "tw_brook")]),
        ("screen name: lilfox", [("USERNAME", "lilfox")]),
        ("she posts as @bex.runs on IG", [("USERNAME", "bex.runs")]),
        # look-alikes: a department after an audit verb, an e-mail's "@"
        ("reviewed by cardiology and signed by dr smith", []),
        ("write to a.oduya@example.org", []),
    ],
)
def test_usernames(text: str, want: list[tuple[str, str]]) -> None:
    assert found(UsernameRecognizer(), text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("she's a midwife at the birth centre", [("PROFESSION", "midwife")]),
        ("he is a scaffolder, off work since the fall", [("PROFESSION", "scaffolder")]),
        ("a joiner by trade, now retired", [("PROFESSION", "joiner")]),
        ("she's a smoker, 10 a day", []),
    ],
)
def test_jobs(text: str, want: list[tuple[str, str]]) -> None:
    assert found(ProfessionRecognizer(), text) == want


def test_a_city_is_known_with_and_without_its_city_suffix() -> None:
    from medllm.privacy.resources import world_cities

    cities = world_cities()
    assert {"cebu city", "cebu", "iloilo", "iloilo city"} <= cities
