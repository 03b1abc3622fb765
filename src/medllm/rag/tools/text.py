"""Matching vocabulary names in questions as users type them: stemmed words, one-typo tolerance,
longest phrase first.

- `words(text)` → lowercased word tokens (dotted codes stay whole: "E11.9").
- `Speller(vocabulary)` corrects a word that is not in the vocabulary to the most frequent one at
  edit distance 1 (insert, delete, substitute, swap) whose first or last letter is the word's.
  Hand-written: no fuzzy-matching library is installed here, and this is 30 lines.
- `PhraseIndex(pairs)` finds the names of a vocabulary (HPO names and synonyms, disease names,
  medicines) in a question: the longest stemmed phrase at each position, left to right, without
  overlaps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
# Words that never start or end a vocabulary match on their own (they join words inside names).
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "is",
        "are",
        "was",
        "be",
        "it",
        "its",
        "as",
        "this",
        "that",
        "what",
        "which",
        "who",
        "how",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "pls",
        "plz",
        "please",
        "me",
        "my",
        "i",
        "you",
        "we",
        "any",
        "some",
    ]
)


# British spellings read as the American ones the vocabularies mostly use (both sides of every
# match go through `words`, so the WHO list's "anaesthetics" still matches "anaesthetics").
_BRITISH_STEMS = {
    "anaem": "anem",
    "haem": "hem",
    "leukaem": "leukem",
    "ischaem": "ischem",
    "septicaem": "septicem",
    "oesoph": "esoph",
    "oedem": "edem",
    "paed": "ped",
    "anaesth": "anesth",
    "oestr": "estr",
    "faec": "fec",
    "foet": "fet",
    "coeliac": "celiac",
}
_BRITISH = re.compile(
    rf"(?<![a-z])(?:{'|'.join(_BRITISH_STEMS)})|tumour|(?:rrh|pn)oea\b", re.IGNORECASE
)


_AEMIA = re.compile(r"(?<=[a-z])aemi(?=a|c)")


def _american(m: re.Match[str]) -> str:
    got = m.group(0)
    if got in _BRITISH_STEMS:
        return _BRITISH_STEMS[got]
    return "tumor" if got == "tumour" else got.replace("oea", "ea")


# "type I" and "type 1" are the same subtype ("Stickler syndrome, type I"); the lone "i" would
# otherwise be read as the pronoun.
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7"}
_TYPE_ROMAN = re.compile(r"\b(type|grade|stage|class) (vii|vi|v|iv|iii|ii|i)\b")


def words(text: str) -> list[str]:
    low = text.lower().replace("’", "'")
    low = _TYPE_ROMAN.sub(lambda m: f"{m.group(1)} {_ROMAN[m.group(2)]}", low)
    low = _AEMIA.sub("emi", low)  # inside a word: "polycythaemia", "hyperkalaemia"
    return _WORD.findall(_BRITISH.sub(_american, low))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWords
    except ImportError:  # PyStemmer is in the rag extra; without it match lowercased words
        return list


# Vocabularies repeat their words: each distinct word is stemmed once per process.
_STEMS: dict[str, str] = {}


def stems(ws: list[str]) -> list[str]:
    new = list({w for w in ws if w not in _STEMS})
    if new:
        _STEMS.update(zip(new, _stemmer()(new), strict=True))
    return [_STEMS[w] for w in ws]


def stem(word: str) -> str:
    return stems([word])[0]


class Speller:
    """Corrects one typo per word against a vocabulary of words (min. 5 letters: shorter words
    have too many neighbours to guess from). Candidates are the vocabulary words one letter
    shorter, as long or longer, compared on demand: no index to build, a few milliseconds for
    a word not in the vocabulary, nothing for one in it."""

    def __init__(self, vocabulary: Iterable[str], min_len: int = 5) -> None:
        self.freq = Counter(vocabulary)
        self.min_len = min_len
        self._by_len: dict[int, list[str]] = {}
        for w in sorted(self.freq):
            self._by_len.setdefault(len(w), []).append(w)
        self._done: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if word in self.freq or len(word) < self.min_len or not word.isalpha():
            return word
        if word not in self._done:
            n = len(word)
            found = [
                w
                for size in (n - 1, n, n + 1)
                for w in self._by_len.get(size, ())
                if w[0] == word[0] or w[-1] == word[-1]
                if _distance1(word, w)
            ]
            self._done[word] = max(found, key=lambda w: self.freq[w]) if found else word
        return self._done[word]


def _distance1(a: str, b: str) -> bool:
    """Optimal-string-alignment distance of exactly one edit."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


UNKNOWN_WORD = 0.5  # a query word no name uses, in `PhraseIndex.lookup`'s share (dev-tuned)


@dataclass(frozen=True)
class Match:
    start: int  # word positions in the question, end exclusive
    end: int
    ids: tuple[str, ...]  # the vocabulary ids whose name (or synonym) this is
    text: str  # the question's words that matched


