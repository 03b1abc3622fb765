"""Metrics: accuracy with bootstrap CI (scipy), calibration (ECE), BLEU-1 (sacrebleu), ROUGE-L
(rouge-score), token F1 / exact match (SQuAD definitions), parse-failure, abstention, position bias."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from medllm.core import LETTERS


def bootstrap_ci(values: Sequence[float], *, seed: int = 0, n: int = 1000) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2 or np.all(x == x[0]):
        return float(x.mean()) if len(x) else 0.0, float(x.mean()) if len(x) else 0.0
    from scipy.stats import bootstrap

    res = bootstrap(
        (x,),
        np.mean,
        n_resamples=n,
        confidence_level=0.95,
        method="percentile",
        random_state=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def reliability(conf: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict[str, Any]:
    """Equal-width-bin ECE and the per-bin table a reliability diagram plots. Hand-written: the
    libraries that have it (torchmetrics, netcal) are not dependencies, and it is ten lines."""
    c = np.asarray(conf, dtype=float)
    y = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(c, edges[1:-1], right=True), 0, bins - 1)
    table = []
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            gap = abs(y[m].mean() - c[m].mean())
            ece += m.mean() * gap
            table.append(
                {
                    "lo": float(edges[b]),
                    "hi": float(edges[b + 1]),
                    "n": int(m.sum()),
                    "conf": float(c[m].mean()),
                    "acc": float(y[m].mean()),
                }
            )
    return {"ece": float(ece), "bins": table}


def _normalize(text: str) -> str:
    """SQuAD answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def token_f1(pred: str, ref: str) -> float:
    p, r = _normalize(pred).split(), _normalize(ref).split()
    common = sum((Counter(p) & Counter(r)).values())
    if not p or not r:
        return float(p == r)
    if common == 0:
        return 0.0
    prec, rec = common / len(p), common / len(r)
    return 2 * prec * rec / (prec + rec)


def exact_match(pred: str, ref: str) -> float:
    return float(_normalize(pred) == _normalize(ref))


def rouge_l(pred: str, ref: str) -> float:
    return float(_rouge().score(ref, pred)["rougeL"].fmeasure)


_SCORER: Any = None


def _rouge() -> Any:
    global _SCORER
    if _SCORER is None:
        from rouge_score import rouge_scorer

        _SCORER = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return _SCORER


def bleu1_sentence(pred: str, ref: str) -> float:
    from sacrebleu.metrics import BLEU

    return float(
        BLEU(max_ngram_order=1, effective_order=True).sentence_score(pred, [ref]).score / 100
    )


def bleu1_corpus(preds: Sequence[str], refs: Sequence[str]) -> float:
    from sacrebleu.metrics import BLEU

    return float(BLEU(max_ngram_order=1).corpus_score(list(preds), [list(refs)]).score / 100)


def text_scores(pred: str, ref: str) -> dict[str, float]:
    return {
        "bleu1": bleu1_sentence(pred, ref),
        "rougeL": rouge_l(pred, ref),
        "token_f1": token_f1(pred, ref),
        "em": exact_match(pred, ref),
    }


def _mean_ci(name: str, values: list[float], seed: int) -> dict[str, float]:
    lo, hi = bootstrap_ci(values, seed=seed)
    arr = np.asarray(values, dtype=float)
    se = float(arr.std(ddof=1) / np.sqrt(len(arr))) if len(arr) > 1 else 0.0
    return {
        name: float(arr.mean()),
        f"{name}_stderr": se,
        f"{name}_ci_low": lo,
        f"{name}_ci_high": hi,
    }


def choice_metrics(rows: list[dict[str, Any]], n_choices: int, seed: int = 0) -> dict[str, Any]:
    """acc (+CI), acc_norm, ECE, parse-failure and abstention rates, predicted-option distribution."""
    out: dict[str, Any] = {"n": len(rows)}
    out.update(_mean_ci("acc", [float(r["correct"]) for r in rows], seed))
    if all("correct_norm" in r for r in rows):
        out.update(_mean_ci("acc_norm", [float(r["correct_norm"]) for r in rows], seed))
    confs = [r["confidence"] for r in rows if r.get("confidence") is not None]
    if len(confs) == len(rows) and rows:
        rel = reliability(confs, [bool(r["correct"]) for r in rows])
        out["ece"], out["reliability"] = rel["ece"], rel["bins"]
    out["parse_failure_rate"] = float(np.mean([bool(r.get("parse_failed")) for r in rows]))
    out["abstention_rate"] = float(np.mean([bool(r.get("abstained")) for r in rows]))
    preds = Counter(r["pred"] for r in rows if r["pred"] is not None)
    out["pred_dist"] = {LETTERS[i]: preds.get(i, 0) / len(rows) for i in range(n_choices)}
    out["medhalt_score"] = float(np.mean([1.0 if r["correct"] else -0.25 for r in rows]))
    return out


def text_metrics(rows: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Corpus BLEU-1, and ROUGE-L / token F1 / exact match averaged over items with CIs."""
    out: dict[str, Any] = {"n": len(rows)}
    out["bleu1"] = bleu1_corpus([str(r["pred"]) for r in rows], [str(r["target"]) for r in rows])
    for name in ("rougeL", "token_f1", "em"):
        out.update(_mean_ci(name, [float(r[name]) for r in rows], seed))
    out["abstention_rate"] = float(np.mean([bool(r.get("abstained")) for r in rows]))
    return out


def mcnemar_exact(base: Sequence[bool], other: Sequence[bool]) -> dict[str, Any]:
    """McNemar's exact test on paired correctness: the discordant counts (b = right only in
    `base`, c = right only in `other`) and the two-sided binomial p-value of min(b, c) among
    b + c at 1/2 (scipy's `binomtest`; statsmodels' `mcnemar(exact=True)` gives the same)."""
    if len(base) != len(other):
        raise ValueError(f"paired test: {len(base)} items against {len(other)}")
    b = sum(1 for x, y in zip(base, other, strict=True) if x and not y)
    c = sum(1 for x, y in zip(base, other, strict=True) if y and not x)
    if b + c == 0:
        return {"b": 0, "c": 0, "p_value": 1.0}
    from scipy.stats import binomtest

    return {"b": b, "c": c, "p_value": float(binomtest(min(b, c), b + c, 0.5).pvalue)}


def paired_bootstrap(
    base: Sequence[float], other: Sequence[float], *, seed: int = 0, n: int = 1000
) -> dict[str, float]:
    """mean(other) - mean(base) over paired items, with a 95% percentile bootstrap interval:
    the same resampled items for both, so the item-to-item correlation stays in the interval."""
    x = np.asarray(base, dtype=float)
    y = np.asarray(other, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired bootstrap: {len(x)} items against {len(y)}")
    d = y - x  # (items,)
    diff = float(d.mean()) if len(d) else 0.0
    if len(d) < 2 or np.all(d == d[0]):
        return {"diff": diff, "ci_low": diff, "ci_high": diff}
    idx = np.random.default_rng(seed).integers(0, len(d), size=(n, len(d)))  # (resamples, items)
    means = d[idx].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return {"diff": diff, "ci_low": float(lo), "ci_high": float(hi)}
