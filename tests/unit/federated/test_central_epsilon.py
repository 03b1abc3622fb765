"""ε of central DP equals Opacus' RDP accountant called directly (same q, rounds, noise); a
target central_dp.epsilon is met by the solved multiplier, and refused when it cannot be."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from medllm.core import MedllmError
from medllm.federated import FederatedConfig
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


def _cfg(rounds: int = 3, **dp: Any) -> FederatedConfig:
    return FederatedConfig.model_validate({"rounds": rounds, "central_dp": dp})


def test_solved_multiplier_meets_the_target_epsilon_over_the_rounds() -> None:
    from opacus.accountants.utils import get_noise_multiplier

    from medllm.federated.server import central_noise

    weights = [2.0, 4.0, 6.0]  # rows per site: the effective multiplier is z x 12 / 18
    z = central_noise(_cfg(epsilon=2.0, delta=1e-3), 3, weights)
    solved = get_noise_multiplier(
        target_epsilon=2.0, target_delta=1e-3, sample_rate=1.0, steps=3, accountant="rdp"
    )
    assert z == solved * 18 / 12
    eps = central_epsilon([effective_noise(z, weights, 3)] * 3, 1.0, 1e-3)
    assert abs(eps - 2.0) < 0.01
    # unset weights: equal shares; unset delta: 1 / sites
    z_equal = central_noise(_cfg(epsilon=2.0), 4)
    assert abs(central_epsilon([z_equal] * 3, 1.0, 1 / 4) - 2.0) < 0.01


def test_noise_multiplier_unset_is_one_and_given_is_kept() -> None:
    from medllm.federated.server import central_noise

    assert central_noise(_cfg(), 3) == 1.0
    assert central_noise(_cfg(noise_multiplier=0.7), 3, [1.0, 2.0, 3.0]) == 0.7


def test_epsilon_and_noise_multiplier_together_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        _cfg(epsilon=2.0, noise_multiplier=1.0)
    assert (
        "central_dp.epsilon and central_dp.noise_multiplier are both set: set one "
        "(epsilon solves the noise multiplier for the rounds)"
    ) in str(err.value)
    with pytest.raises(ValidationError, match="delta"):
        _cfg(epsilon=2.0, delta=1.0)


def test_an_unmeetable_target_names_the_field_rounds_sites_and_fix() -> None:
    from medllm.federated.server import central_noise

    with pytest.raises(MedllmError) as err:  # Opacus' search gives up ("budget is too low")
        central_noise(_cfg(rounds=10, epsilon=0.05, delta=1e-5), 3)
    assert str(err.value) == (
        "central_dp.epsilon 0.05 at delta 1e-05 cannot be met over 10 rounds with 3 sites (it "
        "needs a noise multiplier over 100: the aggregate would be noise) (fix: raise "
        "central_dp.epsilon (or central_dp.delta), or lower rounds)"
    )
    # Opacus meets it with an effective multiplier of about 40.6, but one site holding 10 of
    # 12 rows scales it by 3 x 10 / 12 = 2.5, past the bound
    central_noise(_cfg(rounds=100, epsilon=1.0, delta=1e-5), 3, [4.0, 4.0, 4.0])
    with pytest.raises(MedllmError, match=r"cannot be met over 100 rounds with 3 sites"):
        central_noise(_cfg(rounds=100, epsilon=1.0, delta=1e-5), 3, [1.0, 1.0, 10.0])


def test_delta_override_reaches_the_round_record() -> None:
    from medllm.federated.server import central_account

    clients = [{"site": i, "num_examples": 4.0} for i in range(3)]
    cfg = _cfg(epsilon=2.0, delta=1e-3)
    first = central_account(cfg, 3, 1.5, [], clients)
    second = central_account(cfg, 3, 1.5, [{"central_dp": first}], clients)
    assert first["delta"] == second["delta"] == 1e-3
    assert first["target_epsilon"] == 2.0 and first["noise_multiplier"] == 1.5
    assert second["epsilon"] == central_epsilon([1.5, 1.5], 1.0, 1e-3)
    assert central_account(_cfg(), 3, 1.0, [], clients)["delta"] == 1 / 3


def test_round_line_states_the_solved_multiplier() -> None:
    from medllm.federated.cli import dp_text

    block = {"epsilon": 1.9912, "delta": 1e-3, "target_epsilon": 2.0, "noise_multiplier": 1.23456}
    assert dp_text(block) == (
        ", central DP ε = 1.991 at δ = 0.001 (a site's whole dataset), "
        "noise multiplier 1.235 (solved for target ε = 2)"
    )


def test_resume_with_a_target_epsilon_keeps_the_rounds(tmp_path: Path) -> None:
    from medllm.federated.simulate import check_dp_resume

    (tmp_path / "sites.json").write_text('{"rounds": 3}', encoding="utf-8")
    cfg = FederatedConfig.model_validate(
        {"rounds": 4, "output_dir": str(tmp_path), "central_dp": {"epsilon": 2.0}}
    )
    with pytest.raises(
        MedllmError, match=r"--resume with central_dp\.epsilon: rounds is 4, the run began with 3"
    ):
        check_dp_resume(cfg, 1)
    check_dp_resume(cfg.model_copy(update={"rounds": 3}), 1)