class PhraseIndex:
    """Names → ids, matched on stemmed words with one typo per word allowed."""

    def __init__(self, pairs: Iterable[tuple[str, str]], max_words: int = 10) -> None:
        self.phrases: dict[tuple[str, ...], list[str]] = {}
        vocab: list[str] = []
        named = [(words(name), ident) for name, ident in pairs]
        stems([w for ws, _ in named for w in ws])
        for ws, ident in named:
            if not ws or len(ws) > max_words:
                continue
            vocab += ws
            key = tuple(stems(ws))
            ids = self.phrases.setdefault(key, [])
            if ident not in ids:
                ids.append(ident)
        self.max_words = max(map(len, self.phrases), default=0)
        self.speller = Speller(vocab)
        self.known = frozenset(w for key in self.phrases for w in key)  # stems used in names

    def keys(self, text: str) -> tuple[list[str], list[str]]:
        """The question's words and their stems after spelling correction."""
        ws = words(text)
        return ws, stems([self.speller.correct(w) for w in ws])

    def find(self, text: str, min_chars: int = 4) -> list[Match]:
        """Longest names first at each position, left to right; a match is not only filler and
        spans at least `min_chars` letters (so "ALL" or "MS" alone do not match)."""
        ws, stems = self.keys(text)
        out: list[Match] = []
        i = 0
        while i < len(ws):
            for n in range(min(self.max_words, len(ws) - i), 0, -1):
                ids = self.phrases.get(tuple(stems[i : i + n]))
                span = ws[i : i + n]
                if ids and _meaningful(span, min_chars):
                    out.append(Match(i, i + n, tuple(ids), " ".join(span)))
                    i += n
                    break
            else:
                i += 1
        return out

    def exact(self, name: str) -> list[str]:
        """Ids whose whole name (stemmed, typo-corrected) is `name`."""
        return list(self.phrases.get(tuple(self.keys(name)[1]), ()))

    def lookup(self, query: str, k: int = 3) -> list[tuple[str, float]]:
        """(id, score) best first: a query that is a whole name scores 1; otherwise each name
        found in it, longest first, scores the share of the query's content words it covers.
        A word no name of the vocabulary uses ("looking", "pubmed") counts half: it cannot be
        part of any name, but it may still say the question asks for something else."""
        if ids := self.exact(query):
            return [(i, 1.0) for i in ids[:k]]
        weight = self.weight(query)
        out: dict[str, float] = {}
        for m in sorted(self.find(query), key=lambda m: (m.start - m.end, m.start)):
            for i in m.ids:
                out.setdefault(i, min((m.end - m.start) / weight, 1.0))
        return list(out.items())[:k]

    def weight(self, query: str) -> float:
        """How many words a name must cover to be the whole query: its content words, those no
        name uses counting `UNKNOWN_WORD` (at least 1)."""
        ws, st = self.keys(query)
        known = [1.0 if s in self.known else UNKNOWN_WORD for w, s in zip(ws, st, strict=True)]
        return max(sum(k for w, k in zip(ws, known, strict=True) if w not in FILLER), 1.0)


def _meaningful(span: list[str], min_chars: int) -> bool:
    content = [w for w in span if w not in FILLER]
    return bool(content) and sum(len(w) for w in content) >= min_chars


def lookup_named(index: PhraseIndex, query: str, k: int = 3) -> list[tuple[str, float]]:
    """`index.lookup`, and when the query is no whole name, the ways users shorten one anywhere
    in it: "syndrome" or "disease" dropped ("phenotypes of digeorge, 22q11 deletion" → "DiGeorge
    syndrome"), also before a trailing number ("cornelia de lange 1" → "Cornelia de Lange
    syndrome 1"), "type" added or dropped ("von willebrand disease 1"): the longest such span
    wins if it covers more of the query than the names found as written."""
    found = index.lookup(query, k)
    if found and found[0][1] >= 1.0:
        return found
    ws = words(query)
    weight = index.weight(query)
    for n in range(len(ws), 0, -1):
        share = min(n / weight, 1.0)
        if found and found[0][1] >= share:
            break
        for start in range(len(ws) - n + 1):
            span = ws[start : start + n]
            if n == 1 and (span[0] in FILLER or len(span[0]) < 4 or span[0].isdigit()):
                continue
            for name in _shortened(span)[1:]:  # the span as written: `lookup` tried it
                if ids := index.exact(name):
                    return [(i, share) for i in ids[:k]]
    return found


def name_forms(name: str) -> list[str]:
    """`name` and the full names it may stand for ("type" added or dropped, "syndrome" or
    "disease" added)."""
    return _shortened(words(name))


def _shortened(ws: list[str]) -> list[str]:
    """The full names a user's shortened name may stand for (see `lookup_named`)."""
    names = [" ".join(ws)]
    numbered = len(ws) > 1 and ws[-1].isdigit()
    for noun in ("syndrome", "disease"):
        names.append(" ".join([*ws, noun]))
        if numbered:
            names.append(" ".join([*ws[:-1], noun, ws[-1]]))
    if numbered and ws[-2] == "type":
        names.append(" ".join([*ws[:-2], ws[-1]]))
    elif numbered:
        names.append(" ".join([*ws[:-1], "type", ws[-1]]))
    return names
