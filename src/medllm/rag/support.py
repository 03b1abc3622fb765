"""Citations and groundedness.

- `citations(answer, sources)`: `[n]`, `[n, m]`, `[n-m]` markers → the cited sources' chunk ids.
- `relevance(question, sources)`: how much of the question the retrieved sources cover: the share
  of the question's content-word stems found in the sources (weighted by rarity when an IDF table is
  given) combined with the best question-source cosine similarity.
- `support(answer, sources)`: per answer sentence, the share of its content-word stems found in
  one source; the answer's support is the mean over its sentences. Lexical on purpose: a model that
  copies from its sources scores high, one that invents names and numbers scores low, and the score
  is explainable to a user. Negation words are not content words, so polarity is checked apart: a
  source supports a sentence only if the source sentence closest to it (most shared stems) is
  negated exactly when the answer sentence is ("Gout is not caused by uric acid crystals" gets 0
  from a source saying it is).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from medllm.rag.prompt import Source

_CITE = re.compile(r"\[(\d+(?:\s*[-,–]\s*\d+)*)\]")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]+|\d+(?:\.\d+)?")
_SENT = re.compile(r"(?<=[.!?])\s+|\n+")
# Negation is polarity, not content: these words are checked by `negated`, never counted as terms.
_NEGATORS = frozenset(["not", "no", "never", "none", "neither", "nor", "cannot"])
_NEG = re.compile(rf"\b(?:{'|'.join(sorted(_NEGATORS))})\b|n't\b", re.IGNORECASE)
_STOP = frozenset(
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
        "without",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "as",
        "not",
        "no",
        "yes",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "may",
        "might",
        "will",
        "shall",
        "must",
        "has",
        "have",
        "had",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "them",
        "their",
        "there",
        "here",
        "than",
        "then",
        "also",
        "other",
        "such",
        "into",
        "about",
        "over",
        "under",
        "after",
        "before",
        "between",
        "during",
        "if",
        "so",
        "but",
        "any",
        "all",
        "each",
        "most",
        "more",
        "some",
        "many",
        "much",
        "very",
        "just",
        "only",
        "own",
        "same",
        "both",
        "either",
        "neither",
        "nor",
        "per",
        "via",
        "using",
        "used",
        "use",
        "answer",
        "question",
        "source",
        "sources",
        "cited",
        "according",
        "based",
        "know",
        "known",
        "following",
        "true",
        "false",
        "best",
        "option",
    ]
)


@lru_cache(maxsize=1)
def _stem() -> Any:
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # PyStemmer is in the rag extra; without it compare lowercased words
        return str.lower


def terms(text: str) -> list[str]:
    stem = _stem()
    words = [w.lower() for w in _WORD.findall(text)]
    return [
        stem(w)
        for w in words
        if w not in _STOP and w not in _NEGATORS and not w.endswith("n't") and len(w) > 1
    ]


def citations(answer: str, sources: Sequence[Source]) -> dict[int, str]:
    """Cited source numbers that exist → chunk id (numbers out of range are ignored)."""
    by_n = {s.n: s.chunk_id for s in sources}
    cited: dict[int, str] = {}
    for m in _CITE.finditer(answer):
        for part in re.split(r"\s*,\s*", m.group(1)):
            bounds = [int(x) for x in re.split(r"\s*[-–]\s*", part) if x.strip().isdigit()]
            if not bounds:
                continue
            for n in range(bounds[0], min(bounds[-1], bounds[0] + 20) + 1):
                if n in by_n:
                    cited[n] = by_n[n]
    return dict(sorted(cited.items()))


def strip_citations(text: str) -> str:
    return _CITE.sub("", text)


@dataclass(frozen=True)
class Support:
    score: float  # mean sentence support in [0, 1]
    sentences: tuple[tuple[float, int], ...]  # (support, best source n) per checked sentence


def negated(sentence: str) -> bool:
    """The sentence carries a negation word ("not", "no", "never", "n't", ...)."""
    return bool(_NEG.search(sentence))


@dataclass(frozen=True)
class _SourceTerms:
    n: int
    terms: frozenset[str]  # of the whole source
    sentences: tuple[tuple[frozenset[str], bool], ...]  # (stems, negated) per source sentence


def _source_terms(s: Source) -> _SourceTerms:
    text = s.title + " " + s.text
    sents = tuple((frozenset(terms(x)), negated(x)) for x in _SENT.split(text) if x.strip())
    return _SourceTerms(s.n, frozenset(terms(text)), sents)


def _share(words: set[str], neg: bool, src: _SourceTerms) -> float:
    """Share of `words` in the source; 0 when its closest sentence has the other polarity."""
    closest = max(src.sentences, key=lambda st: len(words & st[0]), default=(frozenset(), False))
    if closest[1] != neg:
        return 0.0
    return len(words & src.terms) / len(words)


def _best(sentence: str, srcs: list[_SourceTerms]) -> tuple[float, int] | None:
    """(support, source n) of the source that backs `sentence` best, or None for a sentence
    with fewer than two content words ("Yes.", a lone number or "[1]"): nothing to check."""
    words = set(terms(strip_citations(sentence)))
    if len(words) < 2:
        return None
    neg = negated(sentence)
    return max(((_share(words, neg, s), s.n) for s in srcs), default=(0.0, 0))


def support(answer: str, sources: Sequence[Source]) -> Support:
    srcs = [_source_terms(s) for s in sources]
    rows = []
    for sentence in _SENT.split(strip_citations(answer)):
        if (best := _best(sentence, srcs)) is not None:
            rows.append(best if best[0] > 0 else (0.0, 0))  # no source backs it: cite none
    score = sum(r[0] for r in rows) / len(rows) if rows else 0.0
    return Support(score, tuple(rows))


def coverage(
    question: str, sources: Sequence[Source], idf: dict[str, float] | None = None
) -> float:
    """Share (IDF-weighted when `idf` is given) of the question's content stems found in sources."""
    q = set(terms(question))
    if not q:
        return 0.0
    found = (
        set().union(*(set(terms(s.title + " " + s.text)) for s in sources)) if sources else set()
    )
    weight = (lambda t: idf.get(t, max(idf.values(), default=1.0))) if idf else (lambda t: 1.0)
    total = sum(weight(t) for t in q)
    return sum(weight(t) for t in q & found) / total if total else 0.0


