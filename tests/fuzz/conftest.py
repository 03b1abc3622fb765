"""Hypothesis profiles for the fuzz tests: a few hundred cases per parser in `make test`, 10,000 in
the `slow` run.

Every fuzz test takes the `fuzz` fixture (the profile's `hypothesis.settings`, counting the cases
run) and decorates its property with it. The fixture has two parameters: `default` (MEDLLM_FUZZ picks its profile, `default` unless set)
and `slow` (marked `slow`, so `make test` deselects it and `make test-all` / `-m slow` runs it, always
with the 10,000-case profile). `deadline` is the bound on one case: a parser that takes longer on an
input fails the test with that input (a hang past the bound, found and shrunk by Hypothesis).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_COMMON = {
    "deadline": timedelta(seconds=10),
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("default", max_examples=150, **_COMMON)
settings.register_profile("slow", max_examples=10_000, **_COMMON)

PROFILE = os.environ.get("MEDLLM_FUZZ", "default")


class Fuzz:
    """Decorates a `@given` property with the profile's settings and counts the cases it runs."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.settings = settings.get_profile(profile)
        self.cases = 0

    def __call__(self, test: Any) -> Any:
        inner = test.hypothesis.inner_test  # Hypothesis' documented hook around each case

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.cases += 1
            return inner(*args, **kwargs)

        test.hypothesis.inner_test = counted
        return self.settings(test)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = (yield).get_result()
    if report.when == "call":
        item.stash[_OUTCOME] = report.outcome


_OUTCOME = pytest.StashKey[str]()


@pytest.fixture(params=["default", pytest.param("slow", marks=pytest.mark.slow)])
def fuzz(request: pytest.FixtureRequest) -> Any:
    """The settings one fuzz property runs under (its cases, deadline, health checks). With
    $MEDLLM_FUZZ_REPORT set, one JSON line per test is appended there: test, profile, cases run,
    outcome (benchmarks/fuzz_run.py reads it)."""
    f = Fuzz(PROFILE if request.param == "default" else "slow")
    yield f
    report = os.environ.get("MEDLLM_FUZZ_REPORT")
    if report:
        row = {
            "test": request.node.nodeid,
            "profile": f.profile,
            "cases": f.cases,
            "outcome": request.node.stash.get(_OUTCOME, "error"),
        }
        with open(report, "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")


@dataclass(frozen=True)
class Planted:
    """Synthetic PHI of one patient, planted into generated notes, records and bundles."""

    first: str
    last: str
    mrn: str
    phone: str
    dob: str  # MM/DD/YYYY

    def values(self) -> list[str]:
        return [self.first, self.last, self.mrn, self.phone, self.dob]

    def lines(self) -> list[str]:
        """Each value in the context a note gives it (one line each, as in a note's header)."""
        return [
            f"Patient: {self.first} {self.last}",
            f"MRN: {self.mrn}",
            f"Phone: {self.phone}",
            f"DOB: {self.dob}",
        ]

    def leaks(self, output: str, source: str = "") -> list[str]:
        """Planted values found in `output` (those that also occur in the random filler `source`
        do not count: the filler is not PHI)."""
        return [v for v in self.values() if v in output and v not in source]


# Words that are not names in a note's header ("Patient: Ann Date" → "Date" is the next field), and
# titles: the name recognizer leaves them by design, so a planted name is never one of them.
_NOT_NAMES = {
    "Mrs", "Miss", "Prof", "Date", "Room", "Unit", "Note", "Exam", "Report", "Service", "Clinic",
    "Seen", "Today", "History", "Diagnosis", "Admitted", "Subject", "Hospital", "Department",
}  # fmt: skip
NAME = st.from_regex(r"[A-Z][a-z]{3,9}", fullmatch=True).filter(lambda w: w not in _NOT_NAMES)
PLANTED = st.builds(
    Planted,
    first=NAME,
    last=NAME,
    mrn=st.from_regex(r"[1-9][0-9]{6,8}", fullmatch=True),
    phone=st.builds(
        "({}) {}-{:04d}".format,
        st.integers(201, 989),
        st.integers(200, 999),
        st.integers(0, 9999),
    ),
    dob=st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)).map(lambda d: d.strftime("%m/%d/%Y")),
)
# Filler around planted PHI: any text on lines of its own (any character but a line break).
FILLER = st.lists(st.text(st.characters(exclude_categories=["Cs", "Zl", "Zp", "Cc"]), max_size=60))


@st.composite
def planted_note(draw: st.DrawFn) -> tuple[Planted, str, str]:
    """(planted PHI, note, filler): the planted lines shuffled into random filler lines."""
    phi = draw(PLANTED)
    filler = draw(FILLER)
    lines = draw(st.permutations([*phi.lines(), *filler]))
    return phi, "\n".join(lines), "\n".join(filler)


@pytest.fixture
def phi() -> Any:
    """The PHI strategies (`PLANTED`, `planted_note()`, `NAME`) for the de-identification fuzz."""
    return SimpleNamespace(PLANTED=PLANTED, NAME=NAME, planted_note=planted_note)


# Inputs that break parsers by size rather than by content: deep nesting (RecursionError), integers
# past Python's 4,300-digit limit (ValueError), long lines, NUL bytes, BOMs, lone surrogates.
NASTY = st.one_of(
    st.integers(1, 20_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 20_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.integers(4_000, 20_000).map(lambda n: b"1" * n),
    st.integers(1, 5_000).map(lambda n: b"- " * n + b"x"),
    st.sampled_from(
        [b"\x00", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf{}", b'"\\ud800"', b"\xff\xfe", b"NaN"]
    ),
    # a long input, built cheaply (Hypothesis draws large binaries byte by byte: slow)
    st.tuples(st.binary(min_size=1, max_size=32), st.integers(300, 3_000)).map(
        lambda t: t[0] * t[1]
    ),
)


@pytest.fixture
def nasty() -> Any:
    """A strategy of pathological bytes (see NASTY), mixed into every parser's inputs."""
    return NASTY
