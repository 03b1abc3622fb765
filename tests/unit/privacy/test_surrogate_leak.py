"""No note's own PHI survives its transform: 1,000 generated notes, surrogate and redact.

`deid eval` scores detection; this checks the transformed text itself, where a detected span can
still leak when the surrogate reuses a word of the original ("3568 Funk Drive, Flatbush, NY" once
became "8850 Grady Flatbush, MS"). The notes come from our own generator, so this is a regression
test, not an evaluation (HOUSE_STYLE 14).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence

import pytest

from medllm.core import Span
from medllm.privacy import DeidConfig, Deidentifier
from medllm.privacy.gold.filler import HOSPITAL_WORDS, STREET_SUFFIXES
from medllm.privacy.gold.synthetic import GoldNote, generate_notes
from medllm.privacy.recognizers.address import AddressRecognizer

# Words the transforms keep or write on purpose: street suffixes and unit words ("Drive",
# "Apt"), the fixed words of hospital names ("Memorial Hospital"), compass words.
_TEMPLATE_WORDS = re.findall(
    r"[A-Za-z]+", " ".join(re.sub(r"\{\w+\}", "", h) for h in HOSPITAL_WORDS)
)
GENERIC = {w.lower().strip(".") for w in (*STREET_SUFFIXES, *_TEMPLATE_WORDS)}
GENERIC |= {"n", "west", "apt", "suite", "s"}
# month names: every shifted date writes one ("May 20, 2022" is no leak of "May Community Hospital")
GENERIC |= {m.lower() for m in calendar.month_name[1:]} | {
    m.lower() for m in calendar.month_abbr[1:]
}
COMPOUND = {"NAME", "CITY", "STREET", "HOSPITAL"}  # every distinctive word is checked too


def components(kind: str, value: str) -> list[str]:
    """The value itself; for names and address parts each word of 3+ letters; for a street its
    house number. Left out: ages (over 89 they become "90+" by design) and whole dates (a
    shifted date may equal another date of the same note: intervals are kept by design);
    initials and other numbers inside a value, which collide by chance with digits the
    surrogates write (a unit "Suite 975" and a surrogate fax "(975) 565-3312")."""
    if kind in ("AGE", "DATE"):
        return []
    parts = [value]
    if kind in COMPOUND:
        parts += [w for w in re.findall(r"[A-Za-z]{3,}", value) if w.lower() not in GENERIC]
    if kind == "STREET" and (number := re.match(r"\d+", value)):
        parts.append(number.group(0))
    return parts


def _count(word: str, text: str) -> int:
    return len(re.findall(r"(?<![A-Za-z0-9])" + re.escape(word) + r"(?![A-Za-z0-9])", text))


def leaks(note: GoldNote, output: str, detected: Sequence[Span]) -> list[tuple[str, str]]:
    """(kind, component) found more often in the output than in the note's non-PHI text (so
    "CT" in "CT of the abdomen" does not count against the state CT), for the gold spans the
    detector covered whole: this tests the transforms, detection misses are `deid eval`'s (a
    missed span counts as context, so its words may stay)."""
    covered = _covered(note, detected)
    context = note.text  # what stays in clear by design: non-PHI text and the missed spans
    for s in covered:
        context = context[: s.start] + " " * (s.end - s.start) + context[s.end :]
    found = set()
    for s in covered:
        for word in components(s.kind, note.text[s.start : s.end]):
            if _count(word, output) > _count(word, context):
                found.add((s.kind, word))
    return sorted(found)


def _covered(note: GoldNote, detected: Sequence[Span]) -> list[Span]:
    """The gold spans whose every word token lies inside some detected span."""
    inside = [False] * len(note.text)
    for d in detected:
        inside[d.start : d.end] = [True] * (d.end - d.start)
    return [
        g
        for g in note.spans
        if all(inside[g.start + m.start()] for m in re.finditer(r"\w+", note.text[g.start : g.end]))
    ]


@pytest.fixture(scope="module")
def notes() -> list[GoldNote]:
    return generate_notes(1000, seed=0)


@pytest.mark.parametrize("transform", ["surrogate", "redact"])
def test_no_note_keeps_its_own_phi(notes: list[GoldNote], transform: str) -> None:
    deid = Deidentifier(DeidConfig(transform=transform, secret="leak-test"))
    results = [deid(n.text, patient=n.patient_id) for n in notes]
    leaked = {
        n.id: found
        for n, r in zip(notes, results, strict=True)
        if (found := leaks(n, r.text, r.spans))
    }
    assert sum(s.kind == "STREET" for n in notes for s in n.spans) == 400
    # The spans the detector missed (cities outside its gazetteer, issue #19) are not checked;
    # the checked share stays high (0.9613 of 14,303 spans measured) or the test means little.
    checked = sum(len(_covered(n, r.spans)) for n, r in zip(notes, results, strict=True))
    assert checked / sum(len(n.spans) for n in notes) >= 0.95
    assert leaked == {}


def test_street_span_stops_at_a_comma() -> None:
    text = "lives at 3568 Funk Drive, Flatbush, NY 11201 and 12 Oak St, Apt 5B, Boston"
    spans = AddressRecognizer().analyze(text)
    assert [text[s.start : s.end] for s in spans if s.kind == "STREET"] == [
        "3568 Funk Drive",
        "12 Oak St, Apt 5B",
    ]
    # the town after each street line is a CITY of its own, never part of the street
    assert [(s.kind, text[s.start : s.end]) for s in spans if s.kind != "STREET"] == [
        ("CITY", "Flatbush"),
        ("STATE", "NY"),
        ("ZIP", "11201"),
        ("CITY", "Boston"),
    ]


def test_street_surrogate_keeps_only_a_street_suffix() -> None:
    deid = Deidentifier(DeidConfig(transform="surrogate", secret="k"))
    out = deid("Lives at 8673 Bledsoe Court, Columbia, MD 21044.", patient="p").text
    assert "Columbia" not in out and "Bledsoe" not in out and "8673" not in out
    assert re.match(r"Lives at \d+ [A-Z][a-z]+ Court[,.]", out), out  # not "... Columbia"
