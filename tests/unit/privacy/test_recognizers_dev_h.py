"""Recognizer classes added for the misses of the dev_h notes (the former test_c, 2026-12-07);
cases written here, in other words and values than the notes."""

from __future__ import annotations

import pytest

from medllm.privacy.detect import build_analyzer
from medllm.privacy.recognizers.address import AddressRecognizer
from medllm.privacy.recognizers.age import AgeRecognizer
from medllm.privacy.recognizers.date import DateRecognizer
from medllm.privacy.recognizers.health_plan import HealthPlanRecognizer
from medllm.privacy.recognizers.hospital import HospitalRecognizer
from medllm.privacy.recognizers.profession import ProfessionRecognizer


def _texts(rec: object, text: str, kind: str) -> list[str]:
    return sorted({text[s.start : s.end] for s in rec.analyze(text) if s.kind == kind})  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "plans"),
    [
        ("She brought her Oregon Medicaid card to the visit.", ["Oregon Medicaid"]),
        ("Insurance: Medicare Part A/B, MBI on file", ["Medicare Part A/B"]),
        ("| 03/02/1941 | Medicare 5KD2-TT8-RC44 |", ["5KD2-TT8-RC44", "Medicare"]),
        (
            "covered by Wellcare Better Health of Ohio since spring",
            ["Wellcare Better Health of Ohio"],
        ),
        ("the forms went to moda community health plan last week", ["moda community health plan"]),
        # a programme named in a sentence is not a plan's name, nor "your health plan"
        ("Medicare covers the scooter; ask your health plan about the rest.", []),
    ],
)
def test_public_programmes_and_plans_by_name(text: str, plans: list[str]) -> None:
    assert _texts(HealthPlanRecognizer(), text, "HEALTHPLAN") == plans


@pytest.mark.parametrize(
    ("text", "org"),
    [
        (
            "Referred to Lower Valley Area Agency on Aging for meals.",
            "Lower Valley Area Agency on Aging",
        ),
        ("Contact: BRIDGE Family Resource Center, 2nd floor", "BRIDGE Family Resource Center"),
        (
            "Oxygen from Tamarind Respiratory & Mobility, LLC today",
            "Tamarind Respiratory & Mobility, LLC",
        ),
        ("Records from Hillcrest OB/GYN were reviewed.", "Hillcrest OB/GYN"),
        ("She had a license review at the Maine DMV office.", "the Maine DMV"),
        ("scans from Lakeview Pain & Spine arrived", "Lakeview Pain & Spine"),
        ("a department of BrightPath of the Lowlands", "BrightPath of the Lowlands"),
        ("transferred from Mercy Hospital at Westbrook overnight", "Mercy Hospital at Westbrook"),
        ("pills bought at Farmacia Guadalupe in Matamoros", "Farmacia Guadalupe"),
    ],
)
def test_organisations_by_head_word_camel_case_and_spanish(text: str, org: str) -> None:
    assert org in _texts(HospitalRecognizer(), text, "HOSPITAL")


def test_a_camel_case_product_or_a_name_is_not_an_organisation() -> None:
    text = "Sent via MyChart Message. Seen with McKenzie Allard and DeShawn Price."
    assert _texts(HospitalRecognizer(), text, "HOSPITAL") == []


@pytest.mark.parametrize(
    ("text", "job"),
    [
        ("Her brother is a court stenographer and lives nearby.", "court stenographer"),
        ("He is a card dealer on a river boat.", "card dealer"),
        ("She used to be a state trooper in the north.", "state trooper"),
        (
            "He is a Lakeshore County sheriff's deputy and works nights.",
            "Lakeshore County sheriff's deputy",
        ),
        ("He works as a 9-1-1 operator at night", "9-1-1 operator"),
        ("farmhand and later grain elevator operator in the county", "grain elevator operator"),
        ("My son is a junior doctor on nights this week.", "junior doctor"),
    ],
)
def test_jobs_with_names_numbers_and_new_heads(text: str, job: str) -> None:
    got = _texts(ProfessionRecognizer(), text, "PROFESSION")
    assert job in got, got


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        (
            "Flare since Shrove Tuesday; better by Whit Monday.",
            ["Monday", "Shrove Tuesday", "Tuesday"],
        ),
        ("They will travel over American Thanksgiving week.", ["American Thanksgiving week"]),
        ("Last seen on Christmas 2023 at the farm.", ["Christmas 2023"]),
        ("pain started weds after the hike", ["weds"]),
        ("clinic Thurs Mar 12 at noon", ["Mar 12", "Thurs"]),
        ("Late entry 04/22/2025 18:45: patient calm", ["04/22/2025 18:45"]),
        ("adm 6/3 via the ED", ["6/3"]),
    ],
)
def test_holidays_weekdays_and_times(text: str, dates: list[str]) -> None:
    assert _texts(DateRecognizer(), text, "DATE") == dates


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("for her grandmother's 97th birthday party", ["97"]),
        ("Mr Okafor (now 101) walks daily.", ["101"]),
        # an ordinal that is not a birthday, a number in brackets that is not an age
        ("the 95th percentile; (now 10) tablets left", []),
    ],
)
def test_ages_as_birthday_ordinals_and_in_brackets(text: str, ages: list[str]) -> None:
    assert _texts(AgeRecognizer(), text, "AGE") == ages


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Deliver to RD 2 Box 77, Milesburg", "RD 2 Box 77"),
        ("Ranch gate at lot 4, FM 1488, Magnolia", "FM 1488"),
    ],
)
def test_rural_delivery_and_farm_to_market_roads(text: str, street: str) -> None:
    assert street in _texts(AddressRecognizer(), text, "STREET")


def test_a_span_inside_a_word_takes_the_whole_word() -> None:
    text = "Seen by Dr LaKeisha Brandt today."
    an = build_analyzer()
    assert [text[s.start : s.end] for s in an.analyze(text)] == ["LaKeisha", "Brandt"]
