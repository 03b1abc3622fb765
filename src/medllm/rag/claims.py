"""Claim-level groundedness: split an answer into claims and check each against its sources.

`support` (rag/support.py) scores a whole sentence by the share of its words found anywhere in a
source; a claim that swaps "right" for "left", "type 1" for "type 2" or one code for another keeps
almost every word and passes it. `check_claim` asks more of a source, in one passage (the source's
title plus one of its sentences, or two adjacent ones), all of:

1. every code, id and number the claim states appears in the source (E11.9, HP:0001629, 200 mg);
2. at least `min_share` of the claim's content stems are in the passage, or `min_share_dense` of
   them with the passage's embedding cosine to the claim at least `min_cosine` (all-MiniLM-L6-v2,
   the knowledge stage's embedder: paraphrases that share few words);
3. the passage is negated exactly when the claim is ("is not" vs "is");
4. no contrast word of the claim (left, type 1, primary, benign, dominant, ...) meets its opposite
   in the passage without itself being there.

Hand-written because no entailment (NLI) model installs here offline (none is on the package
registry; model hubs are out of reach); an NLI cross-encoder would replace rules 2-4. The rules
and thresholds were set before the hand-labelled claims of tests/fixtures/s7 were looked at.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from medllm.rag.prompt import Source
from medllm.rag.support import negated, strip_citations, terms

# A sentence ends at . ! ? followed by space and a capital / digit, or at a newline; "E11.9", "e.g."
# and "5.5 mg" do not end one (no space after the dot, or a lowercase word follows).
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|\n+|;\s+")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# Codes and ids (as rag/support.py's _ID) and numbers with an optional unit.
_CODE = re.compile(
    r"\b[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?\b|\bHP:\d{7}\b|\bD\d{6,9}\b"
    r"|\b(?:OMIM|ORPHA|MONDO|UBERON|DECIPHER):\d+\b"
)
_NUMBER = re.compile(r"(?<![A-Za-z:.\d])\d+(?:\.\d+)?(?![\d.]\d)")
# Pairs a claim may get wrong while keeping every other word (each side's words, lowercased).
CONTRASTS: tuple[tuple[str, str], ...] = (
    ("left", "right"),
    ("type 1", "type 2"),
    ("primary", "secondary"),
    ("benign", "malignant"),
    ("upper", "lower"),
    ("dominant", "recessive"),
    ("acute", "chronic"),
    ("unilateral", "bilateral"),
    ("increased", "decreased"),
    ("elevated", "reduced"),
    ("acquired", "congenital"),
    ("initial", "subsequent"),
    ("with", "without"),
)


def split_claims(text: str) -> list[str]:
    """The answer's claims: its sentences and semicolon clauses, citations and list bullets
    removed; pieces with fewer than two content words ("Yes.", "[1]") carry no claim."""
    text = re.sub(r"\s+([.,;:!?])", r"\1", strip_citations(text))  # "arthritis [1]." → "arthritis."
    pieces = _SENT_END.split(text.strip())
    out = []
    for piece in pieces:
        claim = _BULLET.sub("", piece).strip(" ;")
        if len(set(terms(claim))) >= 2:
            out.append(claim)
    return out


@dataclass(frozen=True)
class ClaimCheck:
    claim: str
    supported: bool
    source: int  # n of the source that supports it best (0: none)
    share: float  # of the claim's content stems in the best passage
    cosine: float  # claim-passage embedding cosine of the best passage (0 without an embedder)
    why: str  # "" when supported, else the rule it failed: ids | content | polarity | contrast


@dataclass(frozen=True)
class CheckerSettings:
    min_share: float = 0.7
    min_share_dense: float = 0.5
    min_cosine: float = 0.75


Embedder = Callable[[list[str]], np.ndarray]  # texts → unit vectors, (n, dim)


def _passages(s: Source) -> list[str]:
    sents = [x for x in _SENT_END.split(s.text) if x.strip()]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(sents)]
    return [f"{s.title}. {p}" for p in [*sents, *pairs]] or [s.title]


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


def contrast_conflict(claim: str, passage: str) -> bool:
    """A contrast word of the claim whose opposite the passage states and it does not."""
    c, p = claim.lower(), passage.lower()
    for a, b in CONTRASTS:
        for mine, other in ((a, b), (b, a)):
            if _has(c, mine) and not _has(c, other) and _has(p, other) and not _has(p, mine):
                return True
    return False


def stated_ids(text: str) -> set[str]:
    """Codes, ids and numbers a text states, normalised (upper case, no trailing dot)."""
    found = {m.upper() for m in _CODE.findall(text)}
    rest = _CODE.sub(" ", text)
    return found | {n.rstrip(".") for n in _NUMBER.findall(rest)}


def _judge(claim: str, passage: str, share: float, cos: float, st: CheckerSettings) -> str:
    if not (share >= st.min_share or (share >= st.min_share_dense and cos >= st.min_cosine)):
        return "content"
    if negated(claim) != negated(passage):
        return "polarity"
    if contrast_conflict(claim, passage):
        return "contrast"
    return ""


def check_claim(
    claim: str,
    sources: Sequence[Source],
    embed: Embedder | None = None,
    st: CheckerSettings | None = None,
) -> ClaimCheck:
    """Whether one passage of one source supports the claim (the module's four rules)."""
    st = st or CheckerSettings()
    words = set(terms(claim))
    ids = stated_ids(claim)
    best = ClaimCheck(claim, False, 0, 0.0, 0.0, "ids" if ids else "content")
    for s in sources:
        shown = stated_ids(f"{s.title} {s.text}")
        if not ids <= shown:
            continue
        passages = _passages(s)
        shares = [len(words & set(terms(p))) / max(len(words), 1) for p in passages]
        cosines = [0.0] * len(passages)
        if embed is not None:
            vecs = embed([claim, *passages])
            cosines = [float(v) for v in vecs[1:] @ vecs[0]]
        for p, share, cos in zip(passages, shares, cosines, strict=True):
            why = _judge(claim, p, share, cos, st)
            row = ClaimCheck(claim, not why, s.n, share, cos, why)
            if not why:
                return row
            if (share, cos) > (best.share, best.cosine):
                best = row
    return best


def check_answer(
    answer: str,
    sources: Sequence[Source],
    embed: Embedder | None = None,
    st: CheckerSettings | None = None,
) -> list[ClaimCheck]:
    """One check per claim of the answer (an answer without a claim gives an empty list)."""
    return [check_claim(c, sources, embed, st) for c in split_claims(answer)]
