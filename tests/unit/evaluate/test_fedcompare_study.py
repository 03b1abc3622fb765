"""The S8 federated-vs-centralized study's plumbing on a ~3M-parameter random Llama: the
centralized and local-only arms trained on ICD-10-CM rows and scored on the 3 MedQA-format
fixture items, the adapter and
model sizes the bytes fraction is made of, a rerun that trains nothing, other settings refused,
unknown arms named; (slow: Flower's simulation engine takes ~25 s to start) one FedAvg and one
FedProx federation scored after every round, with the bytes each client sent."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from medllm.core import MedllmError, load_config
from medllm.evaluate.fedcompare import ARMS, FederatedComparisonConfig, run_fedcompare

ROOT = Path(__file__).resolve().parents[3]
NAMES = ["centralized", "fedavg_iid", "fedprox_iid", "fedavg_noniid", "fedprox_noniid"]
NAMES.append("local_noniid")


TASK = """kind: task
name: medqa_fixture
version: 1
description: the 3 MedQA-format fixture items (loading icd10cm_concepts costs ~3 s per model)
loader: medqa
path: {path}
options: {{n_options: 4}}
prompt: "{{question}}\n{{choices}}\nAnswer:"
mode: loglik
"""


def _cfg(tiny_dir: Path, tmp_path: Path, **over: Any) -> FederatedComparisonConfig:
    task = tmp_path / "medqa_fixture.yaml"
    task.write_text(
        TASK.format(path=ROOT / "tests" / "fixtures" / "evaluate" / "medqa_4options.jsonl")
    )
    return FederatedComparisonConfig.model_validate(
        {
            "model": str(tiny_dir),
            "task": str(task),
            "arms": ["centralized", "local_noniid"],
            "rows": 24,
            "sites": 2,
            "alpha": 1.0,
            "rounds": 2,
            "local_steps": 1,
            "batch_size": 2,
            "max_length": 64,
            "lora_r": 2,
            "n_items": 3,
            "heldout_rows": 2,
            "output_dir": str(tmp_path / "runs"),
            "results_file": str(tmp_path / "results" / "s8.json"),
            **over,
        }
    )


def _sizes(tiny_dir: Path) -> tuple[int, int]:
    """(model bytes, LoRA r=2 q/v adapter bytes) of the tiny model, counted here on their own."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    whole = sum(p.numel() * p.element_size() for p in model.parameters())
    lora = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))
    adapter = sum(p.numel() * 4 for n, p in lora.named_parameters() if "lora_" in n)
    return whole, adapter


@pytest.fixture(scope="module")
def study(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("s8")
    cfg = _cfg(tiny_dir, tmp)
    report = run_fedcompare(cfg)
    return {"cfg": cfg, "tmp": tmp, "report": report, "out": report.parent}


def test_shipped_config_has_the_six_arms() -> None:
    cfg = load_config(ROOT / "configs" / "studies" / "s8_federated.yaml", FederatedComparisonConfig)
    assert cfg.arms == NAMES == list(ARMS)
    assert (cfg.sites, cfg.rounds, cfg.local_steps, cfg.total_steps()) == (4, 2, 2, 16)
    assert (cfg.task, cfg.n_items, cfg.mode) == ("icd10cm_concepts", 24, "loglik_options")
    assert cfg.results_file == "benchmarks/results/s8_federated.json"


def test_central_and_local_arms_and_sizes(study: dict[str, Any], tiny_dir: Path) -> None:
    results = json.loads(Path(study["cfg"].results_file).read_text())
    assert [a["name"] for a in results["arms"]] == ["base", "centralized", "local_noniid"]
    central, local = results["arms"][1], results["arms"][2]
    assert central["steps"] == 2 * 2 * 1  # sites x rounds x local steps
    assert local["steps_per_site"] == 2 and len(local["acc_per_site"]) == 2
    assert results["best_local_acc"] == max(local["acc_per_site"])
    assert results["centralized_acc"] == central["acc"]
    model_bytes, adapter_bytes = _sizes(tiny_dir)
    assert (results["model_bytes"], results["adapter_bytes"]) == (model_bytes, adapter_bytes)
    assert results["adapter_fraction"] == adapter_bytes / model_bytes
    assert results["bytes_per_round_fraction"] is None  # no federation measured
    assert results["fedavg_noniid_acc"] is None
    assert (study["out"] / "accuracy_per_round.png").is_file()
    assert Path(study["cfg"].results_file).with_suffix(".png").is_file()


def test_arms_train_on_the_same_rows(study: dict[str, Any]) -> None:
    out = study["out"]
    site_rows = [
        len((p / "train.jsonl").read_text().splitlines())
        for p in sorted((out / "sites_noniid" / "sites_data").iterdir())
    ]
    iid_rows = [
        len((p / "train.jsonl").read_text().splitlines())
        for p in sorted((out / "sites_iid" / "sites_data").iterdir())
    ]
    assert sum(site_rows) == sum(iid_rows) and len(site_rows) == 2


def test_rerun_trains_nothing_and_other_settings_are_refused(study: dict[str, Any]) -> None:
    before = (study["out"] / "arms.jsonl").read_text()
    run_fedcompare(study["cfg"])
    assert (study["out"] / "arms.jsonl").read_text() == before
    with pytest.raises(MedllmError, match="rounds differ"):
        run_fedcompare(study["cfg"].model_copy(update={"rounds": 3}))
    with pytest.raises(MedllmError, match="no arm named fedsgd"):
        run_fedcompare(study["cfg"], only=["fedsgd"])


def test_rows_and_adapters_are_owner_only(study: dict[str, Any]) -> None:
    for path in [study["out"] / "sites_noniid", study["out"] / "centralized"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_bad_config_names_the_field() -> None:
    with pytest.raises(ValueError, match="unknown arm fedsgd"):
        FederatedComparisonConfig.model_validate({"arms": ["fedsgd"]})
    with pytest.raises(ValueError, match="sites"):
        FederatedComparisonConfig.model_validate({"sites": 1})


@pytest.mark.slow
def test_federations_are_scored_every_round(tiny_dir: Path, tmp_path: Path) -> None:
    cfg = _cfg(tiny_dir, tmp_path, arms=["fedavg_noniid", "fedprox_iid"])
    run_fedcompare(cfg)
    results = json.loads(Path(cfg.results_file).read_text())
    assert [a["name"] for a in results["arms"]] == ["base", "fedavg_noniid", "fedprox_iid"]
    model_bytes, adapter_bytes = _sizes(tiny_dir)
    for arm in results["arms"][1:]:
        assert len(arm["acc_per_round"]) == len(arm["seconds_per_round"]) == cfg.rounds
        assert arm["acc"] == arm["acc_per_round"][-1]
        # each reply is the adapter's 8 tensors (the tiny model's 2 layers x q, v x A, B),
        # each serialised by Flower as a .npy (a 128-byte header before the raw values)
        sent = arm["bytes_per_client_per_round"]
        assert len(sent) == cfg.rounds and all(len(r) == cfg.sites for r in sent)
        assert {b for r in sent for b in r} == {adapter_bytes + 128 * 8}
    assert results["bytes_per_round_fraction"] == (adapter_bytes + 128 * 8) / model_bytes
    assert results["fedavg_noniid_acc"] == results["arms"][1]["acc"]
