"""Robust answer parsing for generated text: a letter, "Answer: X", or an option's own words."""

from __future__ import annotations

import re

_FINAL = re.compile(r"answer\s*(?:is|:|=)?\s*(?:option\s*)?[\(\[]?\s*([A-J])\b(?![a-z'])", re.I)
_LEAD = re.compile(r"^\W*(?:option\s*)?\(?([A-J])(?:[\).:,\]]|\s|$)")
_ANY = re.compile(r"\b([A-J])\b")
_ABSTAIN = re.compile(
    r"\b(i (?:do not|don't) know|cannot (?:answer|determine|be determined)|can't (?:answer|"
    r"determine)|not sure|unable to (?:answer|determine)|insufficient information|no answer)\b",
    re.I,
)


def parse_choice(text: str, choices: tuple[str, ...], *, final_only: bool = False) -> int | None:
    """Index of the chosen option, or None when the text names none (or several ambiguously)."""
    n = len(choices)
    letters = "ABCDEFGHIJ"[:n]
    found = [m.group(1).upper() for m in _FINAL.finditer(text)]
    found = [f for f in found if f in letters]
    if found:
        return letters.index(found[-1])
    if final_only:
        return None
    lead = _LEAD.match(text)
    if lead and lead.group(1).upper() in letters and lead.group(1).isupper():
        return letters.index(lead.group(1).upper())
    by_text = _by_option_text(text, choices)
    if by_text is not None:
        return by_text
    lone = {m.group(1) for m in _ANY.finditer(text) if m.group(1) in letters}
    return letters.index(lone.pop()) if len(lone) == 1 else None


def _by_option_text(text: str, choices: tuple[str, ...]) -> int | None:
    low = " ".join(text.lower().split())
    hits = [i for i, c in enumerate(choices) if c.strip() and c.strip().lower().rstrip(".") in low]
    if len(hits) > 1:  # "no" inside "not": keep the options not contained in another hit
        hits = [
            i for i in hits if re.search(rf"\b{re.escape(choices[i].lower().rstrip('.'))}\b", low)
        ]
    return hits[0] if len(hits) == 1 else None


def is_abstention(text: str) -> bool:
    return bool(_ABSTAIN.search(text))
