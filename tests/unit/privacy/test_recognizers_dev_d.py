"""Recognizer classes added for the misses of the dev_d notes (2026-12-03); cases written here,
in other words and values than the notes."""

from __future__ import annotations

import pytest

from medllm.privacy.recognizers.address import AddressRecognizer
from medllm.privacy.recognizers.date import DateRecognizer
from medllm.privacy.recognizers.hospital import HospitalRecognizer
from medllm.privacy.recognizers.location import LocationRecognizer
from medllm.privacy.recognizers.name import NameRecognizer
from medllm.privacy.recognizers.profession import ProfessionRecognizer


def _texts(rec: object, text: str, kind: str) -> list[str]:
    return [text[s.start : s.end] for s in rec.analyze(text) if s.kind == kind]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("coverage via Granite Peak Advantage HMO since May", "Granite Peak Advantage HMO"),
        ("ambulance: Tollgate Valley Fire & Rescue, unit 9", "Tollgate Valley Fire & Rescue"),
        ("statement taken by Marlow Police Department", "Marlow Police Department"),
        ("works at Copperline Auto Sons as a mechanic", "Copperline Auto Sons"),
        ("referred to Lake of Pines Family Health Team", "Lake of Pines Family Health Team"),
        ("PT at Redfern Sports Therapy twice weekly", "Redfern Sports Therapy"),
        ("sings at Hollow Creek Presbyterian on Sundays", "Hollow Creek Presbyterian"),
    ],
)
def test_organisations_by_their_head_word(text: str, org: str) -> None:
    found = _texts(HospitalRecognizer(), text, "HOSPITAL")
    assert org in found  # shorter overlapping spans may come too; the analyzer merges them
    assert all(f in org for f in found)


@pytest.mark.parametrize(
    "text",
    ["needs Physical Therapy and Speech Therapy", "call the Police Department", "Dental Service"],
)
def test_service_words_alone_are_no_organisation(text: str) -> None:
    assert _texts(HospitalRecognizer(), text, "HOSPITAL") == []


def test_australian_state_and_postcode() -> None:
    rec = LocationRecognizer()
    text = "lives at 9 Wattle St, Kurri Kurri NSW 2327 with her son"
    assert _texts(rec, text, "STATE") == ["NSW"]
    assert _texts(rec, text, "ZIP") == ["2327"]
    assert "Kurri Kurri" in _texts(rec, text, "CITY")


def test_press_style_state_with_its_dot() -> None:
    rec = LocationRecognizer()
    assert _texts(rec, "moved to Bend, Ore. in 2019", "STATE") == ["Ore"]
    assert _texts(rec, "the Ore. sample", "STATE") == []  # no city before it


def test_city_before_a_uk_postcode_after_a_comma() -> None:
    text = "12 Mill Lane, Thornaby Vale, TS17 6QW"
    assert "Thornaby Vale" in _texts(LocationRecognizer(), text, "CITY")


def test_lower_case_city_that_is_no_english_word() -> None:
    # "fargo" is in Philter's whitelist but not an English word
    assert _texts(LocationRecognizer(), "our son lives in fargo now", "CITY") == ["fargo"]
    assert _texts(LocationRecognizer(), "she was reading in bed", "CITY") == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("returned from Lisbon on 27/10 with a cough", "27/10"),
        ("echo 10/7 showed EF 40%", "10/7"),
        ("clinic Wednesday 9th at noon", "Wednesday 9th"),
        ("seen oct 14 for the same", "oct 14"),
        ("msg sent: thu 10/8/26 7:15 pm", "10/8/26 7:15 pm"),
        ("msg sent: thu 10/8/26 7:15 pm", "thu"),
        ("Admitted 3/9/26 0540 via ED", "3/9/26 0540"),
        ("worse since Remembrance Sunday", "Remembrance Sunday"),
        ("low mood since black friday", "black friday"),
    ],
)
def test_more_date_forms(text: str, date: str) -> None:
    got = [text[s.start : s.end] for s in DateRecognizer().analyze(text)]
    assert any(date in g for g in got), got


@pytest.mark.parametrize(
    "text", ["took 1/2 tablet", "GCS 14/15", "sat 2 hours in the waiting room"]
)
def test_fractions_and_scores_are_no_dates(text: str) -> None:
    assert DateRecognizer().analyze(text) == []


@pytest.mark.parametrize(
    ("text", "job"),
    [
        ("this 52 year old HGV driver in clinic today", "HGV driver"),
        ("71-year-old dairy farmer and part-time auctioneer with knee pain", "dairy farmer"),
        ("bed 4 - 63m, glazier s: cellulitis", "glazier"),
        ("she was a court stenographer for years", "court stenographer"),
        ("retired sugar beet harvester operator, lives alone", "sugar beet harvester operator"),
    ],
)
def test_professions_after_more_cues(text: str, job: str) -> None:
    assert job in [text[s.start : s.end] for s in ProfessionRecognizer().analyze(text)]


@pytest.mark.parametrize(
    ("row", "name"),
    [
        ("| 12 | YOUNG, Margit       | 91 F |", "YOUNG, Margit"),
        ("| 14 | van der Berg, K.L.  | 40 M |", "van der Berg, K.L."),
        ("| 15 | Vang, Mai Ka        | 33 F |", "Vang, Mai Ka"),
    ],
)
def test_table_rows_with_particles_initials_and_ordinary_words(row: str, name: str) -> None:
    assert name in [row[s.start : s.end] for s in NameRecognizer()._table_rows(row)]


def test_a_table_cell_of_ordinary_words_is_no_name() -> None:
    assert NameRecognizer()._table_rows("| Stable, Improving   | 2 |") == []


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("lives at 7/22 Jacaranda Pde with her sister", "7/22 Jacaranda Pde"),
        ("farm at N5521 County Rd K, Baraboo", "N5521 County Rd"),
        ("flat at 9 Kirkton Brae since May", "9 Kirkton Brae"),
    ],
)
def test_australian_and_rural_street_numbers(text: str, street: str) -> None:
    got = [text[s.start : s.end] for s in AddressRecognizer().analyze(text)]
    assert any(street in g for g in got), got
