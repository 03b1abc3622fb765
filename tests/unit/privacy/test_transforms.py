"""Transforms: redact, mask, consistent surrogates, interval-keeping date shifts, ages 90+."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from medllm.core.records import Span
from medllm.privacy import DeidConfig, Deidentifier
from medllm.privacy.transforms.dateshift import shift_date
from medllm.privacy.transforms.mask import Mask
from medllm.privacy.transforms.redact import Redact
from medllm.privacy.transforms.surrogate import Surrogate

TEXT = "Dr. Pruett saw Anselm Quinteros on 03/14/2024."
SPANS = [Span("NAME", 4, 10), Span("NAME", 15, 31), Span("DATE", 35, 45)]


def test_redact_and_mask() -> None:
    assert Redact().apply(TEXT, SPANS) == "Dr. [NAME] saw [NAME] on [DATE]."
    masked = Mask().apply(TEXT, SPANS)
    assert masked == "Dr. ****** saw ****** ********* on **********."
    assert len(masked) == len(TEXT)


def test_overlapping_spans_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        Redact().apply(TEXT, [Span("NAME", 0, 10), Span("NAME", 4, 12)])


def test_surrogates_are_consistent_within_a_patient_and_differ_across() -> None:
    deid = Deidentifier(DeidConfig(transform="surrogate", secret="test-key"))
    note1 = "NAME: Quinteros, Anselm  MRN: 6093571\nMr. Quinteros called 617-555-0142."
    note2 = "Anselm Quinteros (MRN 6093571) was seen; phone 617-555-0142."
    a = deid(note1, patient="p1").text
    b = deid(note2, patient="p1").text
    other = deid(note2, patient="p2").text
    last, first = re.search(r"NAME: (\w+), (\w+)", a).groups()  # type: ignore[union-attr]
    assert (last, first) != ("Quinteros", "Anselm")
    assert f"Mr. {last} called" in a
    assert f"{first} {last} (MRN" in b  # same person, other format, other note
    mrn = re.search(r"MRN: (\d+)", a).group(1)  # type: ignore[union-attr]
    assert mrn != "6093571" and f"MRN {mrn}" in b and len(mrn) == 7
    phone = re.search(r"called (\S+)\.", a).group(1)  # type: ignore[union-attr]
    assert phone in b and re.fullmatch(r"\d{3}-\d{3}-\d{4}", phone)
    assert f"{first} {last}" not in other  # another patient gets other surrogates
    for value in ("Quinteros", "Anselm", "6093571", "617-555-0142"):
        assert value not in a + b + other


def test_same_key_same_surrogates_across_runs() -> None:
    one = Deidentifier(DeidConfig(transform="surrogate", secret="k"))("Dr. Pruett", patient="p")
    two = Deidentifier(DeidConfig(transform="surrogate", secret="k"))("Dr. Pruett", patient="p")
    assert one.text == two.text


def test_date_shift_keeps_intervals_within_a_patient() -> None:
    deid = Deidentifier(DeidConfig(transform="surrogate", secret="k"))
    text = "Admitted 03/14/2024. Discharged March 20, 2024. Follow-up 2024-04-13."
    out = deid(text, patient="p9").text
    a, b, c = re.findall(r"\d{2}/\d{2}/\d{4}|[A-Z][a-z]+ \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2}", out)
    d1 = dt.datetime.strptime(a, "%m/%d/%Y").date()
    d2 = dt.datetime.strptime(b, "%B %d, %Y").date()
    d3 = dt.date.fromisoformat(c)
    assert d1 != dt.date(2024, 3, 14)
    assert (d2 - d1).days == 6 and (d3 - d1).days == 30
    shift = Surrogate("k").shift_days("p9")
    assert -365 <= shift <= -1 and d1 == dt.date(2024, 3, 14) + dt.timedelta(days=shift)


@pytest.mark.parametrize(
    ("value", "shifted"),
    [
        ("03/14/2024", "02/03/2024"),
        ("3/14/24", "2/3/24"),
        ("2024-03-14", "2024-02-03"),
        ("March 14, 2024", "February 3, 2024"),
        ("14-Mar-2024", "3-Feb-2024"),
        ("Mar 14th", "Feb 3rd"),
        ("7/91", "6/91"),
        ("June", "May"),
        ("JANUARY 3, 2020", "NOVEMBER 24, 2019"),
    ],
)
def test_shift_date_keeps_the_format(value: str, shifted: str) -> None:
    assert shift_date(value, -40) == shifted


def test_unparseable_date_is_redacted_not_kept() -> None:
    assert Surrogate("k").value("DATE", "the Tuesday before", "p") == "[DATE]"


def test_age_over_89_becomes_90_plus() -> None:
    out = Deidentifier(DeidConfig(transform="surrogate", secret="k"))("A 93-year-old man.").text
    assert out == "A 90+-year-old man."
