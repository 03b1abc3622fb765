"""What every recognizer is: a named object turning text into `Span`s of PHI kinds.

`PatternRecognizer` covers the regex-shaped identifiers: each `Pattern` is a compiled regex whose
group `phi` (or the whole match) is the PHI, an optional validator to reject look-alikes, and a
score. Context words ("MRN", "fax", "DOB") live inside the regex so one pass finds both.
"""

from __future__ import annotations

import re
import re._constants as _sre  # the parse tree of a compiled pattern, read by `_starts`
import re._parser as _sre_parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, Protocol

from medllm.core import Span
from medllm.privacy.recognizers.needs import line_matches, needs


class Recognizer(Protocol):
    """`name` is the registry key; `kinds` the PHI kinds it can emit."""

    name: str
    kinds: tuple[str, ...]

    def analyze(self, text: str) -> list[Span]: ...


# A start scanner (`starts_scanner`), whether it scans the lower case, whether a match may also
# start at 0.
Scanner = tuple[re.Pattern[str], bool, bool]


@dataclass(frozen=True)
class Pattern:
    kind: str
    regex: re.Pattern[str]
    score: float = 0.9
    validate: Callable[[str], bool] | None = field(default=None, compare=False)
    # Where a match can start, found fast (see `starts_scanner`); None: every position is tried.
    scanner: Scanner | None = field(default=None, init=False, compare=False, repr=False)
    # Words one of which every match needs (`recognizers.needs`); None: no such words known.
    needs: frozenset[str] | None = field(default=None, init=False, compare=False, repr=False)
    # Given only for a regex whose matches hold no line break and end where `ends` (zero-width,
    # the regex's own closing look-ahead) holds: it is then tried on such lines only
    # (`line_matches`). The pattern-scan test checks the matches are the same.
    ends: re.Pattern[str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scanner", starts_scanner(self.regex))
        object.__setattr__(self, "needs", needs(self.regex))

    def finditer(self, text: str, low: str | None) -> Iterator[re.Match[str]]:
        """`regex.finditer(text)`, the same matches; `low` is `text.lower()` when it may be used
        for the scan (same length, no character that case-folds unlike its lower case)."""
        if low is not None and self.needs is not None and not any(w in low for w in self.needs):
            return  # a word every match needs is absent: no match
        if self.ends is not None:
            yield from line_matches(self.regex, self.ends, text)
            return
        if self.scanner is None or (self.scanner[1] and low is None):
            yield from self.regex.finditer(text)
            return
        scanner, on_low, at_zero = self.scanner
        last = 0
        if at_zero and (m := self.regex.match(text)) is not None:
            last = max(m.end(), 1)
            yield m
        for c in scanner.finditer(low if on_low and low is not None else text):
            pos = c.start()
            if pos < last:
                continue
            m = self.regex.match(text, pos)
            if m is not None:
                last = max(m.end(), pos + 1)
                yield m


# Python's re scans a pattern that starts with a word boundary or a case-insensitive alternation
# ("(?i:\b(?:mrn|medical record|chart...))") by trying the whole pattern at every position: no
# literal or first-character skip applies. Most context patterns here start that way, and that
# try-everywhere scan was 60% of de-identification time. So each pattern's possible literal starts
# are read from its parse tree once, and a case-sensitive scanner over the lower-cased text
# (one char, then a lookahead for the rest: a branch of literals, which re does skip quickly)
# finds the only positions where a match can start; the pattern itself is then tried there. No
# library does this for the stdlib re (google-re2 lacks the lookarounds these patterns use).
_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)


Start = tuple[str, bool]  # a literal a match can start with, and whether it is case-insensitive


def _consuming(
    seq: list[Any], cont: tuple[Any, ...]
) -> Iterator[tuple[int, Any, Any, tuple[Any, ...]]]:
    """The items of a parsed sequence that consume text (look-arounds and anchors skipped), each
    with its index, opcode, argument and what follows it (the rest of `seq`, then `cont`)."""
    for i, (op, av) in enumerate(seq):
        if op not in _ZERO_WIDTH:
            yield i, op, av, (seq[i + 1 :], *cont)


def _group_icase(av: Any, icase: bool) -> bool:
    """Case-insensitivity inside a group `(?i:...)` / `(?-i:...)` (a SUBPATTERN's add / del flags)."""
    if av[2] & re.IGNORECASE:
        return False
    return True if av[1] & re.IGNORECASE else icase


