"""The literals a regex cannot match without: a cheap pre-filter before running it over a note.

Many patterns can only match where some word occurs ("by trade", "employer", "Hospital"), yet
Python's re, finding no literal prefix to skip to, tries them at every position of the note. A
pattern whose required words are all absent from the lower-cased note (`str.__contains__`, a fast
substring search) cannot match in it and is skipped: the same matches, without the scan. The
words are read once from the pattern's parse tree; no library offers this for the stdlib re
(google-re2 lacks the look-arounds these patterns use).
"""

from __future__ import annotations

import re
import re._constants as _sre  # the parse tree of a compiled pattern
import re._parser as _sre_parse
from collections.abc import Generator, Iterator
from typing import Any

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
_MAX_WORDS = 8  # more words than this: the test would cost more than it saves
Needs = frozenset[str]  # lower-cased ASCII literals: every match holds (or looks at) one of them


def _better(a: Needs | None, b: Needs | None) -> Needs | None:
    """The more selective of two sets: longer shortest word, then fewer words."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _item(op: Any, av: Any) -> Needs | None:
    """What one parsed item (not a literal) needs; None when it needs no literal."""
    if op is _sre.SUBPATTERN:
        return _sequence(av[-1])
    if op is _sre.ATOMIC_GROUP:
        return _sequence(av)
    if op is _sre.ASSERT:  # a look-ahead / look-behind: its text is in the note too
        return _sequence(av[1])
    if op in _REPEATS:
        return _sequence(av[2]) if av[0] >= 1 else None
    if op is _sre.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            got = _sequence(alt)
            if got is None:
                return None
            out |= got
        return frozenset(out) if len(out) <= _MAX_WORDS else None
    return None


def _sequence(seq: Any) -> Needs | None:
    """The best needs of any item of a sequence (a run of literals is one word)."""
    items = list(seq)
    best: Needs | None = None
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is _sre.LITERAL:
            j = i
            while j < len(items) and items[j][0] is _sre.LITERAL:
                j += 1
            word = "".join(chr(v) for _, v in items[i:j])
            # ASCII only: a non-ASCII letter may lower-case differently in context (Greek
            # final sigma) or to more characters
            if word.isascii():
                best = _better(best, frozenset({word.lower()}))
            i = j
            continue
        best = _better(best, _item(op, av))
        i += 1
    return best


def needs(regex: re.Pattern[str]) -> Needs | None:
    """Lower-cased literals one of which occurs in any text `regex` matches (as `regex` sees it:
    look-arounds included); None when none can be told. Test them against `lowered(text)` (base):
    it is None for the few characters that re's IGNORECASE folds unlike `str.lower`."""
    got = _sequence(_sre_parse.parse(regex.pattern, regex.flags))
    if not got or min(map(len, got)) < 2:
        return None
    return got


def line_matches(
    regex: re.Pattern[str], ends: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """`regex.finditer(text)`, the same matches, for a regex whose matches hold no line break and
    end only where the zero-width `ends` holds ("Anton Velasquez" before ", MD"; a job word
    before " at Holloway Millwork"): a match starts on the line of such an end, before it, so
    the regex is tried only there, from the start of each such line up to its last end."""
    last = 0  # as finditer: the next match starts where the last one ended
    seg_start = seg_end = -1  # the stretch of the current line that may hold match starts
    for e in ends.finditer(text):
        p = e.start()
        if p > seg_end and seg_end >= 0 and text.find("\n", seg_end, p) >= 0:
            last = yield from _tried(regex, text, seg_start, seg_end, last)
            seg_start = -1
        if seg_start < 0:
            seg_start = text.rfind("\n", 0, p) + 1
        seg_end = p
    if seg_start >= 0:
        yield from _tried(regex, text, seg_start, seg_end, last)


def _tried(
    regex: re.Pattern[str], text: str, start: int, end: int, last: int
) -> Generator[re.Match[str], None, int]:
    """The matches of `regex` starting at start..end (inclusive), as finditer finds them, each
    after the one before; returns (via StopIteration) where the next may start."""
    for pos in range(max(start, last), end + 1):
        if pos < last:
            continue
        m = regex.match(text, pos)
        if m is not None:
            last = max(m.end(), pos + 1)
            yield m
    return last
