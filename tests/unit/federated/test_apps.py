"""Flower apps on a ~3M-parameter random Llama: what crosses the wire, a 3-site simulation,
resume, strategies and config errors. Real Flower (ClientApp, strategies, simulation engine)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.unit.federated.fed_util import OPTIM

from medllm.core import ConfigError, MedllmError, load_config


def _rows(n: int) -> list[dict[str, str]]:
    return [
        {"instruction": f"What does code Z0{i}.{i} cover?", "output": f"Exam {i}."}
        for i in range(n)
    ]


def _cfg(tiny_dir: Path, tmp_path: Path, **over: Any) -> Any:
    from medllm.federated import FederatedConfig

    train, held = tmp_path / "train.jsonl", tmp_path / "heldout.jsonl"
    train.write_text("\n".join(json.dumps(r) for r in _rows(12)))
    held.write_text("\n".join(json.dumps(r) for r in _rows(15)[12:]))
    data = {
        "output_dir": str(tmp_path / "run"),
        "rounds": 2,
        "eval_files": [str(held)],
        "sft": {"model": str(tiny_dir), "data": {"files": [str(train)]}, "optim": OPTIM},
        **over,
    }
    return FederatedConfig.model_validate(data)


def _fresh_adapter(cfg: Any) -> dict[str, Any]:
    from medllm.federated.globalmodel import GlobalModel

    return GlobalModel(cfg).state()


def test_only_adapter_tensors_cross_the_wire(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    from flwr.app import ArrayRecord, ConfigRecord, Context, Message, RecordDict
    from flwr.supercore.task_identity import TaskIdentity

    from medllm.federated.client import client_app, payload_bytes
    from medllm.federated.simulate import prepare_sites

    cfg = _cfg(tiny_dir, tmp_path)
    folders, _ = prepare_sites(cfg)
    sent = _fresh_adapter(cfg)
    for key, value in (("_run_id", 1), ("_node_id", 0), ("_task_id", 1)):  # as the ServerApp's
        monkeypatch.setattr(TaskIdentity, key, value)  # runtime sets them before it sends
    msg = Message(
        RecordDict({"arrays": ArrayRecord(sent), "config": ConfigRecord({"server-round": 1})}),
        dst_node_id=1,
        message_type="train",
    )
    ctx = Context(
        run_id=1, node_id=1, node_config={"partition-id": 1}, state=RecordDict(), run_config={}
    )
    reply = client_app(cfg, folders)(msg, ctx).content
    assert list(reply.array_records) == ["arrays"] and list(reply.metric_records) == ["metrics"]
    back = reply["arrays"].to_torch_state_dict()
    # exactly the LoRA tensors of the recipe's adapter: same names, same shapes, nothing else
    assert {k: tuple(v.shape) for k, v in back.items()} == {
        k: tuple(v.shape) for k, v in sent.items()
    }
    assert len(back) == 2 * 7 * 2  # lora_A + lora_B x 7 target modules x 2 layers
    assert all(".lora_A." in k or ".lora_B." in k for k in back)
    assert any(not torch.equal(back[k], sent[k]) for k in back)  # it trained
    metrics = reply["metrics"]
    assert metrics["site"] == 1 and metrics["num-examples"] == 4 and metrics["steps"] == 2
    assert metrics["bytes_sent"] == payload_bytes(reply["arrays"])


def test_dp_site_reports_its_whole_federation_epsilon(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 2 of 2 at a site with privacy.dp: the noise is set for 2 rounds x 2 local steps,
    and the reply's epsilon is Opacus' RDP accountant after all 4 steps."""
    from flwr.app import ArrayRecord, ConfigRecord, Context, Message, RecordDict
    from flwr.supercore.task_identity import TaskIdentity
    from opacus.accountants import RDPAccountant
    from opacus.accountants.utils import get_noise_multiplier

    from medllm.federated.client import client_app
    from medllm.federated.simulate import prepare_sites

    cfg = _cfg(tiny_dir, tmp_path)
    sft = cfg.sft.model_dump()
    sft["optim"]["packing"] = False
    sft["privacy"] = {"dp": {"epsilon": 8.0, "delta": 1e-3}}
    cfg = cfg.model_copy(update={"sft": type(cfg.sft).model_validate(sft)})
    folders, _ = prepare_sites(cfg)
    for key, value in (("_run_id", 1), ("_node_id", 0), ("_task_id", 1)):
        monkeypatch.setattr(TaskIdentity, key, value)
    content = {
        "arrays": ArrayRecord(_fresh_adapter(cfg)),
        "config": ConfigRecord({"server-round": 2}),
    }
    msg = Message(RecordDict(content), dst_node_id=1, message_type="train")
    ctx = Context(
        run_id=1, node_id=1, node_config={"partition-id": 0}, state=RecordDict(), run_config={}
    )
    metrics = client_app(cfg, folders)(msg, ctx).content["metrics"]
    q = 2 / 4  # site 0 holds 4 of the 12 rows; batch 2
    sigma = get_noise_multiplier(target_epsilon=8.0, target_delta=1e-3, sample_rate=q, steps=4)
    assert metrics["dp_noise_multiplier"] == sigma
    direct = RDPAccountant()
    direct.history = [(sigma, q, 4)]
    assert abs(metrics["epsilon"] - direct.get_epsilon(delta=1e-3)) <= 1e-6


