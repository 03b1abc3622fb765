"""A seeded generator of synthetic clinical notes with PHI at exact offsets (the gold corpus).

Five note types (discharge summary, progress note, radiology report, referral letter, patient
message) are written around synthetic people: invented names, GeoNames places, made-up numbers,
in the varied formats real notes use. Names and places come from lists the detectors never read
(`resources.generator_names`: names invented by a letter model and absent from every detection
list; `resources.generator_places`: small US places outside the detector's gazetteer), and VIN
check digits are computed here, not with the VIN recognizer's code, so the generator tests the
rules, not their own lists. The note layouts and field labels are still the ones the rules were
written against: a regression test, not a held-out measure. Every PHI value is recorded as a gold
span while the text is built, so offsets are exact by construction. Clinical filler carries the
usual traps (drug brand names, eponyms, blood pressures, lab values, ages under 90), not PHI.

    notes = generate_notes(1000, seed=0)   # list[GoldNote]
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from medllm.core import Span
from medllm.privacy.gold.filler import FILLER, HOSPITAL_WORDS, STREET_SUFFIXES
from medllm.privacy.resources import generator_names, generator_places

NOTE_TYPES = ("discharge", "progress", "radiology", "referral", "message")


@dataclass(frozen=True)
class GoldNote:
    id: str
    patient_id: str
    note_type: str
    text: str = field(repr=False)
    spans: tuple[Span, ...] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "note_type": self.note_type,
            "text": self.text,
            "spans": [{"kind": s.kind, "start": s.start, "end": s.end} for s in self.spans],
        }


class Builder:
    """Appends text; `phi` appends a value and records its span."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[Span] = []
        self.pos = 0

    def t(self, s: str) -> Builder:
        self.parts.append(s)
        self.pos += len(s)
        return self

    def phi(self, kind: str, value: str) -> Builder:
        self.spans.append(Span(kind, self.pos, self.pos + len(value), 1.0, "gold"))
        return self.t(value)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Person:
    first: str
    middle: str
    last: str
    sex: str


@dataclass
class World:
    """Everything one note may mention, drawn from `rng`."""

    rng: random.Random
    patient: Person
    doctors: list[Person]
    relative: Person
    dob: dt.date
    visit: dt.date
    age: int
    city: str
    state: str
    hospital: str


def _person(rng: random.Random) -> Person:
    names = generator_names()
    first = names.first[rng.randrange(len(names.first))]
    last = names.last[rng.randrange(len(names.last))]
    return Person(first, rng.choice(string.ascii_uppercase), last, rng.choice("MF"))


def _world(rng: random.Random) -> World:
    places = generator_places()
    city, state = places.city_state[rng.randrange(min(800, len(places.city_state)))]
    visit = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
    age = rng.choice([rng.randint(18, 89)] * 4 + [rng.randint(90, 104)])
    dob = visit - dt.timedelta(days=age * 365 + rng.randrange(365))
    hospital = rng.choice(HOSPITAL_WORDS).format(
        last=generator_names().last[rng.randrange(500)], city=city, first=_person(rng).first
    )
    return World(
        rng,
        _person(rng),
        [_person(rng) for _ in range(3)],
        _person(rng),
        dob,
        visit,
        age,
        city,
        state,
        hospital,
    )


# value formats --------------------------------------------------------------------------
_MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def fmt_date(d: dt.date, rng: random.Random) -> str:
    month = d.strftime("%B")
    forms = [
        f"{d.month}/{d.day}/{d.year}",
        f"{d.month:02d}/{d.day:02d}/{d.year}",
        f"{d.month}/{d.day}/{d.year % 100:02d}",
        d.isoformat(),
        f"{month} {d.day}, {d.year}",
        f"{_MON[d.month - 1]} {d.day}, {d.year}",
        f"{d.day} {month} {d.year}",
        f"{d.day:02d}-{_MON[d.month - 1]}-{d.year}",
        f"{d.month}-{d.day}-{d.year % 100:02d}",
        f"{_MON[d.month - 1]}. {d.day}, {d.year}",
    ]
    return rng.choice(forms)


