"""ε of central DP (`central_dp`): Flower's fixed-clipping wrappers add Gaussian noise of std
noise_multiplier x clipping_norm / sites to the (row-weighted) average of clipped site updates.
One site's share of that average is at most max(w) x clipping_norm / sum(w), so the noise
multiplier relative to one site's sensitivity is z x sum(w) / (sites x max(w)) (= z with equal
weights). Each round is one Gaussian mechanism at sampling rate q (every online site trains every
round: q = 1, no amplification); Opacus' RDP accountant composes the rounds. User-level: the
bound covers a site's whole dataset, not what each site's own adapter reveals to the server.

With a target `central_dp.epsilon` the effective multiplier is Opacus' `get_noise_multiplier` for
ε at δ after `rounds` steps at q = 1, and the configured one is that x sites x max(w) / sum(w)
(the inverse of `effective_noise`'s factor), for the rows per site planned before round 1."""

from __future__ import annotations

import math
from collections.abc import Sequence

from medllm.core import MedllmError

# A solved multiplier above this is refused: the noise std on the average, 100 x clipping_norm /
# sites per value, is then over 100 times any site's clipped share, so the aggregate is noise.
MAX_NOISE_MULTIPLIER = 100.0


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


def solve_noise(
    epsilon: float, delta: float, rounds: int, weights: Sequence[float], sites: int
) -> float:
    """The configured noise multiplier whose effective multiplier meets ε at δ after `rounds`
    rounds (Opacus' get_noise_multiplier, RDP, q = 1), or a MedllmError with the fix."""
    from opacus.accountants.utils import get_noise_multiplier

    try:
        z = get_noise_multiplier(
            target_epsilon=epsilon,
            target_delta=delta,
            sample_rate=1.0,
            steps=rounds,
            accountant="rdp",
        )
    except ValueError:  # Opacus: "The privacy budget is too low." (noise past its search limit)
        z = math.inf
    noise = z * sites * max(weights) / sum(weights)
    if noise > MAX_NOISE_MULTIPLIER:
        raise MedllmError(
            f"central_dp.epsilon {epsilon} at delta {delta:.3g} cannot be met over {rounds} "
            f"rounds with {sites} sites (it needs a noise multiplier over "
            f"{MAX_NOISE_MULTIPLIER:g}: the aggregate would be noise)",
            fix="raise central_dp.epsilon (or central_dp.delta), or lower rounds",
        )
    return float(noise)