def _starts(
    seq: Any,
    cont: tuple[Any, ...],
    icase: bool,
    limit: int = 6,
    begin: dict[Any, str] | None = None,
) -> set[Start] | None:
    """The literals one of which every match of the sequence `seq` (followed by the sequences
    `cont`) starts with; None when that cannot be told (a class, a wildcard, an empty match).
    `begin`: the anchors `^` / `\\A` and what they stand for here (AT_TEXT / AT_LINE): a
    sequence led by one whose starts cannot be told starts there ("(?:^|\\|)[ \\t]*\\d")."""
    got = _starts_from(seq, cont, icase, limit, begin or {})
    if got is not None or not begin:
        return got
    for op, av in seq:
        if op not in _ZERO_WIDTH:
            break
        if op is _sre.AT and av in begin:
            return {(begin[av], False)}
    return None


def _starts_from(
    seq: Any, cont: tuple[Any, ...], icase: bool, limit: int, begin: dict[Any, str]
) -> set[Start] | None:
    seq = list(seq)
    for i, op, av, after in _consuming(seq, cont):
        if op is _sre.LITERAL:
            j = i
            while j < len(seq) and seq[j][0] is _sre.LITERAL and j - i < limit:
                j += 1
            lit = "".join(chr(v) for _, v in seq[i:j])
            rest = _starts(seq[j:], cont, icase, limit, begin) if j - i < limit else None
            if not rest or any(r.startswith("\0") for r, _ in rest):
                return {(lit, icase)}  # "a(?:fter|nd)" → "after", "and"; else the literal alone
            return {((lit + r)[:limit], icase or ic) for r, ic in rest}
        if op is _sre.SUBPATTERN:
            return _starts(av[-1], after, _group_icase(av, icase), limit, begin)
        if op is _sre.ATOMIC_GROUP:
            return _starts(av, after, icase, limit, begin)
        if op is _sre.BRANCH:
            out: set[Start] = set()
            for alt in av[1]:
                got = _starts(alt, after, icase, limit, begin)
                if got is None:
                    return None
                out |= got
            return out
        if op in _REPEATS:
            got = _starts(av[2], after, icase, limit, begin)
            if got is None or av[0] >= 1:
                return got
            rest = _starts(after[0], after[1:], icase, limit, begin)  # the optional item left out
            return None if rest is None else got | rest
        if op is _sre.IN and len(av) <= 12 and all(o is _sre.LITERAL for o, _ in av):
            return {(chr(v), icase) for _, v in av}
        return None
    if not cont:  # the pattern can end here: a match may be empty
        return None
    return _starts(cont[0], cont[1:], icase, limit, begin)


# What `^` and `\A` stand for among the starts: the text's start, or any line's (`^` with
# MULTILINE, which any "(?...m" may turn on). No pattern literal holds a NUL.
AT_TEXT, AT_LINE = "\0text", "\0line"
_MULTILINE = re.compile(r"\(\?[a-zA-Z]*m")


def _begin(regex: re.Pattern[str]) -> dict[Any, str]:
    multiline = regex.flags & re.MULTILINE or _MULTILINE.search(regex.pattern)
    return {_sre.AT_BEGINNING_STRING: AT_TEXT, _sre.AT_BEGINNING: AT_LINE if multiline else AT_TEXT}


def _short(word: str) -> bool:
    """Too short a start to scan for: one letter, digit or space ("d": a start in every other
    word); one other character ("|", "#") is rare enough."""
    return len(word) < 2 and (not word or word.isalnum() or word.isspace())


def starts_scanner(regex: re.Pattern[str]) -> Scanner | None:
    """A regex matching one character at each position where `regex` can start a match (possibly
    more; a line's start where a `^` can, with MULTILINE), whether it runs over `text.lower()`
    (else over the text itself), and whether a match may start at 0 too (a `^` branch:
    "(?:^|\\|)"); None when the starts cannot be read from the pattern or are too short."""
    tree = _sre_parse.parse(regex.pattern, regex.flags)
    starts = _starts(tree, (), bool(regex.flags & re.IGNORECASE), begin=_begin(regex))
    starts = starts or set()
    line = (AT_LINE, False) in starts
    at_zero = line or (AT_TEXT, False) in starts
    starts -= {(AT_LINE, False), (AT_TEXT, False)}
    low = any(ic for _, ic in starts)
    words = {s.lower() if low else s for s, _ in starts}
    if any(_short(w) for w in words) or not (words or at_zero):
        got = _class_scanner(tree, bool(regex.flags & re.IGNORECASE))
        return None if got is None or at_zero else got
    by_first: dict[str, set[str]] = {}
    for w in words:
        by_first.setdefault(w[0], set()).add(w[1:])
    alts = []
    for first, rests in sorted(by_first.items()):
        ahead = "|".join(re.escape(r) for r in sorted(rests, key=len, reverse=True))
        alts.append(re.escape(first) + "(?=" + ahead + ")")
    alts += [r"(?<=\n)"] if line else []
    return re.compile("|".join(alts) or "(?!)"), low, at_zero


