"""Deletion and insertion curves of an attribution, and their AOPC (area over the perturbation
curve, Samek et al. 2017).

For fractions q = 0, 1/m, ..., 1 of the features, ranked by score (highest first, ties by
position): the deletion curve is f with the top ceil(q n) features absent; the insertion curve is f
with only those present. Both are normalised to be "higher = more faithful":

    AOPC_deletion  = mean over q of  f(x) - f(x without the top q)
    AOPC_insertion = mean over q of  f(x with only the top q) - f(baseline)

and `aopc` = their mean (the two are in the same unit, nats of the answer's log-likelihood). An
attribution that orders features no better than chance scores about the random baseline's AOPC.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from medllm.evaluate.explain.target import Target

Score = Callable[[list[list[int]]], list[float]]  # rows of ids (one length) → f of each


def fractions(points: int) -> list[float]:
    """q = 0, 1/points, ..., 1 (points + 1 values)."""
    return [i / points for i in range(points + 1)]


def ranking(scores: np.ndarray) -> list[int]:
    """Feature indices by score, highest first; equal scores in position order (stable)."""
    return [int(i) for i in np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")]


def curve_inputs(target: Target, order: Sequence[int], points: int) -> tuple[list, list]:
    """(deletion rows, insertion rows) at the interior fractions 1/points .. (points-1)/points:
    the end points are f(x) and f(baseline) for every method, so they are scored once."""
    n = target.n_features
    every = range(n)
    dels, ins = [], []
    for q in fractions(points)[1:-1]:
        top = list(order[: math.ceil(q * n)])
        dels.append(target.with_absent(top))
        ins.append(target.with_absent(sorted(set(every) - set(top))))
    return dels, ins


def aopc(full: float, empty: float, deletion: Sequence[float], insertion: Sequence[float]) -> dict:
    """AOPC of the curves' interior values (f(x) = `full`, f(baseline) = `empty` at the ends)."""
    d = [full, *deletion, empty]
    i = [empty, *insertion, full]
    del_aopc = float(np.mean([full - v for v in d]))
    ins_aopc = float(np.mean([v - empty for v in i]))
    return {
        "deletion": d,
        "insertion": i,
        "aopc_deletion": del_aopc,
        "aopc_insertion": ins_aopc,
        "aopc": (del_aopc + ins_aopc) / 2,
    }


def curves(
    target: Target, scores: dict[str, np.ndarray], score: Score, points: int
) -> dict[str, dict]:
    """Each method's curves and AOPC for one target; every row is scored in one call of `score`
    (f(x) and f(baseline) once for all methods)."""
    ends = [list(target.ids), target.with_absent(range(target.n_features))]
    rows, spans = list(ends), {}
    for name, s in scores.items():
        dels, ins = curve_inputs(target, ranking(s), points)
        spans[name] = (len(rows), len(dels))
        rows += dels + ins
    values = score(rows)
    full, empty = values[0], values[1]
    out = {}
    for name, (at, k) in spans.items():
        out[name] = aopc(full, empty, values[at : at + k], values[at + k : at + 2 * k])
    return out
