"""The words of held-out records that a training row must not say, and the filter that keeps them out.

A training source states training records only, but a record's text can name another record: an
ICD-10-CM code's Excludes note names the code to use instead ("typhoid fever (A01.0)"). Where that
record is held out, the row teaches the held-out item, its code and its words. `HeldOutTerms` finds
such mentions: codes as whole tokens (a run of word characters and dots: "A01.0" is in "(A01.0-)"
and "(A01.0-A01.4)", not in "A01.00"; "A01" is not in "A01.0"), names as whole words in any case
("typhoid fever" is in "Typhoid fever, unspecified", not in "Paratyphoid fever"). A code or name inside one
of the `allowed` phrases is not a mention: those are the training records' own words (a held-out
"Myopia, right eye" inside the training code "Degenerative myopia, right eye") or titles that
name a range ("Block A00-A09: Intestinal infectious diseases", where A09 is held out).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

_TOKEN = re.compile(r"[\w.]+")
_WORD = re.compile(r"\w+")
Span = tuple[int, int, str]  # (start, end, term), positions in text.lower()


class _Phrases:
    """Whole-word, case-insensitive occurrences of many phrases, by word n-gram lookup."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.keys: dict[str, str] = {}  # the phrase from its first to its last word -> the phrase
        self.phrases: set[str] = set()  # lower-cased
        self.lengths: dict[str, set[int]] = defaultdict(set)  # first word -> phrase lengths (words)
        for phrase in phrases:
            low = phrase.lower()
            self.phrases.add(low)
            words = list(_WORD.finditer(low))
            if words:
                self.keys[low[words[0].start() : words[-1].end()]] = low
                self.lengths[words[0].group()].add(len(words))

    def spans(self, low: str) -> list[Span]:
        words = list(_WORD.finditer(low))
        out = []
        for i, first in enumerate(words):
            for n in self.lengths.get(first.group(), ()):
                if i + n <= len(words):
                    end = words[i + n - 1].end()
                    if (key := low[first.start() : end]) in self.keys:
                        out.append((first.start(), end, self.keys[key]))
        return out


class HeldOutTerms:
    """Codes (case-sensitive) and names of held-out records; `allowed`: phrases a held-out code or
    name may sit inside (an allowed phrase equal to a held-out name is ignored)."""

    def __init__(
        self, codes: Iterable[str] = (), names: Iterable[str] = (), allowed: Iterable[str] = ()
    ) -> None:
        self.codes = frozenset(codes)
        self._names = _Phrases(names)
        # A training record named like a held-out one says the held-out name: it is no excuse.
        self._allowed = _Phrases(a for a in allowed if a.lower() not in self._names.phrases)

    def spans(self, text: str) -> list[Span]:
        """Every mention of a held-out code or name in `text` (positions in `text.lower()`)."""
        low = text.lower()
        out: list[Span] = []
        for m in _TOKEN.finditer(text):
            code = m.group().rstrip(".")
            if code in self.codes:
                out.append((m.start(), m.start() + len(code), code))
        out += self._names.spans(low)
        if out:
            inside = self._allowed.spans(low)
            out = [s for s in out if not any(a <= s[0] and s[1] <= b for a, b, _ in inside)]
        return out

    def said(self, text: str) -> set[str]:
        return {term for _, _, term in self.spans(text)}

    def keep(self, items: Iterable[str]) -> tuple[str, ...]:
        """The items (note lines, sentences) that mention no held-out record."""
        return tuple(item for item in items if not self.spans(item))