# Codes and ids an answer states: a dotted ICD-10-CM code, an HPO / MeSH / disease / ontology id.
# One that no source shows is invented, however well the rest of its sentence is supported.
_ID = re.compile(
    r"\b[A-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}\b|\bHP:\d{7}\b|\bD\d{6}\b"
    r"|\b(?:OMIM|ORPHA|MONDO|UBERON|DECIPHER):\d+\b|\bDI-\d{5}\b"
)


@dataclass(frozen=True)
class Trimmed:
    text: str  # the answer's supported sentences, as written (citations kept)
    score: float  # mean support of the kept sentences (0 when none is kept)
    kept: tuple[tuple[float, int], ...]  # (support, best source n) per kept sentence
    dropped: int  # checked sentences below `min_share`


def trim_unsupported(answer: str, sources: Sequence[Source], min_share: float) -> Trimmed:
    """The answer without its sentences that no source supports (share of their content stems in
    one source below `min_share`, or a code or id no source shows), so one invented clause does
    not withhold a correct answer and is not shown either. Sentences with fewer than two content
    words ("I do not know.", a lone "[1]") carry no claim and are dropped with the rest when
    another sentence is kept."""
    srcs = [_source_terms(s) for s in sources]
    shown = " ".join(f"{s.title} {s.text}" for s in sources).upper()
    kept_text: list[str] = []
    kept: list[tuple[float, int]] = []
    dropped = 0
    for sentence in _SENT.split(answer.strip()):
        if (best := _best(sentence, srcs)) is None:
            continue
        invented = any(i.upper() not in shown for i in _ID.findall(sentence))
        if best[0] >= min_share and not invented:
            kept_text.append(sentence.strip())
            kept.append(best)
        else:
            dropped += 1
    score = sum(k[0] for k in kept) / len(kept) if kept else 0.0
    return Trimmed(" ".join(kept_text), score, tuple(kept), dropped)
