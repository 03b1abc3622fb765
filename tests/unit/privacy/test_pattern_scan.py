"""The fast start scan of `PatternRecognizer` (recognizers/base.py) finds exactly what
`regex.finditer` finds, pattern by pattern, and is really used."""

from __future__ import annotations

import re

import pytest

from medllm.privacy.config import DeidConfig
from medllm.privacy.detect import build_analyzer
from medllm.privacy.gold.synthetic import generate_notes
from medllm.privacy.recognizers import base
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, lowered, starts_scanner

TEXTS = [
    "MRN: 4471902  Chart no. 88-1120, WRISTBAND 55190, seen Tuesday 5/11 and the 9th.",
    "mrn 4471902 pt id AB-44190 member id ZQH 4471 0093 dl 88 1102",
    "DATE OF SERVICE 2026-11-20T08:40 sent thurs 11/5/26; fax (936) 555-0113",
    # characters that case-fold to an ASCII letter unlike their lower case: the slow path
    "İD 4471902 ıd 889123 ſerial 2290417 MRN 5512",
    "Ms. Ayşe Öztürk, Straße 12, İzmir; MRN 7781234",
    "",
]


def _patterns() -> list[Pattern]:
    cfg = DeidConfig()
    an = build_analyzer(cfg.recognizer_names(), cfg.min_score, cfg.fail_safe)
    return [p for r in an.recognizers if isinstance(r, PatternRecognizer) for p in r.patterns]


def test_scan_finds_what_finditer_finds() -> None:
    texts = TEXTS + [n.text for n in generate_notes(40, seed=3)]
    texts += [t.upper() for t in texts[:5]] + [t.lower() for t in texts[:5]]
    pats = _patterns()
    for pat in pats:
        for t in texts:
            want = [m.span() for m in pat.regex.finditer(t)]
            assert [m.span() for m in pat.finditer(t, lowered(t))] == want, pat.regex.pattern[:80]


def test_most_context_patterns_are_scanned() -> None:
    pats = _patterns()
    assert len(pats) == 158
    assert (
        sum(p.scanner is not None for p in pats) == 126
    )  # 127 before dev_i added "Rt." to the rural-route line


def test_starts_of_a_context_pattern() -> None:
    rx = re.compile(r"(?i:\b(?:m(?:rn|ed(?:ical)?\s*rec)|chart|unit\s*no))\b\s*(?P<phi>\d+)")
    got = base._starts(base._sre_parse.parse(rx.pattern, rx.flags), (), False)
    assert got == {("mrn", True), ("med", True), ("chart", True), ("unit", True)}
    scanner = starts_scanner(rx)
    assert scanner is not None and scanner[1] is True  # case-insensitive: scans the lower case
    assert [m.start() for m in scanner[0].finditer("x chart 1 MRN 2 unit no 3".lower())] == [
        2,
        10,
        16,
    ]


@pytest.mark.parametrize(
    "pattern",
    [
        *(r"(?i:a|b)\d", r"x?", r"[a-z]+\d", r".\d", r"(?i:[A-Z])\d", r"[^a]\d", r"\w+ \d"),
        # every capital, not only at word starts, or capitals and digits: slower than re's scan
        *(r"(?:Dr\.?\s+)?[A-Z][a-z]+", r"[A-Z]{2}\d+", r"(?<!\w)[A-Z\d]{6}"),
    ],
)
def test_no_scanner_where_starts_are_unknown_broad_or_case_insensitive(pattern: str) -> None:
    assert starts_scanner(re.compile(pattern)) is None


@pytest.mark.parametrize(
    ("pattern", "scanner"),
    [
        (r"\d{3}-\d{4}", r"[\d]"),
        (r"(?<!\w)(?:Dr\.?\s+)?[A-Z][a-z]+", r"[A-ZD](?-i:(?<![\w][\s\S]))"),
        (r"[A-F]{2}\d+", r"[A-F]"),
        (r"(?<![\w\-])[A-Z][a-z]+", r"[A-Z](?-i:(?<![\w\-][\s\S]))"),
        (r"X|(?<!\w)[0-9]", r"[0-9X]"),  # the look-behind of one branch is not the pattern's
    ],
)
def test_class_scanner_when_a_pattern_starts_with_a_class(pattern: str, scanner: str) -> None:
    rx = re.compile(pattern)
    got = starts_scanner(rx)
    assert got is not None and got[0].pattern == scanner and got[1] is False
    text = "Ab-Cd 12-3456\nEf Dr Gh x9 (Ij) 555-0134 AB12"
    pat = Pattern("T", rx)
    assert [m.span() for m in pat.finditer(text, lowered(text))] == [
        m.span() for m in rx.finditer(text)
    ]


def test_case_sensitive_starts_scan_the_text_itself() -> None:
    scanner = starts_scanner(re.compile(r"\b(?:NHS|CHI)\s+\d{3}"))
    assert scanner is not None and scanner[1] is False
    assert [m.start() for m in scanner[0].finditer("nhs 123 NHS 456 CHI 789")] == [8, 16]


def test_fold_odd_is_every_char_ignorecase_maps_to_a_letter_unlike_lower() -> None:
    letter = re.compile(r"(?i)[a-z]")
    odd = {
        chr(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and letter.fullmatch(chr(cp))
        and not ("a" <= chr(cp).lower() <= "z" and len(chr(cp).lower()) == 1)
    }
    assert odd == set(base._FOLD_ODD)
    assert lowered("İzmir") is None and lowered("MRN 12") == "mrn 12"
