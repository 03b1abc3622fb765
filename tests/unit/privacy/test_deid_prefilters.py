"""The speed pre-filters of the rules (recognizers/needs.py): the words a pattern needs, and the
line-by-line search of a pattern that ends at its look-ahead. Both give what finditer gives."""

from __future__ import annotations

import re

import pytest

from medllm.privacy.recognizers.base import Pattern, lowered
from medllm.privacy.recognizers.needs import line_matches, needs


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(?i:\bby\s+(?:trade|profession))", {"trade", "profession"}),  # the longer words win
        (r"\w+(?=, MD\b)", {", md"}),  # a look-ahead's text is in the note too
        (r"(?:Dr|Mr)\.?\s+[A-Z][a-z]+", {"dr", "mr"}),
        (r"(?:dob)+:\s*\d", {"dob"}),  # a repeat of at least one
    ],
)
def test_needs(pattern: str, words: set[str]) -> None:
    assert needs(re.compile(pattern)) == frozenset(words)


@pytest.mark.parametrize(
    "pattern",
    [r"[A-Z]\d+", r"(?:mrn)?\d+", r"(?!mrn)\w+", r"Zürich", r"a\d", r"(?:mrn|\d)x"],
)
def test_no_needs(pattern: str) -> None:
    """A class, an optional or negated word, a non-ASCII or one-letter word, a branch with an
    arm that needs no word: no pre-filter."""
    assert needs(re.compile(pattern)) is None


def test_a_pattern_is_skipped_where_its_words_are_absent() -> None:
    pat = Pattern("X", re.compile(r"\d+(?=\s+(?i:by\s+(?:trade|profession)))"))
    for text, want in [
        ("12 by trade", [(0, 2)]),
        ("12 by hobby", []),
        ("7 BY PROFESSION", [(0, 1)]),
    ]:
        assert [m.span() for m in pat.finditer(text, lowered(text))] == want
    # "İ" case-folds unlike its lower case: no lower-cased text, no skipping
    assert [m.span() for m in pat.finditer("İ 12 by trade", lowered("İ 12 by trade"))] == [(2, 4)]


TEXTS = [
    "ann, md and bob, md\nno one\ncy lee, md",
    "cook\nat home; baker at Ace, welder\n\tat  Bo",
    "",
    "at at at",
]


@pytest.mark.parametrize(
    ("regex", "ends"),
    [(r"[a-z]+(?: [a-z]+)?(?=, md)", r"(?=, md)"), (r"[a-z]+(?=\s+at)", r"(?=\s+at)")],
)
def test_line_matches_are_finditer(regex: str, ends: str) -> None:
    rx, end = re.compile(regex), re.compile(ends)
    for text in TEXTS:
        assert [m.span() for m in line_matches(rx, end, text)] == [
            m.span() for m in rx.finditer(text)
        ]


def test_line_matches_exact() -> None:
    rx, end = re.compile(r"[a-z]+(?=\s+at)"), re.compile(r"(?=\s+at)")
    got = [m.group(0) for m in line_matches(rx, end, TEXTS[1])]
    assert got == ["cook", "baker", "welder"]  # the look-ahead crosses a line break


def test_scanner_of_a_pattern_anchored_at_a_line_start() -> None:
    """`^` among the starts: position 0 and (with MULTILINE) every line's start are tried."""
    from medllm.privacy.recognizers.base import starts_scanner

    for flags, want in [(re.MULTILINE, [(0, 2), (8, 10), (14, 18)]), (0, [(0, 2), (14, 18)])]:
        rx = re.compile(r"(?:^|\|)[ \t]*\d+", flags)
        got = starts_scanner(rx)
        assert got is not None and got[2] is True  # a match may start at 0
        text = "12 ab 3\n45\n x |678"
        pat = Pattern("X", rx)
        assert [m.span() for m in pat.finditer(text, lowered(text))] == want
        assert [m.span() for m in rx.finditer(text)] == want
