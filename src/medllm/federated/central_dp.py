"""ε of central DP (`central_dp`): Flower's fixed-clipping wrappers add Gaussian noise of std
noise_multiplier x clipping_norm / sites to the (row-weighted) average of clipped site updates.
One site's share of that average is at most max(w) x clipping_norm / sum(w), so the noise
multiplier relative to one site's sensitivity is z x sum(w) / (sites x max(w)) (= z with equal
weights). Each round is one Gaussian mechanism at sampling rate q (every online site trains every
round: q = 1, no amplification); Opacus' RDP accountant composes the rounds. User-level: the
bound covers a site's whole dataset, not what each site's own adapter reveals to the server."""

from __future__ import annotations

import math
from collections.abc import Sequence


def effective_noise(noise_multiplier: float, weights: Sequence[float], sites: int) -> float:
    """Noise std over one site's largest possible share of the weighted average."""
    return noise_multiplier * sum(weights) / (sites * max(weights))


def central_epsilon(noises: Sequence[float], sample_rate: float, delta: float) -> float:
    """ε at δ after one round per entry of `noises` (each round's effective multiplier), by
    Opacus' RDP accountant; inf when any round had no noise."""
    from opacus.accountants import RDPAccountant

    if not noises or min(noises) <= 0:
        return math.inf
    accountant = RDPAccountant()
    for z in noises:
        accountant.step(noise_multiplier=z, sample_rate=sample_rate)
    return float(accountant.get_epsilon(delta=delta))
