"""Consistent surrogates: every PHI value becomes a realistic fake, the same one each time the
same value appears for the same patient, and a different one for another patient.

- names: each word is mapped on its own (so "Quinteros, Anselm" and "Anselm Quinteros" stay the same
  person) to a US-census name of the same kind (first/last), keeping case and initials;
- dates: shifted by one offset per patient (1-365 days back), written in the same format, so
  intervals between a patient's dates are kept; unparseable dates are redacted;
- ages over 89: "90+"; identifiers, phones, ZIPs: same shape, keyed digits and letters;
- places, hospitals, streets, e-mails, URLs: keyed picks from census names and GeoNames cities;
  a street keeps only a real street suffix ("Drive"), never another word of its span;
- no pick reuses a word (3+ letters) of the note's own PHI values: "Santa Maria" does not become
  "Santa Clarita", nor a street "Michael Street" in a note about a Michael. The rare re-pick makes
  that value's surrogate differ from the one it gets in a note without the clash.
A keyed HMAC (secret per run unless given) picks the surrogates: they are not reversible without
the key.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import secrets
from collections.abc import Sequence

from medllm.core import Span
from medllm.privacy.recognizers.address import SUFFIXES
from medllm.privacy.resources import census_names, lexicon, us_places
from medllm.privacy.transforms import replace_spans
from medllm.privacy.transforms.dateshift import shift_date

_WORDS = re.compile(r"[A-Za-z][A-Za-z']*|\d+")
_SHAPED = {
    "PHONE",
    "FAX",
    "SSN",
    "MRN",
    "ACCOUNT",
    "HEALTHPLAN",
    "LICENSE",
    "DEVICE",
    "VEHICLE",
    "ID",
    "ZIP",
    "USERNAME",
}
# the last street suffix of the span ("Drive", "St."): a merged span may end in a city
_PICKED = {"NAME", "CITY", "STREET", "HOSPITAL"}  # kinds whose surrogate avoids the note's words
_STREET_SUFFIX = re.compile(rf"\b(?:{SUFFIXES})\b\.?", re.IGNORECASE)
_NO_AVOID: frozenset[str] = frozenset()


def date_shift_days(secret: str, patient: str) -> int:
    """The days every date of `patient` moves by under the surrogate transform with this key (-365
    to -1). Other stages (DICOM de-id) call this, so one patient's dates move alike in every
    format de-identified with the same key."""
    return Surrogate(secret).shift_days(patient)


class Surrogate:
    name = "surrogate"

    def __init__(self, secret: str | None = None, max_shift_days: int = 365) -> None:
        self.key = (secret or secrets.token_hex(16)).encode()
        self.max_shift_days = max_shift_days

    def apply(self, text: str, spans: Sequence[Span], *, patient: str = "") -> str:
        avoid = frozenset(
            _key(w) for s in spans for w in _WORDS.findall(text[s.start : s.end]) if len(w) > 2
        )
        return replace_spans(text, spans, lambda s, v: self.value(s.kind, v, patient, avoid))

    # keyed randomness ------------------------------------------------------------------
    def _int(self, patient: str, *parts: str) -> int:
        msg = "\x1f".join((patient, *parts)).encode()
        return int.from_bytes(hmac.new(self.key, msg, hashlib.sha256).digest()[:8], "big")

    def shift_days(self, patient: str) -> int:
        """The patient's date offset: the same for all of their dates, so intervals are kept."""
        return -(1 + self._int(patient, "date-shift") % self.max_shift_days)

    def _pick(self, pool: Sequence[str], avoid: frozenset[str], patient: str, *parts: str) -> str:
        """A keyed pick from `pool`; the next one while it shares a word with `avoid`."""
        n = self._int(patient, *parts)
        for i in range(50):  # a clash is rare; 50 misses in a row would need a tiny pool
            pick = pool[(n + i) % len(pool)]
            if not any(_key(w) in avoid for w in _WORDS.findall(pick)):
                return pick
        return pick

    def value(self, kind: str, value: str, patient: str, avoid: frozenset[str] = _NO_AVOID) -> str:
        """The surrogate of one PHI value; `avoid`: lower-case words no pick may contain."""
        avoid = avoid | {_key(w) for w in _WORDS.findall(value)}
        method = getattr(self, f"_{kind.lower()}", None)
        if kind in _PICKED:
            out: str | None = method(value, patient, avoid)  # type: ignore[misc]
        elif method is not None:
            out = method(value, patient)
        elif kind in _SHAPED:
            out = self._shape(kind, value, patient)
        else:
            out = None
        return out if out is not None and out != value else f"[{kind}]"

    # per kind --------------------------------------------------------------------------
    def _date(self, value: str, patient: str) -> str | None:
        return shift_date(value, self.shift_days(patient))

    def _age(self, value: str, patient: str) -> str:
        return "90+"

    def _name(self, value: str, patient: str, avoid: frozenset[str]) -> str:
        return _WORDS.sub(lambda m: self._name_word(m.group(0), patient, avoid), value)

    def _name_word(self, word: str, patient: str, avoid: frozenset[str] = _NO_AVOID) -> str:
        if len(word) == 1:
            return chr(ord("A") + self._int(patient, "initial", word.upper()) % 26)
        names = census_names()
        lex = lexicon()
        w = word.lower().removesuffix("'s")
        pool = names.first if lex.is_first(w) and not lex.is_last(w) else names.last
        pick = self._pick(pool, avoid | {w}, patient, "name", w)
        return _like(word, pick + ("'s" if word.lower().endswith("'s") else ""))

    def _shape(self, kind: str, value: str, patient: str) -> str:
        """Same shape: each digit/letter replaced by a keyed one; the first digit is never 0."""
        rng = random.Random(self._int(patient, kind, re.sub(r"\W", "", value).upper()))
        out: list[str] = []
        first_digit = True
        for c in value:
            if c.isdigit():
                out.append(str(rng.randint(1 if first_digit else 0, 9)))
                first_digit = False
            elif c.isalpha():
                letter = chr(ord("A") + rng.randrange(26))
                out.append(letter if c.isupper() else letter.lower())
            else:
                out.append(c)
        return "".join(out)

    def _ip(self, value: str, patient: str) -> str:
        n = self._int(patient, "ip", value)
        return f"10.{n % 256}.{(n >> 8) % 256}.{1 + (n >> 16) % 254}"

    def _email(self, value: str, patient: str) -> str:
        user = value.split("@", 1)[0]
        first = self._name_word("Alex", patient + user).lower()
        last = self._name_word("Smith", patient + user).lower()
        return f"{first}.{last}@example.org"

    def _url(self, value: str, patient: str) -> str:
        return f"https://example.org/{self._int(patient, 'url', value) % 16**8:08x}"

    def _city(self, value: str, patient: str, avoid: frozenset[str]) -> str:
        cities = us_places().cities[:1000]
        return _like(value, self._pick(cities, avoid, patient, "city", value.lower()))

    def _state(self, value: str, patient: str) -> str:
        states = us_places().states
        codes = sorted(states)
        code = codes[self._int(patient, "state", value.lower()) % len(codes)]
        return code if len(value) == 2 else _like(value, states[code])

    def _street(self, value: str, patient: str, avoid: frozenset[str]) -> str:
        number = 1 + self._int(patient, "street-no", value.lower()) % 9899
        name = self._pick(census_names().last[:2000], avoid, patient, "street", value.lower())
        suffixes = _STREET_SUFFIX.findall(value)
        if not value[:1].isdigit():  # a street alone, or a place read as one ("Beech Grove"): its
            return _like(value, f"{name} Street")  # suffix word may be a city's, keep none
        suffix = suffixes[-1] if suffixes else "Street"
        return _like(value, f"{number} {name} {suffix}")

    def _hospital(self, value: str, patient: str, avoid: frozenset[str]) -> str:
        last = census_names().last[:2000]
        name = self._pick(last, avoid, patient, "hospital", value.lower())
        return _like(value, f"{name} Memorial Hospital")


def _key(word: str) -> str:
    """How a word is compared for reuse: "Chaya's" is "chaya"."""
    return word.lower().removesuffix("'s")


def _like(original: str, new: str) -> str:
    """`new` in the letter case of `original` (UPPER, lower or as is)."""
    letters = [c for c in original if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return new.upper()
    if letters and all(c.islower() for c in letters):
        return new.lower()
    return new