# When a pattern starts with a character class rather than literals ("(?<![\w-])[A-Z][a-z]+ ..."),
# the scanner is that class (with the pattern's leading look-behind, when it has one): a capital
# letter after a non-word character occurs at a few percent of positions, so the pattern is tried
# there only. The class is a superset of the first characters (case-insensitive when any part of
# them is), which is all the scan needs: the pattern itself decides at each candidate.
_CATS = {
    _sre.CATEGORY_DIGIT: r"\d",
    _sre.CATEGORY_NOT_DIGIT: r"\D",
    _sre.CATEGORY_WORD: r"\w",
    _sre.CATEGORY_NOT_WORD: r"\W",
    _sre.CATEGORY_SPACE: r"\s",
    _sre.CATEGORY_NOT_SPACE: r"\S",
}
_BROAD = frozenset(set(_CATS) - {_sre.CATEGORY_DIGIT})  # every category but \d is most positions


def _class_items(items: Any) -> list[str] | None:
    """A character class's items as regex source; None for a negated class."""
    out = []
    for op, av in items:
        if op is _sre.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _sre.RANGE:
            out.append(re.escape(chr(av[0])) + "-" + re.escape(chr(av[1])))
        elif op is _sre.CATEGORY and av in _CATS:
            out.append(_CATS[av])
        else:
            return None
    return out


def _first_class(seq: Any, cont: tuple[Any, ...], icase: bool) -> tuple[set[str], bool] | None:
    """The class items (regex source) one of which every match of `seq` + `cont` starts with,
    and whether any is case-insensitive; None when that cannot be told or the class is broad."""
    for _, op, av, after in _consuming(list(seq), cont):
        if op is _sre.LITERAL:
            return {re.escape(chr(av))}, icase
        if op is _sre.IN:
            if any(o is _sre.CATEGORY and a in _BROAD for o, a in av):
                return None
            items = _class_items(av)
            return None if items is None else (set(items), icase)
        if op is _sre.SUBPATTERN:
            return _first_class(av[-1], after, _group_icase(av, icase))
        if op is _sre.ATOMIC_GROUP:
            return _first_class(av, after, icase)
        if op is _sre.BRANCH:
            out: set[str] = set()
            ic = False
            for alt in av[1]:
                got = _first_class(alt, after, icase)
                if got is None:
                    return None
                out |= got[0]
                ic = ic or got[1]
            return out, ic
        if op in _REPEATS:
            got = _first_class(av[2], after, icase)
            if got is None or av[0] >= 1:
                return got
            rest = _first_class(after[0], after[1:], icase)
            return None if rest is None else (got[0] | rest[0], got[1] or rest[1])
        return None
    if not cont:
        return None
    return _first_class(cont[0], cont[1:], icase)


def _class_scanner(tree: Any, icase: bool) -> Scanner | None:
    first = _first_class(tree, (), icase)
    if first is None or first[1]:
        return None  # a case-insensitive class is every letter: no gain
    cls = "[" + "".join(sorted(first[0])) + "]"
    if re.search(cls, "abcdefghijklmnopqrstuvwxyz \t\n"):
        return None  # lower-case letters or spaces start most positions of prose
    behind = ""
    lead = next(iter(tree), None)
    if lead is not None and lead[0] is _sre.ASSERT_NOT and lead[1][0] == -1:
        body = lead[1][1]
        if len(body) == 1 and body[0][0] is _sre.IN:
            items = _class_items(body[0][1])
            # written after the class ("[A-Z](?<![\w][\s\S])"), so that re's first-character
            # skip applies; in the pattern's own case mode (a broader one would drop starts)
            mode = "i" if icase else "-i"
            behind = "" if items is None else f"(?{mode}:(?<![{''.join(items)}][\\s\\S]))"
    capitals = sum(re.match(cls, c) is not None for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if capitals >= 10 and (not behind or re.match(cls, "0")):
        # every capital (inside words too, or with the digits): measured slower than re's own
        # scan on the dev notes (tests/unit/privacy/test_pattern_scan.py counts what is scanned)
        return None
    return re.compile(cls + behind), False, False


# Characters that re's IGNORECASE matches to an ASCII letter although their lower case is not that
# letter (checked over all of Unicode by a test); a text holding one is scanned the slow way.
_FOLD_ODD = frozenset("\u0130\u0131\u017f")


@lru_cache(maxsize=1)  # every recognizer asks for the same note's: computed once per note
def lowered(text: str) -> str | None:
    """`text.lower()` when the fast scan may use it (see `Pattern.finditer`), else None."""
    low = text.lower()
    # three substring searches (`in`), not a set test per character: 1/100 of the time
    if len(low) != len(text) or any(c in text for c in _FOLD_ODD):
        return None
    return low


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
        low = lowered(text)
        for pat in self.patterns:
            for m in pat.finditer(text, low):
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
