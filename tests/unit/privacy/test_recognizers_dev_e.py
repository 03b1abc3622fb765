"""Recognizer classes added for the misses of the dev_e notes (2026-12-07); cases written here,
in other words and values than the notes."""

from __future__ import annotations

import pytest

from medllm.privacy.detect import build_analyzer
from medllm.privacy.recognizers.address import AddressRecognizer
from medllm.privacy.recognizers.date import DateRecognizer
from medllm.privacy.recognizers.health_plan import HealthPlanRecognizer
from medllm.privacy.recognizers.hospital import HospitalRecognizer
from medllm.privacy.recognizers.name import NameRecognizer
from medllm.privacy.recognizers.phone import PhoneRecognizer
from medllm.privacy.recognizers.profession import ProfessionRecognizer
from medllm.privacy.recognizers.username import UsernameRecognizer


def _texts(rec: object, text: str, kind: str) -> list[str]:
    return [text[s.start : s.end] for s in rec.analyze(text) if s.kind == kind]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("she is a line cook at Bramble Hollow Tavern downtown", "Bramble Hollow Tavern"),
        ("drives a forklift for Quillfeather Freight nights", "Quillfeather Freight"),
        ("paralegal at Osterhout & Penn LLP since 2019", "Osterhout & Penn LLP"),
        ("brought in by Marrowdale EMS at 0310", "Marrowdale EMS"),
        ("daughter teaches at Kestrel Ridge High", "Kestrel Ridge High"),
        ("admitted from Willowmere SNF overnight", "Willowmere SNF"),
        ("placed on Heronsgate Ward for the night", "Heronsgate Ward"),
        ("referred by NHS Carrickmore for review", "NHS Carrickmore"),
        ("he was seen at QVMC last winter", "QVMC"),
        ("intake at Foxhollow Community Counseling on Monday", "Foxhollow Community Counseling"),
    ],
)
def test_employers_and_facilities(text: str, org: str) -> None:
    found = _texts(HospitalRecognizer(), text, "HOSPITAL")
    assert org in found
    assert all(f in org for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "a fisherman with Raynaud phenomenon since 2010",  # a job "with" a disease
        "LDH at 410 and TSH in the normal range",  # lab acronyms ending in H
        "past medical history per the NHS Number on file",
    ],
)
def test_not_employers(text: str) -> None:
    assert _texts(HospitalRecognizer(), text, "HOSPITAL") == []


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("Insurance: Cedar Basin Health Plan   ID QX4471", "Cedar Basin Health Plan"),
        ("Payer: Northgate Assurance TPA / policy 77-1", "Northgate Assurance TPA"),
        ("| Kestrel Dual Complete KDC-44187 |", "Kestrel Dual Complete"),
        ("Medicare No. 4417 20931 3 (exp 2030)", "4417 20931 3"),
        ("GMS medical card 7730412Q on file", "7730412Q"),
    ],
)
def test_health_plans(text: str, plan: str) -> None:
    assert plan in _texts(HealthPlanRecognizer(), text, "HEALTHPLAN")


def test_a_public_programme_alone_is_no_plan_name() -> None:
    assert _texts(HealthPlanRecognizer(), "Insurance: Medicare A/B", "HEALTHPLAN") == []


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Flat 9, Rowan Court, 44 Dunmore Lane, Leeds", "Flat 9, Rowan Court, 44 Dunmore Lane"),
        ("Level 2, 88 Wattle Rd, Ashgrove QLD 4060", "Level 2, 88 Wattle Rd"),
        ("No. 7, Lakeview Main Road, Adyar", "No. 7, Lakeview Main Road"),
        ("crash at Oakhurst Blvd and Pemberly Rd overnight", "Oakhurst Blvd and Pemberly Rd"),
        ("lives off Hwy 212 past the mill", "Hwy 212"),
        ("Harbour Quay, Dunmarra", "Harbour Quay"),
        ("610 Birchfield Ave, 3rd Floor, Tacoma", "610 Birchfield Ave, 3rd Floor"),
    ],
)
def test_street_lines(text: str, street: str) -> None:
    assert street in _texts(AddressRecognizer(), text, "STREET")


def test_town_state_and_postcode_after_a_street() -> None:
    text = "12 Kowhai St, Pukerua Bay 5026\n9 Elm Ave\nMaple Ridge Ont. L2R 4T7"
    spans = AddressRecognizer().analyze(text)
    got = [(s.kind, text[s.start : s.end]) for s in spans if s.kind != "STREET"]
    assert got == [
        ("CITY", "Pukerua Bay"),
        ("ZIP", "5026"),
        ("CITY", "Maple Ridge"),
        ("STATE", "Ont."),
        ("ZIP", "L2R 4T7"),
    ]


