"""Classifier variants of serve/triage/model.py under leave-one-author-out cross-validation on the
packaged messages: what chose the n-gram share 0.6 (docs/serve.md "Triage"). Each variant's
out-of-fold scores go through the threshold sweep of benchmarks/triage.py (FA_CAP 3.5%), rules
and rule veto included, so its figures compare with `triage.py --cv --by-author`'s.

    python benchmarks/triage_variants.py                     # every variant (~10 min, 2 cores)
    python benchmarks/triage_variants.py --only share0.6 embC1

Variants: `share<w>` (the n-gram share, C as shipped), `embC<c>` / `ngC<c>` (one model's C, the
share 0.5), `embfr` / `ngfr` (framing features appended to one model's input). Prints one line
per variant; writes nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from triage import author_of, sweep

ALL = ("share0.5", "share0.6", "share0.7", "embC1", "embC16", "ngC3", "ngC30", "embfr", "ngfr")
THIRD = re.compile(
    r"\b(?:my|our|his|her) (?:mum|mom|mother|dad|father|son|daughter|baby|wife|husband|partner"
    r"|friend|brother|sister|gran\w*|grandad|grandpa|kid|child|toddler)\b"
)
HYPO = re.compile(r"\b(?:if|suppose|would|could|hypothetical\w*|in case)\b")
EDU = re.compile(r"\b(?:quiz|training|course|class|students|lesson|leaflet|novel|story|essay)\b")


def framing(texts: list[str]) -> np.ndarray:
    """Per message: framed, past, negated (the rules' patterns), third party, hypothetical,
    educational, ends with / holds a question mark, length. Hand-written: the candidate features
    are these patterns, no library computes them."""
    from medllm.serve.triage.rules import FRAMED, NEGATED, PAST, sentences

    out = []
    for t in texts:
        lo = t.lower()
        out.append(
            [
                bool(FRAMED.search(lo)),
                bool(PAST.search(lo)),
                any(NEGATED.search(s) for s in sentences(t)),
                bool(THIRD.search(lo)),
                bool(HYPO.search(lo)),
                bool(EDU.search(lo)),
                lo.strip().endswith("?"),
                "?" in lo,
                min(len(t.split()), 200) / 200,
            ]
        )
    return np.array(out, dtype=float)


def out_of_fold(texts: list[str], y: np.ndarray, parts: list[np.ndarray], fit_proba: Any) -> Any:
    probs = np.zeros((len(texts), 5))
    for held in parts:
        train = np.setdiff1d(np.arange(len(texts)), held)
        probs[held] = fit_proba(train, held)
    return probs


def _ordered(lr: Any, p: np.ndarray) -> np.ndarray:
    out = np.zeros((p.shape[0], 5))
    out[:, lr.classes_] = p
    return out


def embed_model(x: np.ndarray, y: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    def fit_proba(train: np.ndarray, held: np.ndarray) -> np.ndarray:
        lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x[train], y[train])
        return _ordered(lr, lr.predict_proba(x[held]))

    return fit_proba


def ngram_model(texts: list[str], y: np.ndarray, c: float, extra: np.ndarray | None) -> Any:
    """The shipped n-gram model (model.fit), with `extra` columns appended when given."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def fit_proba(train: np.ndarray, held: np.ndarray) -> np.ndarray:
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
        tr, te = [texts[i] for i in train], [texts[i] for i in held]
        xa, xb = [words.fit_transform(tr), chars.fit_transform(tr)], [words.transform(te)]
        xb.append(chars.transform(te))
        if extra is not None:
            xa.append(csr_matrix(extra[train]))
            xb.append(csr_matrix(extra[held]))
        lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        lr.fit(hstack(xa).tocsr(), y[train])
        return _ordered(lr, lr.predict_proba(hstack(xb).tocsr()))

    return fit_proba


def main() -> None:
    from medllm.knowledge import embed_texts
    from medllm.serve.triage import evidence
    from medllm.serve.triage.model import C_EMBED, C_NGRAM, LABELS, read_messages

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", nargs="*", default=list(ALL), help=f"variants, of {', '.join(ALL)}")
    variants = ap.parse_args().only
    rows = read_messages()
    texts = [str(r["text"]) for r in rows]
    y = np.array([LABELS.index(str(r["label"])) for r in rows])
    authors = [author_of(str(r["id"])) for r in rows]
    parts = [np.array([i for i, a in enumerate(authors) if a == g]) for g in sorted(set(authors))]
    emb, ev, fr = embed_texts(texts), [evidence(t) for t in texts], framing(texts)
    memo: dict[tuple[str, float, bool], np.ndarray] = {}

    def model(kind: str, c: float, with_fr: bool = False) -> np.ndarray:
        if (kind, c, with_fr) not in memo:
            x = np.hstack([emb, fr]) if with_fr else emb
            fp = (
                embed_model(x, y, c)
                if kind == "emb"
                else ngram_model(texts, y, c, fr if with_fr else None)
            )
            memo[(kind, c, with_fr)] = out_of_fold(texts, y, parts, fp)
        return memo[(kind, c, with_fr)]

    for v in variants:
        num = float(re.sub(r"^[a-zA-Z]+", "", v) or 0)
        pa, pb, w = model("emb", C_EMBED), model("ng", C_NGRAM), 0.5
        if v.startswith("share"):
            w = num
        elif v.startswith("embC") or v == "embfr":
            pa = model("emb", num if v != "embfr" else C_EMBED, v == "embfr")
        elif v.startswith("ngC") or v == "ngfr":
            pb = model("ng", num if v != "ngfr" else C_NGRAM, v == "ngfr")
        p = (1 - w) * pa + w * pb
        ps = [{label: float(row[i]) for i, label in enumerate(LABELS)} for row in p]
        print(v, sweep(rows, ev, ps), flush=True)


if __name__ == "__main__":
    main()
