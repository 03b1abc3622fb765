"""Answer parsing for generated text: a letter given as the answer, or an option's own words.

A capital letter counts only where it is plainly the answer: after an explicit cue ("Answer: B",
"the answer is **C**"), or leading the text and closed by a delimiter ("B.", "(C)", "B) ...", a
lone "A"). A letter inside prose ("vitamin B", "Hepatitis C", "A deficiency of iron", "the answer is
a ...") is no answer: counting it would invent predictions. Option words match as whole words.
"""

from __future__ import annotations

import re

# Case-sensitive letter; the cue is not. "A" and "I" are also English words: after a cue they
# count only when no lowercase word follows ("the answer is A deficiency of iron" names none).
_FINAL = re.compile(
    r"(?i:answer)\s*(?:(?i:is)|:|=)?\s*(?:(?i:option)\s*)?[\(\[*]*\s*([A-J])(?![\w'])"
    r"(?!(?<=[AI])[ \t]+[a-z])"
)
_LEAD = re.compile(r"^\W*(?:(?i:option)\s*)?\(?([A-J])(?:[\).:,;\]*]|\s*$|\s*\n)")
_ABSTAIN = re.compile(
    r"\b(i (?:do not|don't) know|cannot (?:answer|determine|be determined)|can't (?:answer|"
    r"determine)|not sure|unable to (?:answer|determine)|insufficient information|no answer)\b",
    re.I,
)


def parse_choice(text: str, choices: tuple[str, ...], *, final_only: bool = False) -> int | None:
    """Index of the chosen option, or None when the text names none (or several ambiguously).

    `final_only`: only an explicit answer cue counts (the last one wins)."""
    letters = "ABCDEFGHIJ"[: len(choices)]
    found = [m.group(1) for m in _FINAL.finditer(text) if m.group(1) in letters]
    if found:
        return letters.index(found[-1])
    if final_only:
        return None
    lead = _LEAD.match(text)
    if lead and lead.group(1) in letters:
        return letters.index(lead.group(1))
    return _by_option_text(text, choices)


def _by_option_text(text: str, choices: tuple[str, ...]) -> int | None:
    """The one option whose text appears as whole words ("no" inside "not" is not "no")."""
    low = " ".join(text.lower().split())
    hits = [
        i
        for i, c in enumerate(choices)
        if (opt := " ".join(c.lower().rstrip(".").split()))
        and re.search(rf"(?<!\w){re.escape(opt)}(?!\w)", low)
    ]
    return hits[0] if len(hits) == 1 else None


def is_abstention(text: str) -> bool:
    return bool(_ABSTAIN.search(text))