@pytest.mark.parametrize(
    "phone", ["(08) 5550 1297", "(061) 555 0120", "03 555 0199", "( 415 ) 555 - 0107"]
)
def test_trunk_code_phones(phone: str) -> None:
    assert _texts(PhoneRecognizer(), f"Ph {phone} after 5", "PHONE") == [phone]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("symptoms since late august", "late august"),
        ("off the statin until mid-Nov", "mid-Nov"),
        ("fever since Tue night", "Tue night"),
        ("stayed home over xmas", "xmas"),
        ("discharged october twenty first", "october twenty first"),
        ("away 3-9 Sept", "3-9 Sept"),
    ],
)
def test_date_forms(text: str, date: str) -> None:
    assert date in _texts(DateRecognizer(), text, "DATE")


@pytest.mark.parametrize(
    ("text", "job"),
    [
        ("| sheet metal worker; lives alone |", "sheet metal worker"),
        ("Occupation: Beekeeper", "Beekeeper"),
        ("an ex-lorry driver with COPD", "lorry driver"),
        ("she was a nurse and later a school librarian in Hull", "school librarian"),
        ("works evenings as a CNA at a care home", "CNA"),
        ("a 71-year-old retired stonemason employed at the quarry", "stonemason"),
    ],
)
def test_professions(text: str, job: str) -> None:
    assert job in _texts(ProfessionRecognizer(), text, "PROFESSION")


@pytest.mark.parametrize(
    ("text", "login"),
    [
        ("Printed by HSC\\tmarchetti 08:10", "HSC\\tmarchetti"),
        ("job run as svc_pharm_sync nightly", "svc_pharm_sync"),
        ("Triage RN: Odile Barr, RN (obarr)", "obarr"),
        ("2026-03-01 14:22 rquimby: reviewed", "rquimby"),
        ("Secure messaging: thornbankmc (HealthLink)", "thornbankmc"),
        ("AB/ts0211  D: 03/02/26", "ts0211"),
    ],
)
def test_usernames(text: str, login: str) -> None:
    assert login in _texts(UsernameRecognizer(), text, "USERNAME")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("| Quennell, T | sepsis |", "Quennell, T"),
        ('Patient: Marchbank, Orla "Lolly"  DOB', "Lolly"),
        ('Ines "Nessa" Harrowgate, 41F', "Nessa"),
        ("Kind regards,\nPieter van den Heever, MD", "Pieter van den Heever"),
        ("c.c. Dr. R. T. Balasubramanian", "R. T. Balasubramanian"),
        ("Verified: Seo-yeon Kang, MLS (skang2)", "Seo-yeon Kang"),
    ],
)
def test_names(text: str, name: str) -> None:
    found = [text[s.start : s.end] for s in NameRecognizer().analyze(text)]
    assert any(name in f for f in found), found


def test_decoys_of_dev_e_survive() -> None:
    """Clinical words next to the new cues stay: a dose after "for", a score in a table cell."""
    an = build_analyzer()
    text = "| Berg 41/56 | PT for Parkinson's gait | Hoehn and Yahr 2 |"
    spans = an.analyze(text)
    assert not any("Parkinson" in text[s.start : s.end] for s in spans)


def test_an_eponym_is_a_name_only_with_a_title() -> None:
    rec = NameRecognizer()
    text = "Hashimoto thyroiditis; ESR (Westergren) 30. Seen with Mr. Hashimoto today."
    found = [text[s.start : s.end] for s in rec.analyze(text)]
    assert "Westergren" not in found
    assert any("Hashimoto" in f for f in found)  # the one after "Mr."
    assert text.index("Hashimoto") not in [s.start for s in rec._dictionary(text)]


@pytest.mark.parametrize(
    ("text", "city", "state"),
    [
        ("last spring she moved to Quarry Hollow, WV. Her sister", "Quarry Hollow", "WV"),
        ("originally from Pennock Falls, MN and retired", "Pennock Falls", "MN"),
        ("He lives in Brindle, KS.", "Brindle", "KS"),
        ("they drove down from Ashgrove Crossing, TN, overnight", "Ashgrove Crossing", "TN"),
    ],
)
def test_unknown_city_before_a_state_after_a_residence_cue(
    text: str, city: str, state: str
) -> None:
    from medllm.privacy.recognizers.location import LocationRecognizer

    rec = LocationRecognizer()  # two rules may find the same city: one span after overlaps
    assert set(_texts(rec, text, "CITY")) == {city}
    assert _texts(rec, text, "STATE") == [state]


@pytest.mark.parametrize(
    "text",
    [
        "pain in Left Knee, OR booked for Friday",
        "seen by Orla Venn, MD, who",
        "from Cardiology, MD notes",
    ],
)
def test_no_city_without_a_residence_cue_or_after_a_credential(text: str) -> None:
    from medllm.privacy.recognizers.location import LocationRecognizer

    assert _texts(LocationRecognizer(), text, "CITY") == []