def test_strategies_are_flowers_own(tiny_dir: Path, tmp_path: Path) -> None:
    from flwr.serverapp.strategy import FedAdam, FedAvg, FedProx, FedYogi

    from medllm.federated.server import make_strategy

    got = {}
    for name in ("fedavg", "fedprox", "fedadam", "fedyogi"):
        s = make_strategy(_cfg(tiny_dir, tmp_path, strategy=name, proximal_mu=0.5), 3, print)
        got[name] = type(s)
        assert s.min_train_nodes == 3 and s.fraction_evaluate == 0.0
    assert got == {"fedavg": FedAvg, "fedprox": FedProx, "fedadam": FedAdam, "fedyogi": FedYogi}
    assert (
        make_strategy(
            _cfg(tiny_dir, tmp_path, strategy="fedprox", proximal_mu=0.5), 3, print
        ).proximal_mu
        == 0.5
    )


def test_bad_configs_name_the_field(tmp_path: Path) -> None:
    from medllm.federated import FederatedConfig

    path = tmp_path / "f.yaml"
    path.write_text("kind: federated\nsft:\n  mode: full\n")
    with pytest.raises(ConfigError, match=r'field "sft": .*set sft\.mode: lora'):
        load_config(path, FederatedConfig)
    path.write_text("kind: federated\nstrategy: fedsgd\n")
    with pytest.raises(ConfigError, match=r'field "strategy": Input should be .fedavg.'):
        load_config(path, FederatedConfig)
    path.write_text(
        "kind: federated\nstrategy: fedprox\nsft:\n  optim: {packing: false}\n"
        "  privacy: {dp: {epsilon: 4}}\n"
    )
    with pytest.raises(ConfigError, match="dp with strategy fedprox is not built"):
        load_config(path, FederatedConfig)
    path.write_text("kind: federated\npartition:\n  sites: 0\n")
    with pytest.raises(ConfigError, match=r'field "partition\.sites"'):
        load_config(path, FederatedConfig)


def test_resume_and_overwrite_are_refused_clearly(tiny_dir: Path, tmp_path: Path) -> None:
    from medllm.federated.server import start_round

    cfg = _cfg(tiny_dir, tmp_path)
    with pytest.raises(MedllmError, match="no complete round"):
        start_round(cfg, resume=True)
    done = Path(cfg.output_dir) / "rounds" / "round-1"
    done.mkdir(parents=True)
    (done / "round.json").write_text("{}")
    (Path(cfg.output_dir) / "rounds" / "round-2").mkdir()  # no round.json: incomplete
    assert start_round(cfg, resume=True) == 1
    with pytest.raises(MedllmError, match="already holds 1 round"):
        start_round(cfg, resume=False)


