"""Central DP of the aggregate (`central_dp`): Flower's own fixed-clipping wrappers around the
strategy, fed three site replies directly (no simulation): with no noise and a clipping norm no
update reaches, the aggregate is plain FedAvg's exactly; with a small norm each site's update is
clipped to it before averaging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from medllm.federated import FederatedConfig


def _cfg(**dp: Any) -> FederatedConfig:
    return FederatedConfig.model_validate({"central_dp": dp} if dp else {})


def _replies(monkeypatch: pytest.MonkeyPatch, updates: list[np.ndarray]) -> tuple[Any, list[Any]]:
    from flwr.app import ArrayRecord, ConfigRecord, Message, MetricRecord, RecordDict
    from flwr.supercore.task_identity import TaskIdentity

    for key, value in (("_run_id", 1), ("_node_id", 0), ("_task_id", 1)):
        monkeypatch.setattr(TaskIdentity, key, value)
    import torch

    start = ArrayRecord({"w": torch.zeros(4)})  # a torch state_dict, as the real apps send
    out = []
    for i, u in enumerate(updates):
        sent = Message(
            RecordDict({"arrays": start, "config": ConfigRecord({"server-round": 1})}),
            dst_node_id=i + 1,
            message_type="train",
        )
        content = {
            "arrays": ArrayRecord({"w": torch.from_numpy(u)}),
            "metrics": MetricRecord({"num-examples": 1.0}),
        }
        out.append(Message(RecordDict(content), reply_to=sent))
    return start, out


UPDATES = [np.array(v, dtype=np.float32) for v in ([3, 4, 0, 0], [0, 0, 0, 1], [1, 1, 1, 1])]


def _aggregate(cfg: FederatedConfig, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, np.ndarray]:
    from medllm.federated.server import make_strategy

    strategy = make_strategy(cfg, 3, lambda replies: None)
    start, replies = _replies(monkeypatch, UPDATES)
    strategy.current_arrays = start  # what configure_train records before a round
    arrays, _ = strategy.aggregate_train(1, replies)
    return strategy, arrays.to_numpy_ndarrays()[0]


def test_no_noise_and_an_unreached_norm_is_plain_fedavg(monkeypatch: pytest.MonkeyPatch) -> None:
    from flwr.serverapp.strategy import DifferentialPrivacyServerSideFixedClipping, FedAvg

    dp, got = _aggregate(_cfg(noise_multiplier=0.0, clipping_norm=1e9), monkeypatch)
    assert type(dp) is DifferentialPrivacyServerSideFixedClipping
    assert type(dp.strategy) is FedAvg
    plain, want = _aggregate(_cfg(), monkeypatch)
    assert type(plain) is FedAvg
    assert np.array_equal(got, want)
    assert np.allclose(want, np.array([4, 5, 1, 2]) / 3)


def test_server_side_clipping_bounds_each_site_update(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _aggregate(_cfg(noise_multiplier=0.0, clipping_norm=1.0), monkeypatch)
    # site 0's update [3, 4, 0, 0] (norm 5) becomes [0.6, 0.8, 0, 0]; site 1's (norm 1) stays;
    # site 2's [1, 1, 1, 1] (norm 2) becomes [0.5, 0.5, 0.5, 0.5]
    want = (np.array([0.6, 0.8, 0, 0]) + np.array([0, 0, 0, 1]) + np.full(4, 0.5)) / 3
    assert np.allclose(got, want, atol=1e-6)


def test_noise_has_the_gaussian_mechanism_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    # noise std = noise_multiplier x clipping_norm / sites = 1 x 1 / 3 on the averaged update
    _, clean = _aggregate(_cfg(noise_multiplier=0.0, clipping_norm=1.0), monkeypatch)
    draws = np.stack(
        [
            _aggregate(_cfg(noise_multiplier=1.0, clipping_norm=1.0), monkeypatch)[1]
            for _ in range(200)
        ]
    )
    assert abs(float((draws - clean).std()) - 1 / 3) < 0.03  # 800 draws: 3 s.e. of the std


def test_client_side_clipping_uses_flowers_wrapper_and_mod(monkeypatch: pytest.MonkeyPatch) -> None:
    from flwr.serverapp.strategy import DifferentialPrivacyClientSideFixedClipping

    from medllm.federated.client import client_app
    from medllm.federated.server import make_strategy

    cfg = _cfg(clipping="client", noise_multiplier=0.5, clipping_norm=2.0)
    strategy = make_strategy(cfg, 3, lambda replies: None)
    assert type(strategy) is DifferentialPrivacyClientSideFixedClipping
    assert (strategy.noise_multiplier, strategy.clipping_norm) == (0.5, 2.0)
    app = client_app(cfg, [])
    assert [m.__name__ for m in app._mods] == ["fixedclipping_mod"]


@pytest.mark.slow
@pytest.mark.parametrize("clipping", ["server", "client"])
def test_no_noise_and_a_huge_clip_reproduce_fedavg_in_a_simulation(
    tiny_dir: Path, tmp_path: Path, clipping: str
) -> None:
    """~60 s: one round of 3 real sites with central DP at noise 0 and clipping norm 1e9 (server
    side: Flower's wrapper clips; client side: each site's fixedclipping_mod) gives the global
    adapter plain FedAvg gives, bit for bit."""
    import torch

    from medllm.federated.globalmodel import load_round
    from medllm.federated.simulate import simulate

    dp = {"clipping": clipping, "noise_multiplier": 0.0, "clipping_norm": 1e9}
    private, plain = (
        _sim_cfg(tiny_dir, tmp_path, "dp", central_dp=dp),
        _sim_cfg(tiny_dir, tmp_path, "plain"),
    )
    simulate(private)
    simulate(plain)
    a, b = load_round(private.output_dir, 1), load_round(plain.output_dir, 1)
    assert set(a) == set(b)
    assert [k for k in a if not torch.equal(a[k], b[k])] == []


def _sim_cfg(tiny_dir: Path, tmp_path: Path, name: str, **over: Any) -> FederatedConfig:
    import json

    rows = [
        {"instruction": f"What does code Z0{i}.{i} cover?", "output": f"Exam {i}."}
        for i in range(15)
    ]
    train, held = tmp_path / "train.jsonl", tmp_path / "heldout.jsonl"
    train.write_text("\n".join(json.dumps(r) for r in rows[:12]))
    held.write_text("\n".join(json.dumps(r) for r in rows[12:]))
    optim = {"max_steps": 2, "batch_size": 2, "max_length": 64, "learning_rate": 1e-2}
    data = {
        "output_dir": str(tmp_path / name),
        "rounds": 1,
        "eval_files": [str(held)],
        "sft": {
            "model": str(tiny_dir),
            "data": {"files": [str(train)]},
            "optim": {**optim, "save_steps": 100, "tensorboard": False},
        },
        **over,
    }
    return FederatedConfig.model_validate(data)
