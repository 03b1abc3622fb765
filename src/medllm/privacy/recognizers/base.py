"""What every recognizer is: a named object turning text into `Span`s of PHI kinds.

`PatternRecognizer` covers the regex-shaped identifiers: each `Pattern` is a compiled regex whose
group `phi` (or the whole match) is the PHI, an optional validator to reject look-alikes, and a
score. Context words ("MRN", "fax", "DOB") live inside the regex so one pass finds both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from medllm.core import Span


class Recognizer(Protocol):
    """`name` is the registry key; `kinds` the PHI kinds it can emit."""

    name: str
    kinds: tuple[str, ...]

    def analyze(self, text: str) -> list[Span]: ...


@dataclass(frozen=True)
class Pattern:
    kind: str
    regex: re.Pattern[str]
    score: float = 0.9
    validate: Callable[[str], bool] | None = field(default=None, compare=False)


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile with VERBOSE so patterns can carry comments and spacing."""
    return re.compile(pattern, flags | re.VERBOSE)


class PatternRecognizer:
    """Runs its patterns; a match's `phi` group (else the whole match) becomes a span."""

    name: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()
    patterns: ClassVar[tuple[Pattern, ...]] = ()

    def analyze(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for pat in self.patterns:
            for m in pat.regex.finditer(text):
                group = "phi" if "phi" in pat.regex.groupindex and m.group("phi") else 0
                start, end = m.span(group)
                while end > start and text[end - 1].isspace():
                    end -= 1
                if start == end:
                    continue
                if pat.validate is not None and not pat.validate(text[start:end]):
                    continue
                spans.append(Span(pat.kind, start, end, pat.score, self.name))
        return spans


# Latin letters with their accents ("Émile", "Sørensen", "Gdańsk"), for names and places written
# in character classes: Python's re has no \p{Lu} / \p{Ll}.
UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŸŹŻŽ"
LO = "a-zß-öø-ÿāăąćčďđēėęěğģīįıķĺļľłńņňōőœŕřśşšţťūůűųźżž"


# Label + separator before a value: "MRN: ", "MRN #", "Medical record number is ".
SEP = r"(?:\.?\s*(?:\#|no\.?|num(?:ber)?|is|of)?\s*[:\#=\-]?\s*)"


def digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


# An identifier value: letters, digits, dashes, slashes, dots; must hold a digit (checked by
# `has_digit`), so "MRN: pending" is not a span.
ID_VALUE = r"(?P<phi>[A-Za-z0-9](?:[A-Za-z0-9]|[\-/.](?=[A-Za-z0-9])){2,24})(?![A-Za-z0-9])"


# A value written in groups with single spaces: "611 302 8847", "ZQH 4471 0093", "SC 448 120";
# up to 4 capital letters, then digit groups (at least 5 digits in all, checked by `spaced_ok`).
SPACED_VALUE = (
    r"(?P<phi>(?:[A-Z]{1,4}[ \t])?[A-Z]{0,3}\d{1,6}(?:[ \t\-][A-Z]{0,2}\d{1,6}){1,4})"
    r"(?![A-Za-z0-9])"
)


def has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def spaced_ok(s: str) -> bool:
    return len(digits(s)) >= 5


def context_id(
    kind: str, context: str, score: float = 0.9, spaced: bool = True
) -> tuple[Pattern, ...]:
    """An identifier after a context phrase such as "MRN" or "member ID"; case-insensitive.

    With `spaced`, a value written in spaced groups ("member ID ZQH 4471 0093") is one span too.
    """
    label = r"(?i:\b(?:" + context + r"))\b" + SEP
    one = Pattern(kind, rx(label + ID_VALUE), score, has_digit)
    if not spaced:
        return (one,)
    return (one, Pattern(kind, rx(label + SPACED_VALUE), score, spaced_ok))


def trie_alternation(words: list[str] | set[str] | frozenset[str], *, fold: bool = True) -> str:
    """A regex (no flags) matching exactly `words`, shaped as a trie so that `re` tests a shared
    prefix once: Python's `re` tries the branches of a flat `a|b|c…` one by one at every position
    of the text, which made a 250-name alternation cost more than some whole recognizers. Longer
    words win over their prefixes (each "a word may end here" is an optional, greedy tail).
    `fold`: words are lower-cased first (compile the result with IGNORECASE)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for w in words:
        node = trie
        for ch in w.lower() if fold else w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return build(trie)
