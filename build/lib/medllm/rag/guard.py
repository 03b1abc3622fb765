"""Retrieved text is data. Sentences in a source that address the assistant with instructions
("ignore the previous instructions", "reply only with ...", "you are now ...") are quarantined:
replaced by a marker before the prompt is built, so the model never reads them as text to obey.
The prompt also states that sources are data; with small models that statement alone is not enough
(measured in benchmarks/rag_quality.py), which is why the quarantine exists.

Hand-written: no maintained library here detects prompt injection offline without a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUARANTINED = "[instruction removed from source]"

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# Each pattern is a way of talking *to the reader* rather than about medicine.
_PATTERNS = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|prompt|rule|guideline|above|previous|prior|earlier|system)",
    r"\b(you are now|you must now|from now on|pretend to be|you will now|new instructions?)\b",
    r"\bact as (an? |the )?(assistant|ai|chatbot|language model|different|new|my)\b",
    r"\b(respond|reply|answer|say|print|output)\b.{0,30}\b(only|exactly|verbatim|with the (word|phrase|text|string))\b",
    r"\b(system prompt|developer mode|jailbreak|assistant:|system:|<\|im_start\|>|\[inst\])",
    r"\b(do not|don't|never)\b.{0,30}\b(cite|mention|tell the user|reveal|use the sources)\b",
    r"\b(do not|don't|never) (follow|obey) (the|your|any|these|those|previous|prior)\b",
    r"\b(instead|rather)\b.{0,20}\b(say|answer|respond|reply|tell the user|output)\b",
    r"\btell the user\b|\bthe user (should|must)\b|\brecommend (that the user|visiting)\b",
    r"\bvisit (https?://|www\.)|\bclick (here|the link)\b",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


@dataclass(frozen=True)
class Guarded:
    text: str
    flagged: int  # sentences quarantined


def quarantine(text: str) -> Guarded:
    """`text` with each instruction-like sentence replaced by `QUARANTINED`."""
    out: list[str] = []
    flagged = 0
    last = 0
    for m in _SENTENCE.finditer(text):
        out.append(text[last : m.start()])
        if _INSTRUCTION.search(m.group(0)):
            out.append(QUARANTINED)
            flagged += 1
        else:
            out.append(m.group(0))
        last = m.end()
    out.append(text[last:])
    return Guarded("".join(out), flagged)


def escape_delimiters(text: str) -> str:
    """Sources sit between <source> tags in the prompt: a source cannot close its own tag."""
    return re.sub(r"</?\s*source\b", "(source", text, flags=re.IGNORECASE)
