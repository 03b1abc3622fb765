"""ICD-10-CM lookup: a code → its entry (billable or not, parent, includes / excludes, code-first
notes, 7th characters, and the notes of its parent categories, which apply to it too); a condition
→ candidate codes, ranked.

Ranking a condition: BM25 (bm25s) over each code's description and inclusion terms, on stemmed,
typo-corrected words; the 50 best are re-ranked by the share of the asked words they cover
(IDF-weighted), so "iron deficiency anemia" puts the codes naming all three words before those
naming two, and BM25's length normalisation then puts the plainest description first.
"""

from __future__ import annotations

import math
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any

from medllm.rag.tools.base import Found, entry, lines
from medllm.rag.tools.text import Speller, words
from medllm.rag.tools.text import stems as text_stems

if TYPE_CHECKING:
    from medllm.knowledge import IcdCode

NAME = "icd10cm"
URL = "https://www.cms.gov/medicare/coding-billing/icd-10-codes#{}"
# A letter, two characters, optionally a dot and up to four more ("E11.9", "S00.00XA", "E119").
CODE = re.compile(r"\b([A-Z]\d[0-9A-Z])(?:\.?([0-9A-Z]{1,4}))?\b", re.IGNORECASE)
_NOTES = (
    ("Inclusion terms", "inclusion_terms"),
    ("Includes", "includes"),
    ("Excludes1 (never coded together)", "excludes1"),
    ("Excludes2 (not included here; may be coded together)", "excludes2"),
    ("Code first", "code_first"),
    ("Code also", "code_also"),
    ("Use additional code", "use_additional_code"),
    ("Notes", "notes"),
)


# The encounter a question names, for the codes that need a 7th character (injuries, external
# causes): the word in the 7th character's meaning it selects → how users write it.
ENCOUNTERS = {
    "initial": re.compile(
        r"\binit(?:ial)?\.? ?enc\w*|\binitial(?: (?:visit|presentation|treatment|episode|encounter))?"
        r"|\b(?:first|1st|new) (?:visit|enc\w*|presentation|episode of care)"
        r"(?: (?:to|in|at) (?:the )?(?:ed|er|clinic|office))?|\bactive treatment\b"
    ),
    "subsequent": re.compile(
        r"\bsubseq\w*(?: (?:enc\w*|visit))?|\bfollow[- ]?ups?(?: (?:visit|enc\w*))?|\bf ?/ ?u\b"
        r"|\brecheck\b"
    ),
    "sequela": re.compile(r"\bsequela\w*|\blate effects?\b"),
}
# Laterality as coders abbreviate it ("R ankle", "lt knee"), read only here: a lone "r" or "l"
# means nothing elsewhere.
_SIDES = {"r": "right", "rt": "right", "l": "left", "lt": "left", "bilat": "bilateral"}


def encounter(text: str) -> tuple[str, str]:
    """(the encounter named, the text without those words), or ("", text)."""
    low = text.lower()
    for name, pattern in ENCOUNTERS.items():
        if pattern.search(low):
            return name, pattern.sub(" ", low)
    return "", text


def normalize(token: str) -> str:
    """ "e119" / "E11.9" / "e11.9" → "E11.9" (no check that the code exists)."""
    m = CODE.fullmatch(token.strip())
    if not m:
        return token.strip().upper()
    head, tail = m.group(1).upper(), (m.group(2) or "").upper()
    return f"{head}.{tail}" if tail else head


