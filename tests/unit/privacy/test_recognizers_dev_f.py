"""Recognizer classes added for the misses of the dev_f notes (2026-12-07); cases written here,
in other words and values than the notes."""

from __future__ import annotations

import pytest

from medllm.privacy.recognizers.address import AddressRecognizer
from medllm.privacy.recognizers.health_plan import HealthPlanRecognizer
from medllm.privacy.recognizers.hospital import HospitalRecognizer
from medllm.privacy.recognizers.id_number import IdNumberRecognizer
from medllm.privacy.recognizers.location import LocationRecognizer
from medllm.privacy.recognizers.name import NameRecognizer
from medllm.privacy.recognizers.profession import ProfessionRecognizer


def _texts(rec: object, text: str, kind: str) -> list[str]:
    return sorted({text[s.start : s.end] for s in rec.analyze(text) if s.kind == kind})  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "logins"),
    [
        ("Call taken by: Wendeline Osterkamp, RN   wosterkamp\n", ["wosterkamp"]),
        ("Reviewed by:   Dr Tobiah Farquhar-Lind     (tfarquharlind)\n", ["tfarquharlind"]),
        ("Thanks,\nQ. Haverkamp, PharmD   -- qhaverkamp.rx\n", ["qhaverkamp.rx"]),
        ("Patient: Vue, Mai Ker   Portal: maiker.vue\n", ["maiker.vue"]),
        # an ordinary word is never a login, even when it is an initial + a surname of the note
        ("Seen by Dr Emory Ward today; she won an award last year.", []),
    ],
)
def test_logins_derived_from_a_name_of_the_note(text: str, logins: list[str]) -> None:
    assert _texts(NameRecognizer(), text, "USERNAME") == logins


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Address on file: RR 3 Box 118B, Tipton", "RR 3 Box 118B"),
        ("Mailing: RR 4, Site 22, Comp 7, Shubenacadie", "RR 4, Site 22, Comp 7"),
        ("Home: Lot 47 Saddle Lake Road, Wabasca", "Lot 47 Saddle Lake Road"),
        ("Plot 9, Gangapur Road, Nashik", "Plot 9, Gangapur Road"),
        ("Address: #12, 4th Main, 6th Cross, Jayanagar", "#12, 4th Main, 6th Cross"),
        ("Domicile: 2140, 8e Avenue Est, Trois-Rivieres", "2140, 8e Avenue Est"),
        ("lives at 88 Calle Los Alamos, Espanola", "88 Calle Los Alamos"),
        ("new address 7 Tullochgorm Croft, Lairg", "7 Tullochgorm Croft"),
    ],
)
def test_rural_indian_french_spanish_and_croft_street_lines(text: str, street: str) -> None:
    assert street in _texts(AddressRecognizer(), text, "STREET")


def test_irish_county_and_eircode() -> None:
    text = "Knockroe, Co. Sligo  F91 XK2P\nJones & Co. Ltd supplies the walker."
    assert _texts(AddressRecognizer(), text, "STATE") == ["Sligo"]
    assert _texts(AddressRecognizer(), text, "ZIP") == ["F91 XK2P"]


def test_rx_number_in_a_table_cell() -> None:
    text = "| amlodipine 5 mg | 12/2 | bottle | Rx 7731905 | continue |"
    assert "Rx 7731905" in _texts(IdNumberRecognizer(), text, "ID")


@pytest.mark.parametrize(
    ("text", "jobs"),
    [
        ("self-employed roofer and part-time grain hauler; no pets", ["grain hauler", "roofer"]),
        ("worked nine years as a blast-hole driller at the quarry", ["blast-hole driller"]),
        ("a seasonal ski patroller in winter", ["ski patroller"]),
        ("Retired wharfie, lives alone.", ["wharfie"]),
        ("Spouse Lor, Kia - CNC machinist, employer Metro Tooling", ["CNC machinist"]),
        (
            "this 61-year-old long-haul truck driver\n(drives Regina to Fargo)",
            ["long-haul truck driver"],
        ),
    ],
)
def test_professions_with_more_cues_and_a_second_job(text: str, jobs: list[str]) -> None:
    assert _texts(ProfessionRecognizer(), text, "PROFESSION") == jobs


