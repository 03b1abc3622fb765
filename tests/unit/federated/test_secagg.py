"""SecAgg+ (`secagg`): Flower's `secaggplus_mod` at the sites and `SecAggPlusWorkflow` on the
server, in Flower's simulation engine on a ~3M-parameter random Llama. The aggregate equals
plain FedAvg's of the same site updates within SecAgg+'s quantisation error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.unit.federated.fed_util import OPTIM

from medllm.core import ConfigError, load_config


def _cfg(tiny_dir: Path, tmp_path: Path, name: str, **over: Any) -> Any:
    from medllm.federated import FederatedConfig

    rows = [
        {"instruction": f"What does code Z0{i}.{i} cover?", "output": f"Exam {i}."}
        for i in range(15)
    ]
    train, held = tmp_path / "train.jsonl", tmp_path / "heldout.jsonl"
    train.write_text("\n".join(json.dumps(r) for r in rows[:12]))
    held.write_text("\n".join(json.dumps(r) for r in rows[12:]))
    data = {
        "output_dir": str(tmp_path / name),
        "rounds": 1,
        "eval_files": [str(held)],
        "sft": {"model": str(tiny_dir), "data": {"files": [str(train)]}, "optim": OPTIM},
        **over,
    }
    return FederatedConfig.model_validate(data)


def test_error_bound_is_one_level_per_site_over_the_weights() -> None:
    from medllm.federated.config import SecAggSection
    from medllm.federated.secagg import error_bound

    sec = SecAggSection(clipping_range=8.0, quantization_range=2**22, max_weight=4.0)
    # 3 sites x 2 x 8 / 2**22 / (4/4 + 4/4 + 4/4) = 16 / 2**22
    assert error_bound(sec, [4, 4, 4]) == 16 / 2**22


def test_secagg_refuses_what_is_not_built(tmp_path: Path) -> None:
    from medllm.federated import FederatedConfig

    path = tmp_path / "f.yaml"
    path.write_text("kind: federated\nstrategy: fedadam\nsecagg: {}\n")
    with pytest.raises(ConfigError, match="secagg with strategy fedadam is not built"):
        load_config(path, FederatedConfig)
    path.write_text("kind: federated\nsecagg: {}\ncentral_dp: {}\n")
    with pytest.raises(ConfigError, match="secagg with central_dp is not built"):
        load_config(path, FederatedConfig)
    path.write_text("kind: federated\nsecagg: {num_shares: 2, reconstruction_threshold: 3}\n")
    with pytest.raises(
        ConfigError, match=r"reconstruction_threshold must be <= secagg\.num_shares"
    ):
        load_config(path, FederatedConfig)


@pytest.mark.slow
def test_secagg_aggregate_is_fedavg_within_the_quantisation_error(
    tiny_dir: Path, tmp_path: Path
) -> None:
    """~70 s: one round, 3 sites of 4 rows, with SecAgg+ and without; every site trains the
    same steps from the same adapter, so the two global adapters differ only by SecAgg+'s
    quantisation, at most 3 x 2 x 8 / 2**22 / (3 x 4 / 4) = 3.8e-6 per value."""
    import torch

    from medllm.federated.globalmodel import load_round
    from medllm.federated.secagg import error_bound
    from medllm.federated.simulate import simulate

    sec = {"num_shares": 3, "reconstruction_threshold": 2, "max_weight": 4.0}
    secure = _cfg(tiny_dir, tmp_path, "secagg", secagg=sec)
    plain = _cfg(tiny_dir, tmp_path, "plain")
    h_sec, h_plain = simulate(secure), simulate(plain)
    assert [[c["site"] for c in h["rounds"][0]["clients"]] for h in (h_sec, h_plain)] == [
        [0, 1, 2],
        [0, 1, 2],
    ]
    assert [c["num_examples"] for c in h_sec["rounds"][0]["clients"]] == [4.0, 4.0, 4.0]
    a, b = load_round(secure.output_dir, 1), load_round(plain.output_dir, 1)
    assert set(a) == set(b)
    bound = error_bound(secure.secagg, [4, 4, 4])
    assert bound == pytest.approx(3.814697265625e-06)
    worst = max(float((a[k].double() - b[k].double()).abs().max()) for k in a)
    assert 0 < worst <= bound  # quantised (not bit-equal), and within the bound
    start = _fresh(plain)
    assert any(not torch.equal(start[k], b[k]) for k in b)  # the round trained


def _fresh(cfg: Any) -> dict[str, Any]:
    from medllm.federated.globalmodel import GlobalModel

    return GlobalModel(cfg).state()
