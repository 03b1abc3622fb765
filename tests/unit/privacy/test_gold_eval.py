"""The gold corpora (synthetic generator, i2b2 reader), the metrics, and the recall they show."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from medllm.core.errors import DataError
from medllm.core.records import Span
from medllm.privacy import deidentify
from medllm.privacy.detect import build_analyzer
from medllm.privacy.evaluate import Scorer, evaluate
from medllm.privacy.gold import load_gold, read_gold_jsonl, synthetic
from medllm.privacy.gold.i2b2 import philter_notes, read_i2b2_xml
from medllm.privacy.gold.synthetic import (
    NOTE_TYPES,
    GoldNote,
    fmt_vin,
    generate_notes,
    vin_check_digit,
)
from medllm.privacy.recognizers.vehicle import vin_ok
from medllm.privacy.resources import generator_names, generator_places, lexicon


def test_generator_is_seeded_and_offsets_are_exact(gold_notes: list[GoldNote]) -> None:
    again = generate_notes(10, seed=0)
    assert [n.text for n in again] == [n.text for n in gold_notes[:10]]
    assert generate_notes(3, seed=1)[0].text != gold_notes[0].text
    assert {n.note_type for n in gold_notes} == set(NOTE_TYPES)
    kinds = Counter(s.kind for n in gold_notes for s in n.spans)
    assert len(kinds) >= 20
    for note in gold_notes:
        for s in note.spans:
            value = note.text[s.start : s.end]
            assert value and value == value.strip()
        ends = [(s.start, s.end) for s in note.spans]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))


# The generator's places are outside the detector's gazetteer (issue #19), so a city, the state
# after it and a hospital named after it are found only from context. Share of these spans removed
# completely on the 100 notes of `gold_notes`, measured: CITY 0.65, STATE 0.6667, HOSPITAL
# 0.9667. The floors sit just under; raise them when the location rules improve.
PLACE_FLOORS = {"CITY": 0.64, "STATE": 0.66, "HOSPITAL": 0.96}


def test_every_seeded_phi_span_is_removed(gold_notes: list[GoldNote]) -> None:
    analyzer = build_analyzer()
    places: Counter[tuple[str, bool]] = Counter()
    for note in gold_notes:
        found = analyzer.analyze(note.text)
        covered = [False] * len(note.text)
        for s in found:
            covered[s.start : s.end] = [True] * (s.end - s.start)
        for g in note.spans:
            leaked = [
                m.group(0)
                for m in re.finditer(r"\w+", note.text[g.start : g.end])
                if not covered[g.start + m.start()]
            ]
            if g.kind in PLACE_FLOORS:
                places[g.kind, not leaked] += 1
                continue
            assert not leaked, (
                f"{note.id}: {g.kind} span at {g.start} left {len(leaked)} tokens in clear"
            )
        clean = deidentify(note.text).text
        for g in note.spans:
            value = note.text[g.start : g.end]
            if len(value) >= 6 and any(c.isdigit() or c == "@" for c in value):
                assert value not in clean, f"{note.id}: a {g.kind} value survived redaction"
    for kind, floor in PLACE_FLOORS.items():
        share = places[kind, True] / (places[kind, True] + places[kind, False])
        assert share >= floor, f"{kind}: {share:.4f} of spans removed completely"


def test_i2b2_notes_are_read_from_the_installed_package() -> None:
    notes = philter_notes()
    assert len(notes) == 5
    assert sum(len(n.spans) for n in notes) == 46
    types = Counter(s.source for n in notes for s in n.spans)
    assert types["DATE"] == 19 and types["DOCTOR"] == 15 and types["PATIENT"] == 4
    assert all(n.text[s.start : s.end].strip() for n in notes for s in n.spans)


def test_recall_on_i2b2_and_synthetic(gold_notes: list[GoldNote]) -> None:
    analyzer = build_analyzer()
    i2b2 = evaluate(philter_notes(), analyzer.analyze)
    assert i2b2["overall"]["token_binary"]["recall"] >= 0.95
    syn = evaluate(gold_notes, analyzer.analyze)
    # 0.9837 measured on these 100 notes (1.0 before the generator stopped drawing cities and
    # names from the detector's own lists, issue #19; the misses are cities and their states).
    assert syn["overall"]["token_binary"]["recall"] >= 0.98
    assert syn["overall"]["span_relaxed"]["precision"] >= 0.9
    assert set(syn["per_type"]) >= {"NAME", "DATE", "PHONE", "MRN", "STREET", "ZIP"}


def test_metrics_on_a_hand_counted_example() -> None:
    text = "Dr Ann Lee saw Bo on 3/4/20 at home"
    gold = [Span("NAME", 3, 10), Span("NAME", 15, 17), Span("DATE", 21, 27)]
    pred = [Span("NAME", 3, 6), Span("DATE", 21, 27), Span("NAME", 31, 35)]
    sc = Scorer()
    sc.add(text, gold, pred)
    rep = sc.report()
    name = rep["per_type"]["NAME"]
    assert name["span_strict"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    # relaxed: "Ann" overlaps "Ann Lee" → 1 of 2 gold found, 1 of 2 predictions right
    assert name["span_relaxed"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert rep["per_type"]["DATE"]["span_strict"]["f1"] == 1.0
    # tokens: gold PHI tokens Ann, Lee, Bo, 3, 4, 20 (6); predicted Ann, 3, 4, 20, home (5)
    assert rep["overall"]["token_binary"]["recall"] == round(4 / 6, 4)
    assert rep["overall"]["token_binary"]["precision"] == round(4 / 5, 4)
    assert rep["overall"]["span_covered_recall"] == round(1 / 3, 4)


def test_gold_jsonl_round_trip(tmp_path: Path, gold_notes: list[GoldNote]) -> None:
    from medllm.core.jsonl import write_jsonl

    path = tmp_path / "gold.jsonl"
    write_jsonl(path, (n.to_dict() for n in gold_notes[:5]))
    back = read_gold_jsonl(path)
    assert [n.spans for n in back] == [
        tuple(Span(s.kind, s.start, s.end, 1.0, "gold") for s in n.spans) for n in gold_notes[:5]
    ]
    assert len(load_gold(str(path))) == 5


def test_malformed_i2b2_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<deIdi2b2><TEXT>hi</TEXT></deIdi2b2>")
    with pytest.raises(DataError, match=r"bad\.xml.*TAGS"):
        read_i2b2_xml(bad)
    with pytest.raises(DataError, match="unknown gold"):
        load_gold("nope")


def test_generator_values_are_in_none_of_the_detector_lists(gold_notes: list[GoldNote]) -> None:
    lex = lexicon()
    names = generator_names()
    assert len(names.first) == 1000 and len(names.last) == 4000
    invented = {n.lower() for n in (*names.first, *names.last)}
    assert not invented & (lex.first | lex.last | lex.common)
    places = generator_places()
    assert len(places.cities) > 1000
    assert not {c.lower() for c in places.cities} & (lex.cities | set(lex.states))
    # and in the notes themselves: no word of a NAME span is in a name or city list (initials
    # aside), no CITY span holds a gazetteer city or state (its words may be list words: "Grand")
    name_words = {
        w.lower()
        for n in gold_notes
        for s in n.spans
        if s.kind == "NAME"
        for w in re.findall(r"[A-Za-z]{2,}", n.text[s.start : s.end])
    }
    assert len(name_words) > 200
    assert not name_words & (lex.first | lex.last | lex.cities)
    for n in gold_notes:
        for s in n.spans:
            if s.kind == "CITY":
                words = n.text[s.start : s.end].lower().split()
                runs = {
                    " ".join(words[i:j])
                    for i in range(len(words))
                    for j in range(i + 1, len(words) + 1)
                }
                assert not runs & (lex.cities | set(lex.states)), n.text[s.start : s.end]


def test_generator_names_are_deterministic() -> None:
    generator_names.cache_clear()
    again = generator_names()
    assert again.first[:3] == ("Ligidget", "Bevelia", "Claurie")
    assert again.last[:3] == ("Barhoope", "Mcbette", "Paulty")


def test_generator_vin_check_digit_is_its_own_code() -> None:
    source = Path(synthetic.__file__).read_text(encoding="utf-8")
    assert "medllm.privacy.recognizers" not in source  # the generator imports no detector code
    # ISO 3779 worked example: 1M8GDM9A_KP042788 has check digit X
    assert vin_check_digit("1M8GDM9A0KP042788") == "X"
    rng = random.Random(3)
    vins = [fmt_vin(rng) for _ in range(500)]
    assert all(vin_ok(v) for v in vins)  # the recognizer's independent check agrees