@pytest.mark.parametrize(
    ("text", "org"),
    [
        (
            "gave 14 years at Pennock Gap Aggregates before the mine closed",
            "Pennock Gap Aggregates",
        ),
        ("my dad is at Tamarind Vale Care Home since June", "Tamarind Vale Care Home"),
        ("send it to Hartwell pharmacy #4412 please", "Hartwell pharmacy #4412"),
        ("reported to Kengeri Traffic Police Station", "Kengeri Traffic Police Station"),
        ("Vernon Ridge Hospital - Med-Surg 4 West, rm 12", "Med-Surg 4 West"),
        ("Care of the Elderly (Ward 3B)", "Ward 3B"),
        ("| 10/02/2026 | Quarry Flats ED | seen |", "Quarry Flats ED"),
        (
            "Referred to Institut de neurologie du Val-Brillant",
            "Institut de neurologie du Val-Brillant",
        ),
    ],
)
def test_employers_care_homes_units_and_french_institutes(text: str, org: str) -> None:
    assert org in _texts(HospitalRecognizer(), text, "HOSPITAL")


def test_a_hospital_short_form_in_brackets_is_found_again() -> None:
    text = "Moved to Tallgrass Basin Medical Center (TBMC), Ketchum.\nFollow-up at TBMC in May."
    spans = HospitalRecognizer().analyze(text)
    assert sorted({s.start for s in spans if text[s.start : s.end] == "TBMC"}) == [41, 70]


def test_places_after_near_and_compass_cues() -> None:
    text = "raised near Upper Musquodoboit; now works north of Port Alberni. Near Dr Ames' office."
    assert _texts(LocationRecognizer(), text, "CITY") == ["Port Alberni", "Upper Musquodoboit"]


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("Medical aid: Bonitas Medical Scheme / Standard Select", "Standard Select"),
        ("Medical aid: Bonitas Medical Scheme / Standard Select", "Bonitas Medical Scheme"),
        ("Private cover Medibank Extras Top", "Medibank Extras Top"),
        (
            "Secondary: Regence Blue Cross Blue Shield of Utah",
            "Regence Blue Cross Blue Shield of Utah",
        ),
        ("Member / group  QX1188 / GRP 5512", "5512"),
    ],
)
def test_plan_names_options_and_group_numbers(text: str, plan: str) -> None:
    assert plan in _texts(HealthPlanRecognizer(), text, "HEALTHPLAN")


# dev_g (2026-12-07)
@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("PICC placed 3/7 by the VAT nurse", ["3/7"]),
        ("POLST signed 6/9.", ["6/9"]),
        ("sertraline added 8/4 (dose 50 mg)", ["8/4"]),
        ("bed hold til Fri; PT visits Tue/Thu", ["Fri", "Thu", "Tue"]),
        ("alendronate weekly Sun AM", ["Sun AM"]),
        ("Sat up in the chair. Sun exposure limited.", []),
        ("given 1/2 tab at night", []),
        ("Signed 2029-01-04 09:15 MST. cc PCP", ["2029-01-04 09:15 MST"]),
        ("Clinic   3/2/29 2:40p   Documented by RN", ["3/2/29 2:40p"]),
    ],
)
def test_bare_dates_after_charting_verbs_weekday_abbreviations_and_zones(
    text: str, dates: list[str]
) -> None:
    from medllm.privacy.recognizers.date import DateRecognizer

    assert _texts(DateRecognizer(), text, "DATE") == dates


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("one hundred and four y/o M, alert", ["one hundred and four"]),
        ("grandma (shes ninety eight) lives with us", ["ninety eight"]),
        ("he is ninety minutes from the clinic", []),
    ],
)
def test_spelled_out_ages(text: str, ages: list[str]) -> None:
    from medllm.privacy.recognizers.age import AgeRecognizer

    assert _texts(AgeRecognizer(), text, "AGE") == ages
