"""ε of central DP equals Opacus' RDP accountant called directly (same q, rounds, noise)."""

from __future__ import annotations

import math

from medllm.federated.central_dp import central_epsilon, effective_noise


def test_epsilon_equals_opacus_accountant() -> None:
    from opacus.accountants import RDPAccountant

    direct = RDPAccountant()
    direct.history = [(1.0, 1.0, 3)]
    want = direct.get_epsilon(delta=1 / 3)
    assert abs(central_epsilon([1.0, 1.0, 1.0], 1.0, 1 / 3) - want) < 1e-6
    assert abs(want - 2.4668518460255644) < 1e-6


def test_unequal_weights_lower_the_effective_noise() -> None:
    assert effective_noise(1.0, [4, 4, 4], 3) == 1.0
    assert effective_noise(1.0, [2, 4, 6], 3) == 12 / 18
    assert math.isinf(central_epsilon([0.0], 1.0, 0.5))


def test_round_line_states_the_budget() -> None:
    from medllm.federated.cli import dp_text

    assert dp_text(None) == ""
    assert dp_text({"epsilon": 2.4668518460255644, "delta": 1 / 3}) == (
        ", central DP ε = 2.467 at δ = 0.333 (a site's whole dataset)"
    )
    assert dp_text({"epsilon": None, "delta": 0.25}) == (
        ", central DP ε = ∞ (no noise) at δ = 0.25 (a site's whole dataset)"
    )