class Icd10cmTool:
    name = NAME

    @cached_property
    def codes(self) -> dict[str, IcdCode]:
        from medllm.knowledge import load_code_map

        return load_code_map()

    def run(self, query: str, k: int = 3) -> list[Found]:
        code = normalize(query)
        if code in self.codes:
            return [Found(self.entry(self.codes[code]), 1.0)]
        return self.search(query, k)

    def codes_in(self, text: str) -> list[str]:
        """The ICD-10-CM codes written in `text` that exist, in order of appearance."""
        found = [normalize(m.group(0)) for m in CODE.finditer(text)]
        return list(dict.fromkeys(c for c in found if c in self.codes))

    def entry(self, c: IcdCode) -> Any:
        text = entry_text(c, self.codes)
        title = f"{c.code} {c.description}"
        return entry(f"{NAME}:{c.code}", NAME, text, title, NAME, URL.format(c.code))

    # -- condition text → codes ---------------------------------------------------------------

    @cached_property
    def _index(self) -> tuple[Any, list[IcdCode], list[frozenset[str]], dict[str, float]]:
        import bm25s

        rows = [c for c in self.codes.values() if not c.extension]
        stems = [text_stems(words(_searchable(c))) for c in rows]
        bm = bm25s.BM25()
        bm.index(stems, show_progress=False)
        df: dict[str, int] = {}
        for s in stems:
            for t in set(s):
                df[t] = df.get(t, 0) + 1
        idf = {t: math.log(len(rows) / n) for t, n in df.items()}
        return bm, rows, [frozenset(s) for s in stems], idf

    @cached_property
    def speller(self) -> Speller:
        return Speller(
            w for c in self.codes.values() if not c.extension for w in words(c.description)
        )

    def search(self, text: str, k: int = 3) -> list[Found]:
        """Candidate codes for a condition; when the question names the encounter ("initial
        encounter", "follow-up"), a code that needs a 7th character is given with it."""
        visit, text = encounter(text)
        found = self._ranked(" ".join(_SIDES.get(w, w) for w in words(text)), k)
        if not visit:
            return found
        out = []
        for f in found:
            code = self.codes[f.chunk.doc_id.removeprefix(f"{NAME}:")]
            full = self.with_seventh(code, visit, text)
            out.append(Found(self.entry(full), f.score) if full else f)
        return out

    def with_seventh(self, c: IcdCode, visit: str, text: str) -> IcdCode | None:
        """The child of `c` whose 7th character means `visit` (the one whose meaning shares the
        most words with `text` — "open", "nonunion" — ties to the first: A for a fracture not
        said to be open, as the coding guidelines direct)."""
        kids = [self.codes[k] for k in c.children if k in self.codes]
        kids = [k for k in kids if k.extension and visit in k.extension.lower()]
        if not kids:
            return None
        asked = set(words(text))
        return max(
            kids, key=lambda k: len(asked & set(words(k.extension))) - len(words(k.extension)) / 100
        )

    def _ranked(self, text: str, k: int) -> list[Found]:
        bm, rows, stem_sets, idf = self._index
        every = set(text_stems([self.speller.correct(w) for w in words(text)]))
        asked = every & idf.keys()
        if not asked:
            return []
        docs, scores = bm.retrieve([sorted(asked)], k=min(50, len(rows)), show_progress=False)
        # a word no code has ("chemo") counts as the rarest one, uncovered: no candidate then
        # covers the whole request, so none is taken for an exact match
        rarest = max(idf.values())
        total = sum(idf[t] for t in asked) + len(every - asked) * rarest
        ranked = []
        for d, s in zip(docs[0], scores[0], strict=True):
            if s <= 0:
                continue
            covered = sum(idf[t] for t in asked & stem_sets[int(d)])
            # "bmi 42": a number inside a range the code names ("BMI 40.0-44.9, adult")
            ranged, width = _in_ranges(every - stem_sets[int(d)], rows[int(d)].description)
            covered += sum(idf.get(w, rarest) for w in ranged)
            # of two ranges holding the number, the narrower first (Z68.37 "37.0-37.9" before
            # Z68.3 "30-39"), by less than the scores' shown precision
            cover = covered / total - 1e-5 * math.log1p(width)
            ranked.append((-round(cover, 6), -float(s), rows[int(d)].code, cover))
        ranked.sort()
        # a billable code before its category of the very same words (J18.9 before J18,
        # "Pneumonia, unspecified organism" both), otherwise the ranking as it is
        first: dict[str, int] = {}
        for i, (*_, code, _c) in enumerate(ranked):
            first.setdefault(self.codes[code].description.lower(), i)
        ranked.sort(
            key=lambda r: (first[self.codes[r[2]].description.lower()], not self.codes[r[2]].leaf)
        )
        return [Found(self.entry(self.codes[code]), cover) for *_, code, cover in ranked[:k]]


_RANGE = re.compile(r"(\d+(?:\.\d+)?) ?(?:-|to) ?(\d+(?:\.\d+)?)")


def _in_ranges(asked: set[str], description: str) -> tuple[set[str], float]:
    """The numbers among `asked` that fall in a range `description` names ("20-29", "1000-1249
    grams", "40.0-44.9"), and the narrowest such range's width (0 when none)."""
    ranges = [(float(a), float(b)) for a, b in _RANGE.findall(description)]
    nums = [w for w in asked if re.fullmatch(r"\d+(?:\.\d+)?", w)]
    hits = [(w, hi - lo) for w in nums for lo, hi in ranges if lo <= float(w) <= hi]
    return {w for w, _ in hits}, min((width for _, width in hits), default=0.0)


def _searchable(c: IcdCode) -> str:
    return " ".join((c.description, *c.inclusion_terms))


def status(c: IcdCode, codes: dict[str, IcdCode]) -> str:
    if c.leaf:
        return "Billable code (valid for a claim)."
    kids = [codes[k] for k in c.children if k in codes]
    if c.seventh_chars and all(k.extension for k in kids):
        return "Not billable alone: it needs a 7th character (below)."
    shown = "; ".join(f"{k.code} {k.description}" for k in kids[:8])
    more = f"; … ({len(kids) - 8} more)" if len(kids) > 8 else ""
    return f"Category, not billable: code one of {shown}{more}."


def entry_text(c: IcdCode, codes: dict[str, IcdCode]) -> str:
    """The entry as a coder reads it: status, own notes, 7th characters, inherited notes, place."""
    out = [f"ICD-10-CM {c.code}: {c.description}", status(c, codes)]
    if c.extension:
        out.append(f"7th character meaning: {c.extension}.")
    if c.parent in codes:
        out.append(f"Parent: {c.parent} {codes[c.parent].description}.")
    for label, attr in _NOTES:
        out += lines(label, getattr(c, attr))
    sevenths = [f"{ch} {meaning}" for ch, meaning in c.seventh_chars]
    out += lines("7th characters", sevenths, limit=len(sevenths))
    parent = codes.get(c.parent)
    while parent is not None:
        for label, attr in _NOTES[1:]:
            out += lines(f"{label} (at {parent.code})", getattr(parent, attr), limit=6)
        parent = codes.get(parent.parent)
    out.append(f"Chapter {c.chapter}. Block {c.block}.")
    return "\n".join(out)
