"""The fail-safe layer (issue #19): what the recognizers miss and is not known vocabulary goes;
clinical text that looks like PHI (decoys) stays. All cases are invented for this file.
"""

from __future__ import annotations

import os
import re
import stat

import pytest

from medllm.core import Span
from medllm.privacy.config import DeidConfig
from medllm.privacy.detect import Analyzer, build_analyzer
from medllm.privacy.fail_safe import SOURCE, FailSafe
from medllm.privacy.vocabulary import _cache_path, _paths, allow_list


@pytest.fixture(scope="module")
def balanced() -> Analyzer:
    return build_analyzer(None, 0.0, "balanced")


@pytest.fixture(scope="module")
def strict() -> Analyzer:
    return build_analyzer(None, 0.0, "strict")


def _hit(spans: list[Span], text: str, value: str) -> list[Span]:
    start = text.index(value)
    return [s for s in spans if s.start < start + len(value) and start < s.end]


def _removed(spans: list[Span], text: str, value: str) -> bool:
    start = text.index(value)
    toks = [(m.start(), m.end()) for m in re.finditer(r"\w+", value)]
    return all(any(s.start < start + b and start + a < s.end for s in spans) for a, b in toks)


# what it removes -----------------------------------------------------------------------------
def test_unknown_capitalised_words_and_mixed_ids_are_removed(balanced: Analyzer) -> None:
    text = "Seen with Quenbury Olathwaite on the ward. Ref code ZQ88K41 noted. Kit TRV55017W."
    spans = balanced.analyze(text)
    for value in ("Quenbury", "Olathwaite", "ZQ88K41", "TRV55017W"):
        assert _removed(spans, text, value), value
    assert any(s.source == SOURCE for s in _hit(spans, text, "ZQ88K41"))


def test_long_digit_runs_outside_clinical_context_are_removed(balanced: Analyzer) -> None:
    text = "Call box 55013 for pickup. Platelets 250000 /uL."
    spans = balanced.analyze(text)
    assert _removed(spans, text, "55013")
    assert not _hit(spans, text, "250000")  # a lab value with its unit stays


def test_lowercase_unknown_words_go_after_a_name_cue(balanced: Analyzer) -> None:
    text = "thanks!! its yzolde. we are in brackwater now and the meds are fine"
    spans = balanced.analyze(text)
    assert _removed(spans, text, "yzolde")
    assert _removed(spans, text, "brackwater")
    assert not _hit(spans, text, "meds")


def test_strict_takes_every_unknown_lowercase_word(strict: Analyzer, balanced: Analyzer) -> None:
    text = "the parcel reached quellmoor yesterday"
    assert not _hit(balanced.analyze(text), text, "quellmoor")
    assert _hit(strict.analyze(text), text, "quellmoor")


def test_off_adds_nothing_to_the_recognizers() -> None:
    text = "Seen with Quenbury Olathwaite. Kit TRV55017W."
    off = build_analyzer(None, 0.0, "off").analyze(text)
    assert all(s.source != SOURCE for s in off)
    assert FailSafe("off").spans(text, []) == []


# decoys: one test per class ------------------------------------------------------------------
DECOYS = {
    "eponym": "Findings: Parkinson's disease, Foley catheter in place, Babinski sign negative, "
    "Glasgow Coma Scale 15, Bell's palsy, Hashimoto thyroiditis, Crohn disease.",
    "code": "Dx ICD-10 E11.9 and I10; CPT 99214; also J45.40 and Z79.4 on the problem list.",
    "dose": "Metoprolol 25mg BID, insulin glargine 22 units qhs, amoxicillin 500 mg q8h x10d, "
    "carbidopa-levodopa 25/100 TID, vitamin D3 2000 IU daily.",
    "vital": "BP 132/84, HR 88, RR 18, T 37.2, SpO2 96% on 2L, Wt 81.4 kg, BMI 27.9.",
    "score": "PHQ-9 14, GAD-7 9, MoCA 24/30, NIHSS 3, APGAR 8/9, CHA2DS2-VASc 4, ECOG 2.",
    "fraction": "Took 1/2 tab; ate 3/4 of the tray; EF 35-40%; strength 4/5 in the LUE.",
    "year": "Diabetes since 2011; knee replacement in 2019; smoker until 2003.",
    "lab": "Na 138, K 4.1, Cr 1.02, HbA1c 7.4%, WBC 11.2, Hgb 10.9, Plt 212, INR 1.1, "
    "TSH 2.35, LDL 96, eGFR 58, CD4 410, B12 305.",
}


@pytest.mark.parametrize("cls", sorted(DECOYS))
@pytest.mark.parametrize("mode", ["balanced", "off"])
def test_decoys_survive(cls: str, mode: str) -> None:
    text = DECOYS[cls]
    spans = build_analyzer(None, 0.0, mode).analyze(text)  # type: ignore[arg-type]
    flagged = [text[s.start : s.end] for s in spans]
    assert flagged == [], f"{cls} decoys removed: {flagged}"


# configuration and cache ---------------------------------------------------------------------
def test_config_field_defaults_to_balanced_and_reads_yaml_off() -> None:
    assert DeidConfig().fail_safe == "balanced"
    assert DeidConfig(fail_safe=False).fail_safe == "off"  # YAML 1.1 reads `off` as False
    assert DeidConfig(fail_safe="strict").fail_safe == "strict"
    with pytest.raises(ValueError):
        DeidConfig(fail_safe="lenient")


def test_allow_list_holds_vocabulary_not_names_and_is_owner_only() -> None:
    words = allow_list()
    assert {"catheter", "metformin", "hypertension", "ambulate", "parkinson"} <= words
    assert "olathwaite" not in words and "quenbury" not in words
    cached = _cache_path(_paths(), "allow_list")
    assert cached.is_file()
    assert stat.S_IMODE(os.stat(cached).st_mode) == 0o600
