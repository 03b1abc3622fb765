"""Every registered recognizer through the same contract, then the cases each must get right."""

from __future__ import annotations

import itertools

import pytest

from medllm.core.records import Span
from medllm.privacy.detect import Analyzer, build_analyzer, resolve_overlaps
from medllm.privacy.registry import DEFAULT_RECOGNIZERS, recognizers

SAMPLE = (
    "Patient: Anselm Quinteros  MRN: 6093571  DOB: 03/14/1931, a 92-year-old seen by Dr. Pruett.\n"
    "Call (617) 555-0142, fax 617.555.0199, email anselm.q@example.com, https://portal.example.org/x.\n"
    "Lives at 12 Elm Street, Apt 4, Springfield, MA 01103. SSN 123-45-6789. IP 192.168.1.20.\n"
    "Member ID: XJH123456789. Account #: 55012345. DEA# AB1234563. Serial number PJN123456.\n"
    "VIN 1M8GDM9AXKP042788. Seen at Cedar Hollow Hospital.\nRWT/bessler/danko\n"
    "Born in Portugal; she works as a carpenter.\n"
)


@pytest.mark.parametrize("name", DEFAULT_RECOGNIZERS)
def test_contract(name: str) -> None:
    rec = recognizers.get(name)()
    spans = rec.analyze(SAMPLE)
    assert rec.name == name
    assert spans, f"{name} found nothing in a text holding its kind"
    for s in spans:
        assert isinstance(s, Span) and 0 <= s.start < s.end <= len(SAMPLE)
        assert s.kind in rec.kinds and s.source == name
        assert SAMPLE[s.start : s.end].strip() == SAMPLE[s.start : s.end]
    assert rec.analyze("") == []


def _found(name: str, text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in recognizers.get(name)().analyze(text)]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("phone", "call 617-555-0142 now", ("PHONE", "617-555-0142")),
        ("phone", "Fax: (617) 555-0199", ("FAX", "(617) 555-0199")),
        ("phone", "on-call pager 39265", ("PHONE", "39265")),
        ("date", "seen on 9/23 for cath", ("DATE", "9/23")),
        ("date", "since June.", ("DATE", "June")),
        ("date", "DOB 14-Mar-2024.", ("DATE", "14-Mar-2024")),
        ("date", "on March 3rd, 2021", ("DATE", "March 3rd, 2021")),
        ("age", "a 93 y/o woman", ("AGE", "93")),
        ("ssn", "SSN: 123 45 6789", ("SSN", "123 45 6789")),
        ("mrn", "MR# 12-345-67", ("MRN", "12-345-67")),
        ("id_number", "DELACRUZ,MILO   372-18-46-9", ("ID", "372-18-46-9")),
        ("name", "NAME:    Quinteros, Anselm  ", ("NAME", "Quinteros, Anselm")),
        ("name", "Harlan T. Okafor, M.D.", ("NAME", "Harlan T. Okafor")),
        ("name", "Her daughter Ann Child called", ("NAME", "Ann Child")),
        ("location", "moved to Baltimore, MD last year", ("STATE", "MD")),
        ("zip", "Boston, MA 02114", ("ZIP", "02114")),
        ("address", "at 7599 West Pratt Way, Apt 29B.", ("STREET", "7599 West Pratt Way, Apt 29B")),
        ("hospital", "CEDAR HOLLOW EMERGENCY DEPT VISIT", ("HOSPITAL", "CEDAR HOLLOW")),
        ("username", "KDR:pelham\n", ("USERNAME", "pelham")),
        ("vehicle", "VIN 1M8GDM9AXKP042788", ("VEHICLE", "1M8GDM9AXKP042788")),
    ],
)
def test_finds(name: str, text: str, expected: tuple[str, str]) -> None:
    assert expected in _found(name, text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("date", "Strength 5/5, pain 7/10, murmur 2/6, BP 142/74."),
        ("age", "a 58-year-old man"),
        ("phone", "WBC 12.3, Plt 245"),
        ("ssn", "666-12-3456"),
        ("vehicle", "1M8GDM9A1KP042788"),  # wrong check digit
        ("name", "History notable for Parkinson disease. Blood pressure stable."),
        ("mrn", "MRN pending"),
        ("location", "Dale Irving, MD, pager"),
    ],
)
def test_leaves_alone(name: str, text: str) -> None:
    assert _found(name, text) == []


def test_overlaps_merge_into_the_union() -> None:
    spans = [Span("ID", 0, 8, 0.6), Span("PHONE", 2, 12, 0.9), Span("NAME", 20, 25, 0.9)]
    merged = resolve_overlaps(spans)
    assert merged == [Span("PHONE", 0, 12, 0.9), Span("NAME", 20, 25, 0.9)]


def test_analyzer_spans_are_disjoint() -> None:
    spans = build_analyzer().analyze(SAMPLE)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_spacy_ner_is_optional_and_works() -> None:
    pytest.importorskip("spacy")
    an = Analyzer([recognizers.get("spacy_ner")()])
    text = "John Smith was seen at Massachusetts General Hospital in Boston."
    kinds = {s.kind for s in an.analyze(text)}
    assert "NAME" in kinds


def test_unknown_recognizer_says_did_you_mean() -> None:
    from medllm.core.registry import UnknownNameError

    with pytest.raises(UnknownNameError, match="did you mean 'phone'"):
        recognizers.get("phon")
