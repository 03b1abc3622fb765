"""Fuzz the de-identification text path: any text de-identifies (or fails with a MedllmError), and a
planted name, MRN, phone number or date of birth never survives in the output."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import MedllmError
from medllm.privacy import deidentify

TRANSFORMS = ["redact", "mask", "surrogate"]
SECRET = "fuzz-key"


def test_any_text_deidentifies(fuzz: Any) -> None:
    @fuzz
    @given(st.text(max_size=400), st.sampled_from(TRANSFORMS))
    def prop(text: str, transform: str) -> None:
        try:
            result = deidentify(text, transform=transform, secret=SECRET)
        except MedllmError:
            return
        assert isinstance(result.text, str)
        assert all(0 <= s.start < s.end <= len(text) for s in result.spans)

    prop()


def test_planted_phi_never_survives(fuzz: Any, phi: Any) -> None:
    @fuzz
    @given(phi.planted_note(), st.sampled_from(TRANSFORMS))
    def prop(case: tuple[Any, str, str], transform: str) -> None:
        planted, note, filler = case
        out = deidentify(note, transform=transform, secret=SECRET, patient="p1").text
        assert planted.leaks(out, filler) == []

    prop()
