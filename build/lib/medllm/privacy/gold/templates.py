"""The five synthetic note types. Each writes one note into a `Builder` from a `World`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from medllm.privacy.gold.synthetic import (
    Builder,
    World,
    _digits,
    filler,
    fmt_date,
    fmt_email,
    fmt_mrn,
    fmt_name,
    fmt_phone,
    fmt_ssn,
    fmt_street,
    fmt_vin,
)


def _date(b: Builder, w: World, d: dt.date) -> Builder:
    return b.phi("DATE", fmt_date(d, w.rng))


def _age(b: Builder, w: World) -> Builder:
    """Ages over 89 are PHI; younger ones are written as plain text."""
    form = w.rng.choice(["{}-year-old", "{} y/o", "{} year old", "{} yo"])
    if w.age >= 90:
        return b.phi("AGE", str(w.age)).t(form[2:])
    return b.t(form.format(w.age))


def _doctor(b: Builder, w: World, i: int, style: str | None = None) -> Builder:
    d = w.doctors[i]
    form = style or w.rng.choice(["dr_l", "dr_fl", "fl_md", "fml_md"])
    if form == "dr_l":
        return b.t("Dr. ").phi("NAME", d.last)
    if form == "dr_fl":
        return b.t("Dr. ").phi("NAME", f"{d.first} {d.last}")
    if form == "fml_md":
        return b.phi("NAME", f"{d.first} {d.middle}. {d.last}").t(", M.D.")
    return b.phi("NAME", f"{d.first} {d.last}").t(", MD")


def _address(b: Builder, w: World) -> Builder:
    b.phi("STREET", fmt_street(w.rng)).t(", ").phi("CITY", w.city).t(", ")
    b.phi("STATE", w.state).t(" ")
    return b.phi("ZIP", f"{w.rng.randint(1000, 99950):05d}")


def _header(b: Builder, w: World, title: str) -> None:
    b.phi("HOSPITAL", w.hospital).t(f"\n{title}\n\n")
    label, mrn = fmt_mrn(w.rng)
    b.t("Patient: ").phi("NAME", fmt_name(w.patient, w.rng)).t("\n").t(label).phi("MRN", mrn).t(
        "\n"
    )
    b.t("DOB: ").phi("DATE", fmt_date(w.dob, w.rng)).t("\n")


def discharge(b: Builder, w: World) -> None:
    _header(b, w, "DISCHARGE SUMMARY")
    admit = w.visit
    dc = admit + dt.timedelta(days=w.rng.randint(1, 12))
    b.t("Admission date: ")
    _date(b, w, admit).t("\nDischarge date: ")
    _date(b, w, dc).t("\nAttending: ")
    _doctor(b, w, 0, "dr_fl").t("\n\nHISTORY: ")
    title = "Mr." if w.patient.sex == "M" else "Ms."
    b.t(f"{title} ").phi("NAME", w.patient.last).t(" is a ")
    _age(b, w).t(" admitted with community-acquired pneumonia. ")
    filler(b, w.rng, 3)
    b.t("\nHOSPITAL COURSE: ")
    filler(b, w.rng, 4)
    b.t("Seen in consultation by ")
    _doctor(b, w, 1).t(" on ")
    _date(b, w, admit + dt.timedelta(days=1)).t(". ")
    b.t("\nDISPOSITION: Discharged home with his ").t("wife ").phi("NAME", w.relative.first)
    b.t(", reachable at ").phi("PHONE", fmt_phone(w.rng)).t(".\nAddress: ")
    _address(b, w).t("\nAccount #: ").phi("ACCOUNT", _digits(w.rng, 9))
    b.t("\nMember ID: ").phi("HEALTHPLAN", "XJH" + _digits(w.rng, 9)).t("\n\n")
    _doctor(b, w, 0, "fml_md").t("\n")
    b.t(w.doctors[0].first[0] + w.doctors[0].last[0] + "/").phi(
        "USERNAME", w.doctors[2].last.lower()[:6]
    ).t("\n")


def progress(b: Builder, w: World) -> None:
    b.t("PROGRESS NOTE\nDate of service: ")
    _date(b, w, w.visit).t("\n")
    b.t("Name: ").phi("NAME", fmt_name(w.patient, w.rng, "LF")).t("   ")
    label, mrn = fmt_mrn(w.rng)
    b.t(label).phi("MRN", mrn).t("\n\nS: ")
    b.phi("NAME", w.patient.first).t(" returns for follow-up. ")
    filler(b, w.rng, 3)
    b.t("Last seen on ")
    _date(b, w, w.visit - dt.timedelta(days=w.rng.randint(20, 200))).t(".\nO: ")
    filler(b, w.rng, 3)
    b.t("\nA/P: ")
    filler(b, w.rng, 2)
    b.t("Discussed with ")
    _doctor(b, w, 1, "dr_l").t(" (cardiology), pager ").phi("PHONE", _digits(w.rng, 5)).t(". ")
    b.t("Return ")
    _date(b, w, w.visit + dt.timedelta(days=90)).t(".\n")
    b.t("Pacemaker serial number ").phi("DEVICE", "PJN" + _digits(w.rng, 6)).t(" checked.\n\n")
    _doctor(b, w, 0, "fl_md").t("\n")


def radiology(b: Builder, w: World) -> None:
    b.phi("HOSPITAL", w.hospital).t(" - Department of Radiology\n")
    b.t("EXAM: CT chest with contrast   ACCESSION #: ").phi("ID", "A" + _digits(w.rng, 8)).t("\n")
    b.t("PATIENT: ").phi("NAME", fmt_name(w.patient, w.rng, "FL")).t("   ")
    label, mrn = fmt_mrn(w.rng)
    b.t(label).phi("MRN", mrn).t("\nEXAM DATE: ")
    _date(b, w, w.visit).t("\nORDERING PHYSICIAN: ")
    _doctor(b, w, 0, "dr_fl").t("\n\nCLINICAL HISTORY: ")
    _age(b, w).t(" with cough.\nCOMPARISON: ")
    _date(b, w, w.visit - dt.timedelta(days=w.rng.randint(30, 700))).t(".\nFINDINGS: ")
    filler(b, w.rng, 2)
    b.t("No pulmonary embolism.\nIMPRESSION: No acute cardiopulmonary process.\n")
    b.t("Images available at ").phi(
        "URL",
        f"https://pacs.{w.city.lower().replace(' ', '')}-imaging.org/study/{_digits(w.rng, 6)}",
    )
    b.t(" (workstation ").phi(
        "IP", f"10.{w.rng.randint(0, 255)}.{w.rng.randint(0, 255)}.{w.rng.randint(1, 254)}"
    ).t(").\n")
    b.t("Electronically signed by: ").phi("NAME", fmt_name(w.doctors[1], w.rng, "fml")).t(
        ", MD on "
    )
    _date(b, w, w.visit).t("\n")


def referral(b: Builder, w: World) -> None:
    _date(b, w, w.visit).t("\n\n")
    b.t("Dear Dr. ").phi("NAME", w.doctors[1].last).t(",\n\n")
    b.t("Thank you for seeing my patient, ").phi("NAME", fmt_name(w.patient, w.rng, "fml")).t(
        " (DOB "
    )
    _date(b, w, w.dob).t(", SSN ").phi("SSN", fmt_ssn(w.rng)).t("), a ")
    _age(b, w).t(" who lives at ")
    _address(b, w).t(". ")
    filler(b, w.rng, 3)
    b.t("She drives a car with VIN ").phi("VEHICLE", fmt_vin(w.rng)).t(
        " and her driver's license is "
    )
    b.phi("LICENSE", w.rng.choice("ABCDEFGS") + _digits(w.rng, 7)).t(".\n")
    b.t("Her daughter ").phi("NAME", f"{w.relative.first} {w.patient.last}").t(
        " can be reached at "
    )
    b.phi("PHONE", fmt_phone(w.rng)).t(" or ").phi("EMAIL", fmt_email(w.relative, w.rng)).t(".\n")
    b.t("Please fax your report to ").phi("FAX", fmt_phone(w.rng)).t(".\n\nSincerely,\n\n")
    _doctor(b, w, 0, "fml_md").t("\n").phi("HOSPITAL", w.hospital).t(", ").phi("CITY", w.city).t(
        "\n"
    )


def message(b: Builder, w: World) -> None:
    b.t("From: ").phi("NAME", fmt_name(w.patient, w.rng, "fl")).t(" <").phi(
        "EMAIL", fmt_email(w.patient, w.rng)
    ).t(">\n")
    b.t("Sent: ")
    _date(b, w, w.visit).t("\nTo: ")
    _doctor(b, w, 0, "dr_fl").t("\n\nHi ")
    b.t("Dr. ").phi("NAME", w.doctors[0].last).t(",\n")
    b.t("I have been feeling dizzy since ")
    _date(b, w, w.visit - dt.timedelta(days=w.rng.randint(2, 20))).t(". ")
    filler(b, w.rng, 1)
    b.t("My husband ").phi("NAME", w.relative.first).t(
        " thinks I should come in. My new number is "
    )
    b.phi("PHONE", fmt_phone(w.rng)).t(" and I moved to ").phi("CITY", w.city).t(", ").phi(
        "STATE", w.state
    )
    b.t(". My insurance member ID is ").phi(
        "HEALTHPLAN", _digits(w.rng, 3) + "-" + _digits(w.rng, 6)
    ).t(".\n")
    b.t("Thanks,\n").phi("NAME", w.patient.first).t("\n")


TEMPLATES: dict[str, Callable[[Builder, World], None]] = {
    "discharge": discharge,
    "progress": progress,
    "radiology": radiology,
    "referral": referral,
    "message": message,
}