@pytest.mark.slow
def test_three_sites_two_rounds_then_resume(tiny_dir: Path, tmp_path: Path) -> None:
    """~60 s: a 2-round FedAvg simulation with 3 sites changes the global adapter; resuming with
    rounds=3 runs round 3 only, starting from round 2's checkpoint."""
    import torch

    from medllm.federated.globalmodel import load_round
    from medllm.federated.simulate import simulate

    cfg = _cfg(tiny_dir, tmp_path)
    seen: list[int] = []
    history = simulate(cfg, progress=lambda r: seen.append(r["round"]))
    assert seen == [1, 2]
    start, r1, r2 = (
        _fresh_adapter(cfg),
        load_round(cfg.output_dir, 1),
        load_round(cfg.output_dir, 2),
    )
    assert set(r2) == set(start)
    assert any(not torch.equal(start[k], r1[k]) for k in start)
    assert any(not torch.equal(r1[k], r2[k]) for k in start)
    rounds = history["rounds"]
    assert [[c["site"] for c in r["clients"]] for r in rounds] == [[0, 1, 2], [0, 1, 2]]
    adapter = sum(v.numel() * v.element_size() for v in start.values())
    assert all(adapter < b < adapter + 4096 for r in rounds for b in r["bytes_per_client"])
    assert rounds[0]["bytes_fraction"] == rounds[0]["bytes_per_client"][0] / history["model_bytes"]

    resumed = simulate(cfg.model_copy(update={"rounds": 3}), resume=True)
    assert [r["round"] for r in resumed["rounds"]] == [1, 2, 3]
    # the resumed server scored the adapter it loaded before training: round 2's, exactly
    assert resumed["start_eval_loss"]["2"] == rounds[1]["eval_loss"]
    assert any(not torch.equal(r2[k], load_round(cfg.output_dir, 3)[k]) for k in r2)


def test_fedprox_adds_the_proximal_gradient() -> None:
    """FedProx's site term mu/2 * ||w - w_global||^2: its gradient mu * (w - w_global) is added."""
    import torch

    from medllm.federated.client import _proximal_hooks

    layer = torch.nn.Linear(3, 2, bias=False)
    start = layer.weight.detach().clone()
    _proximal_hooks(layer, mu=0.5)
    with torch.no_grad():
        layer.weight += 1.0  # moved away from the global weights by 1 everywhere
    x = torch.ones(1, 3)
    layer(x).sum().backward()
    assert layer.weight.grad is not None
    assert torch.equal(layer.weight.grad, torch.ones(2, 3) + 0.5 * (layer.weight.detach() - start))


@pytest.mark.slow
def test_dp_federation_accounts_every_round(tiny_dir: Path, tmp_path: Path) -> None:
    """~60 s: 3 DP sites, 2 rounds of 2 steps in the simulation engine; each site's epsilon after
    round r is Opacus' RDP accountant after r x 2 steps at the noise chosen for 4."""
    from opacus.accountants import RDPAccountant
    from opacus.accountants.utils import get_noise_multiplier

    from medllm.federated.simulate import simulate

    cfg = _cfg(tiny_dir, tmp_path)
    sft = cfg.sft.model_dump()
    sft["optim"]["packing"] = False
    sft["privacy"] = {"dp": {"epsilon": 8.0, "delta": 1e-3}}
    cfg = cfg.model_copy(update={"sft": type(cfg.sft).model_validate(sft)})
    history = simulate(cfg)
    q = 2 / 4  # every site holds 4 of the 12 rows; batch 2
    sigma = get_noise_multiplier(target_epsilon=8.0, target_delta=1e-3, sample_rate=q, steps=4)
    for record in history["rounds"]:
        direct = RDPAccountant()
        direct.history = [(sigma, q, 2 * record["round"])]
        want = direct.get_epsilon(delta=1e-3)
        assert [c["dp_noise_multiplier"] for c in record["clients"]] == [sigma] * 3
        assert all(abs(c["epsilon"] - want) <= 1e-6 for c in record["clients"])
    assert history["rounds"][-1]["clients"][0]["epsilon"] <= 8.0
    with pytest.raises(MedllmError, match="rounds is 3, the run began with 2"):
        simulate(cfg.model_copy(update={"rounds": 3}), resume=True)
