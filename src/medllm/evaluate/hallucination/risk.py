"""Coverage / risk: what an arm answers at a threshold, and how often what it answers is wrong.

An item is answered when its confidence is at least the threshold (None = the arm abstained
whatever the threshold). Risk = share of answered items that are wrong (for free text: that hold
at least one claim no source supports); coverage = share of all items answered.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Conf = float | None


def answered(conf: Sequence[Conf], threshold: float) -> list[bool]:
    return [c is not None and c >= threshold for c in conf]


def curve(conf: Sequence[Conf], wrong: Sequence[bool]) -> list[tuple[float, float]]:
    """(coverage, risk) at every distinct confidence, highest first (ties answered together);
    items that abstain whatever the threshold (None) are never answered."""
    n = len(conf)
    points = []
    for t in sorted({c for c in conf if c is not None}, reverse=True):
        ans = answered(conf, t)
        k = sum(ans)
        bad = sum(w for a, w in zip(ans, wrong, strict=True) if a)
        points.append((k / n, bad / k))
    return points


def threshold_for(conf: Sequence[Conf], target: float) -> float:
    """The highest threshold that answers at least `target` of the items (label-free: only the
    confidences are used); -inf when even answering every scored item falls short."""
    scored = sorted((c for c in conf if c is not None), reverse=True)
    need = math.ceil(target * len(conf) - 1e-9)
    if need <= 0:
        return math.inf
    if need > len(scored):
        return -math.inf
    return scored[need - 1]


def rate_ci(wrong: Sequence[bool], seed: int = 0, n: int = 2000) -> tuple[float, float, float]:
    """(rate, 95% percentile-bootstrap low, high) of a 0/1 sequence; (0, 0, 0) when empty."""
    from medllm.evaluate.metrics import bootstrap_ci

    if not wrong:
        return 0.0, 0.0, 0.0
    x = [float(w) for w in wrong]
    low, high = bootstrap_ci(x, seed=seed, n=n)
    return float(np.mean(x)), low, high


def _rate(answered: np.ndarray, wrong: np.ndarray) -> float:
    return float(wrong[answered].mean()) if answered.any() else 0.0


def ratio_ci(
    base: tuple[Sequence[bool], Sequence[bool]],
    arm: tuple[Sequence[bool], Sequence[bool]],
    seed: int = 0,
    n: int = 2000,
) -> tuple[float, float, float]:
    """The arm's hallucination rate over the baseline's (each given as (answered, wrong) per item
    of the same items), with a 95% bootstrap interval that resamples items (paired)."""
    ba, bw = (np.asarray(x, bool) for x in base)
    aa, aw = (np.asarray(x, bool) for x in arm)

    def ratio(idx: np.ndarray) -> float:
        b = _rate(ba[idx], bw[idx])
        return _rate(aa[idx], aw[idx]) / b if b > 0 else math.nan

    rng = np.random.default_rng(seed)
    draws = [ratio(rng.integers(0, len(ba), len(ba))) for _ in range(n)]
    good = [d for d in draws if not math.isnan(d)]
    point = ratio(np.arange(len(ba)))
    if not good:
        return point, math.nan, math.nan
    return point, float(np.percentile(good, 2.5)), float(np.percentile(good, 97.5))
