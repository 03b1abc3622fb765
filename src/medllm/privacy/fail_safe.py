"""The fail-safe layer (as in Philter): after the recognizers, remove what is not known to be safe.

Every word token that no recognizer covered is checked against an allow-list of known non-PHI
words (`privacy.vocabulary`: English and medical vocabulary) and against the shapes of clinical
numbers (doses, vitals, labs, units, scores, fractions). A token that is in neither and looks like
PHI becomes a span with source `fail_safe`:

- identifier: letters mixed with digits (`RAD7731905`, `mkowalczyk2`), or a run of 5+ digits
  (`strict`: 4+ digits that are not a year) outside a clinical-number context;
- name or place: a capitalised word not in the allow-list (`Cuyahoga`); a lower-case word not in
  it after a name or place cue (`dr halloran`, `my wife mirela`, `in lorain`), or next to a
  name already found (`jasper liang-okafor`); `strict` takes every unknown lower-case word.

Modes: `balanced` (default), `strict` (more recall, costs precision), `off`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache, partial
from typing import Literal

from medllm.core import Span
from medllm.privacy.recognizers.base import LO, UP
from medllm.privacy.recognizers.name import EPONYM_NEXT
from medllm.privacy.recognizers.url import NAMESPACES

Mode = Literal["strict", "balanced", "off"]
SOURCE = "fail_safe"

# A token: letters/digits, with inner apostrophes, hyphens, dots or slashes ("osei-bonsu",
# "KH-55831", "M72.0", "25/100").
_TOKEN = re.compile(rf"[{UP}{LO}0-9]+(?:['’][{UP}{LO}]+)?(?:[\-./][{UP}{LO}0-9]+)*")
_PART = re.compile(rf"[{UP}{LO}]+|\d+")
# Clinical shapes a token may take on its own: dose/unit numbers, frequencies, vertebrae, ordinals
# of lines of therapy, gene/lab names with one or two digits ("B12", "HER2", "CD4").
_ICD_SHAPE = re.compile(r"[A-TV-Z]\d[0-9AB]\.[0-9A-Z]{1,4}")
_CLINICAL = re.compile(
    r"""(?ix)
    \d+(?:\.\d+)?(?:mg|mcg|ug|g|kg|ml|l|dl|cc|u|iu|units?|meq|mmol|mol|h|hr|hrs|d|wk|wks|mo|mos
       |yr|yrs|y|yo|min|mins|s|sec|cm|mm|m|km|in|ft|lb|lbs|oz|bpm|mmhg|f|c|x|k|mg/dl|gy|pm|am|rd|st|nd|th)
    |[xq]\d+(?:h|hr|hrs|d|wk|min)?|q\d+-\d+h?|\d+x
    |[a-z]{1,4}\d{1,2}[a-z]{0,2}     # SpO2, HbA1c, FEV1, T2DM, CKD3a, PHQ9, L4
    |\d{1,2}[a-z]{1,2}\d{0,2}        # 2D, 3T, 1A
    """
)
# Words just before a clinical number: labs, vitals, scores, doses, measures.
_NUMBER_CONTEXT = re.compile(
    r"""(?ix)(?:\b(?:wbc|rbc|plt|platelets?|hgb|hb|hct|na|k|cl|co2|bun|cr|creat|glucose|glu|ca|mg
    |phos|alt|ast|alp|ldh|ck|cpk|tsh|inr|ptt|pt|bnp|troponin|trop|crp|esr|ldl|hdl|tg|a1c|hba1c
    |ferritin|b12|folate|vit|vitamin|iron|egfr|gfr|psa|cea|afp|lipase|amylase|albumin|protein
    |count|level|levels|hr|bp|rr|temp|t|spo2|sat|sats|o2|weight|wt|height|ht|bmi|map|cvp|score
    |scale|dose|units?|iu|mg|mcg|ml|cc|volume|output|intake|uop|i/o|steps|calories|kcal|cells
    |copies|viral\s+load|cd4|value|result|total|about|approx|x|cpt|icd|icd-?10|icd-?9|hcpcs|drg
    |loinc|snomed|code|codes)\s*[:=]?\s*)$"""
)
_UNIT_AFTER = re.compile(
    r"(?i)\s*(?:mg|mcg|g|kg|ml|l|cc|units?|iu|meq|mmol|cells|copies|/\s*u?l|/mm3|k/ul|x\s*10"
    r"|steps|kcal|calories|ng|pg|%|mmhg|bpm)\b"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_NAMESPACE = re.compile(NAMESPACES)
# Lower-case words after which an unknown lower-case word is a name or a place.
_LOWER_CUE = re.compile(
    r"""(?ix)(?:\b(?:dr|dr\.|doctor|mr|mrs|ms|miss|nurse|hi|hey|dear|hello|thanks|thank\s+you
    |love|from|to|cc|signed|regards|its|it's|i'm|im|am|name\s+is|this\s+is|call\s+me|named|ask\s+for
    |husband|wife|son|daughter|mom|mother|dad|father|sister|brother|partner|friend|neighbor
    |neighbour|granddaughter|grandson|niece|nephew|aunt|uncle|cousin|boyfriend|girlfriend
    |in|at|near|by|of|on|off|towards|outside|lives|moved|visiting)\s*[:,]?\s*)$"""
)


# Scores and names with digits inside that the part-by-part checks would take for identifiers.
_CLINICAL_TOKENS = frozenset(
    [
        "cha2ds2-vasc",
        "cha2ds2vasc",
        "has-bled",
        "curb-65",
        "meld-na",
        "child-pugh",
        "apache-ii",
        "apache-iv",
        "hba1c",
        "covid-19",
        "sars-cov-2",
        "h1n1",
        "brca1",
        "brca2",
        "her2",
        "pd-l1",
        "il-6",
        "t-score",
        "z-score",
        "nt-probnp",
        "25-oh",
        "1,25-oh",
        "spo2",
        "fio2",
        "etco2",
    ]
)


def _known(word: str, allow: frozenset[str]) -> bool:
    """In the allow-list as it is, or after a plural / verb / possessive ending comes off."""
    w = word.lower().replace("’", "'")
    if w in allow:
        return True
    if w.endswith("'s"):
        return _known(w[:-2], allow)
    for suffix, repl in (
        ("s", ""),
        ("es", ""),
        ("ies", "y"),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("er", ""),
        ("ers", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and w[: -len(suffix)] + repl in allow:
            return True
    return False


class FailSafe:
    """Flags tokens no recognizer covered that are neither known vocabulary nor clinical numbers."""

    def __init__(self, mode: Mode = "balanced", allow: frozenset[str] | None = None) -> None:
        self.mode = mode
        if allow is None and mode != "off":
            from medllm.privacy.vocabulary import allow_list

            allow = allow_list()
        self.allow = allow or frozenset()
        # the same words recur in every note: each is looked up (with its endings) once
        self._known = lru_cache(maxsize=1 << 16)(partial(_known, allow=self.allow))

    def spans(self, text: str, found: Sequence[Span]) -> list[Span]:
        if self.mode == "off":
            return []
        covered = _Covered(found)
        names = [s for s in found if s.kind == "NAME"]
        out: list[Span] = []
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            if covered.hit(start, end) or _NAMESPACE.match(text, start):
                continue
            # a token a span covers in part ("Mbeki-Lund" with "Lund" found as a city, "MR/towert"
            # with the user name found): its uncovered parts are judged, each on its own
            parts = [(start, end)]
            if covered.touches(start, end):
                parts = [
                    (start + p.start(), start + p.end())
                    for p in re.finditer(r"[^\-/.'’]+", m.group(0))
                    if not covered.touches(start + p.start(), start + p.end())
                ]
            for a, b in parts:
                kind = self._kind(text, text[a:b], a, b, names, out)
                if kind:
                    out.append(Span(kind, a, b, 0.5, SOURCE))
        return out

    def _kind(
        self, text: str, tok: str, start: int, end: int, names: list[Span], out: list[Span]
    ) -> str | None:
        parts = _PART.findall(tok)
        has_alpha = any(p.isalpha() for p in parts)
        has_digit = any(p.isdigit() for p in parts)
        if has_digit:
            return "ID" if self._id_like(text, tok, parts, start, end, has_alpha) else None
        words = [p for p in parts if not self._known(p)]
        if not words:
            return None
        if tok[0].isupper():
            if EPONYM_NEXT.match(text[end : end + 30]):
                return None  # "Todd paralysis": an eponym, as the name recognizer reads it
            return "NAME" if self._capital_unknown(tok, words) else None
        if self.mode == "strict":
            return "NAME" if any(len(w) >= 3 for w in words) else None
        before = text[max(0, start - 24) : start]
        near_name = any(0 <= start - s.end <= 2 or 0 <= s.start - end <= 2 for s in names + out)
        if _LOWER_CUE.search(before) or near_name:
            return "NAME" if any(len(w) >= 3 for w in words) else None
        return None

    def _capital_unknown(self, tok: str, words: list[str]) -> bool:
        if tok.isupper() and len(tok) <= (3 if self.mode == "strict" else 5):
            return False  # an abbreviation: "CVA", "NSTEMI" stays unless strict
        return any(len(w) >= 2 for w in words)

    def _id_like(
        self, text: str, tok: str, parts: list[str], start: int, end: int, has_alpha: bool
    ) -> bool:
        if has_alpha:
            if _ICD_SHAPE.fullmatch(tok):
                return False  # an ICD-10 code ("G40.A09"), not an identifier
            clinical = (
                all(
                    (p.isalpha() and self._known(p)) or (p.isdigit() and len(p) <= 3) for p in parts
                )
                and len(parts) <= 3
            )
            if _CLINICAL.fullmatch(tok) or clinical or tok.lower() in _CLINICAL_TOKENS:
                return False
            return sum(len(p) for p in parts if p.isdigit()) >= 2 or len(tok) >= 5
        digits = "".join(parts)
        if "." in tok or ("/" in tok and len(parts) == 2 and all(len(p) <= 3 for p in parts)):
            return False  # a decimal or a fraction / ratio
        limit = 4 if self.mode == "strict" else 5
        if len(digits) < limit or (len(digits) == 4 and _YEAR.fullmatch(digits)):
            return False
        before = text[max(0, start - 24) : start]
        return not (_NUMBER_CONTEXT.search(before) or _UNIT_AFTER.match(text, end))


class _Covered:
    """Which character offsets the recognizers' spans cover (spans are few; notes are short).

    A token is tested against the 8 spans that start last before it. That test ran once per
    token of the note, so the largest end among each such window of 8 is computed once here
    (`window_end`), and a test is one bisection and one comparison: the same answers."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.ranges = ranges = sorted((s.start, s.end) for s in spans)
        self.starts = [a for a, _ in ranges]
        ends = [b for _, b in ranges]
        # window_end[i]: the largest end of spans i-8 .. i-1 (-1 when there are none)
        self.window_end = [max(ends[max(0, i - 8) : i], default=-1) for i in range(len(ends) + 1)]

    def touches(self, start: int, end: int) -> bool:
        """Some span of the window before `end` overlaps [start, end) (the window: the spans
        up to (end, end), as tuples: an empty span at `end` counts, as it did)."""
        return start < self.window_end[bisect.bisect_right(self.ranges, (end, end))]

    def hit(self, start: int, end: int) -> bool:
        """The token lies inside one span ("Mbeki-Lund" with only "Lund" found as a city is
        looked at whole: the merge then covers both parts)."""
        return end <= self.window_end[bisect.bisect_right(self.starts, start)]
