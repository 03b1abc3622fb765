"""The trie-shaped alternation matches what a flat longest-first alternation does."""

from __future__ import annotations

import re

from medllm.privacy.recognizers.base import trie_alternation

WORDS = ["Guinea", "Guinea-Bissau", "Equatorial Guinea", "Niger", "Nigeria", "U.S.", "U.S.A.", "UK"]
TEXT = (
    "Flew from guinea-bissau via Nigeria and Niger to Equatorial Guinea; then the U.S.A., "
    "the U.S. and the uk. Nigerian food, Guineas, UKR."
)


def test_trie_alternation_finds_what_the_flat_alternation_finds() -> None:
    flat = "|".join(re.escape(w) for w in sorted(WORDS, key=len, reverse=True))
    a = re.compile(rf"(?<![\w.])(?:{flat})(?![\w])", re.IGNORECASE)
    b = re.compile(rf"(?<![\w.]){trie_alternation(WORDS)}(?![\w])", re.IGNORECASE)
    want = [m.group(0) for m in a.finditer(TEXT)]
    assert want == [
        "guinea-bissau",
        "Nigeria",
        "Niger",
        "Equatorial Guinea",
        "U.S.A.",
        "U.S.",
        "uk",
    ]
    assert [m.group(0) for m in b.finditer(TEXT)] == want


def test_case_kept_without_folding() -> None:
    b = re.compile(trie_alternation(["new york", "new jersey", "new"], fold=False))
    text = "new jersey, New York, new york, newt"
    assert [m.group(0) for m in b.finditer(text)] == ["new jersey", "new york", "new"]