def fmt_phone(rng: random.Random) -> str:
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    forms = [
        f"({a}) {b}-{c:04d}",
        f"{a}-{b}-{c:04d}",
        f"{a}.{b}.{c:04d}",
        f"+1 {a} {b} {c:04d}",
        f"{a}-{b}-{c:04d} ext. {rng.randint(10, 9999)}",
    ]
    return rng.choice(forms)


def fmt_name(p: Person, rng: random.Random, style: str | None = None) -> str:
    style = style or rng.choice(["fl", "fl", "lf", "fml", "LF", "il", "FL"])
    return {
        "fl": f"{p.first} {p.last}",
        "lf": f"{p.last}, {p.first}",
        "fml": f"{p.first} {p.middle}. {p.last}",
        "LF": f"{p.last.upper()}, {p.first.upper()}",
        "il": f"{p.first[0]}. {p.last}",
        "FL": f"{p.first.upper()} {p.last.upper()}",
        "l": p.last,
        "f": p.first,
    }[style]


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def fmt_mrn(rng: random.Random) -> tuple[str, str]:
    d = _digits(rng, rng.choice([7, 8, 9]))
    return rng.choice(
        [
            ("MRN: ", d),
            ("MR# ", f"{d[:2]}-{d[2:5]}-{d[5:7]}"),
            ("Medical record number ", d),
            ("MRN ", d),
        ]
    )


def fmt_ssn(rng: random.Random) -> str:
    a, b, c = rng.randint(100, 665), rng.randint(10, 99), rng.randint(1000, 9999)
    return rng.choice([f"{a}-{b}-{c}", f"{a} {b} {c}"])


# ISO 3779 transliteration (letters → 1-9; I, O, Q are not used) and position weights, written
# out here from the standard rather than imported from the VIN recognizer.
_VIN_VALUE = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHT = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """The North American check character (position 9) for a 17-character VIN."""
    total = sum(_VIN_VALUE[c] * w for c, w in zip(vin, _VIN_WEIGHT, strict=True)) % 11
    return "X" if total == 10 else str(total)


def fmt_vin(rng: random.Random) -> str:
    chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = "".join(rng.choice(chars) for _ in range(17))
    return body[:8] + vin_check_digit(body) + body[9:]


def fmt_street(rng: random.Random) -> str:
    name = generator_names().last[rng.randrange(2000)]
    unit = rng.choice(
        [
            "",
            "",
            f", Apt {rng.randint(1, 40)}{rng.choice('ABCD')}",
            f" Suite {rng.randint(100, 999)}",
        ]
    )
    return f"{rng.randint(1, 9999)} {rng.choice(['', 'N. ', 'West '])}{name} {rng.choice(STREET_SUFFIXES)}{unit}"


def fmt_email(p: Person, rng: random.Random) -> str:
    user = rng.choice(
        [
            f"{p.first}.{p.last}",
            f"{p.first[0]}{p.last}{rng.randint(1, 99)}",
            f"{p.last}{p.first[0]}",
        ]
    )
    return f"{user.lower()}@{rng.choice(['gmail.com', 'yahoo.com', 'outlook.com', 'mail.org'])}"


def filler(b: Builder, rng: random.Random, n: int) -> None:
    for _ in range(n):
        b.t(rng.choice(FILLER) + " ")


def generate_notes(n: int, seed: int = 0) -> list[GoldNote]:
    return list(iter_notes(n, seed))


def iter_notes(n: int, seed: int = 0) -> Iterator[GoldNote]:
    """`n` notes; note i depends only on (seed, i). Every 3 notes share a patient."""
    from medllm.privacy.gold.templates import TEMPLATES  # they use the helpers above

    for i in range(n):
        rng = random.Random(f"{seed}:{i // 3}")
        world = _world(rng)
        rng = random.Random(f"{seed}:{i}")
        world.rng = rng
        kind = NOTE_TYPES[i % len(NOTE_TYPES)]
        b = Builder()
        write: Callable[[Builder, World], None] = TEMPLATES[kind]
        write(b, world)
        yield GoldNote(
            f"syn-{seed}-{i:06d}", f"pt-{seed}-{i // 3:05d}", kind, b.text(), tuple(b.spans)
        )
