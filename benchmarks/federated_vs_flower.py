"""medllm's federation vs a plain Flower script of the same FedAvg LoRA setup, written the way
Flower's own LLM example (FlowerTune, examples/flowertune-llm) writes it: a ClientApp that
builds the peft model, loads the global adapter with `set_peft_model_state_dict`, trains it
with TRL's `SFTTrainer` and replies `ArrayRecord(get_peft_model_state_dict(model))`; a
ServerApp running Flower's `FedAvg` whose `evaluate_fn` saves the global adapter each round.

Same everything else: model, LoRA shape, hyper-parameters, seed, the very site files (ours
writes them; the peer reads them), rounds, Flower's simulation engine with 1 CPU per virtual
SuperNode. Each side runs in its own process, one after the other, in one invocation:

    .venv/bin/python benchmarks/federated_vs_flower.py [--config configs/federated/tiny.yaml]

Writes benchmarks/results/federated_vs_flower.json: round_time_ratio (ours / plain, mean
seconds per round), bytes per round (site -> server, the sum of the sites' adapter payloads),
and the `federated_vs_flower` line of benchmarks/README.md. What ours does per round that the
peer does not: scores the global adapter on the held-out rows (eval_loss). Both pack rows (TRL's
`packing`, the recipe's default), so both train on the same tokens per step.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import cores, load_avg, load_note, versions, write_result

ROOT = Path(__file__).parents[1]
CONFIG = ROOT / "configs" / "federated" / "tiny.yaml"


def load(config: Path, out: Path, sets: list[str]) -> Any:
    from medllm.core import load_config
    from medllm.federated import FederatedConfig

    return load_config(config, FederatedConfig, [*sets, f"output_dir={out}"])


def run_ours(config: Path, out: Path, sets: list[str]) -> dict[str, Any]:
    """`medllm federated simulate CONFIG --set output_dir=...` as its own process."""
    cmd = [sys.executable, "-m", "medllm", "federated", "simulate", str(config)]
    for s in [*sets, f"output_dir={out}"]:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, cwd=ROOT)
    history = json.loads((out / "history.json").read_text())
    return {
        "round_seconds": [r["seconds"] for r in history["rounds"]],
        "bytes_up_per_round": [sum(r["bytes_per_client"]) for r in history["rounds"]],
        "eval_loss": [r["eval_loss"] for r in history["rounds"]],
    }


def plain_flower(config: Path, sites_root: Path, out: Path, sets: list[str]) -> dict[str, Any]:
    """The peer, FlowerTune-style (runs in its own process)."""
    import torch
    from datasets import load_dataset
    from flwr.app import ArrayRecord, Context, Message, MetricRecord, RecordDict
    from flwr.clientapp import ClientApp
    from flwr.serverapp import Grid, ServerApp
    from flwr.serverapp.strategy import FedAvg
    from flwr.simulation import run_simulation
    from peft import (
        LoraConfig,
        get_peft_model,
        get_peft_model_state_dict,
        set_peft_model_state_dict,
    )
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from medllm.models import trainable_folder

    cfg = load(config, out, sets).sft
    path, o = trainable_folder(cfg.model), cfg.optim
    sites = sorted(p for p in sites_root.iterdir() if p.is_dir())

    def get_model() -> Any:  # FlowerTune's models.get_model: base + LoRA
        torch.manual_seed(o.seed)
        lora = LoraConfig(
            r=cfg.lora.r,
            lora_alpha=cfg.lora.alpha,
            lora_dropout=cfg.lora.dropout,
            target_modules=cfg.lora.target_modules,
            task_type="CAUSAL_LM",
        )
        return get_peft_model(AutoModelForCausalLM.from_pretrained(path), lora)

    client = ClientApp()

    @client.train()
    def train(msg: Message, context: Context) -> Message:
        site = sites[int(str(context.node_config["partition-id"]))]
        server_round = int(msg.content["config"]["server-round"])
        trainset = load_dataset("json", data_files=str(site / "train.jsonl"), split="train")
        model = get_model()
        set_peft_model_state_dict(model, msg.content["arrays"].to_torch_state_dict())
        args = SFTConfig(
            output_dir=str(out / "sites" / site.name / f"round-{server_round}"),
            max_steps=o.max_steps,
            learning_rate=o.learning_rate,
            lr_scheduler_type=o.lr_scheduler,
            per_device_train_batch_size=o.batch_size,
            max_length=o.max_length,
            # TRL's packing, as ours (the recipe's default): the same tokens per step on both
            # sides. Without it the peer trained on padded batches of short rows, about a third
            # of ours' tokens, and the ratio measured that, not the frameworks (3.39 on 12-07).
            packing=o.packing,
            seed=o.seed + server_round,
            save_strategy="no",
            report_to=[],
            bf16=False,  # TRL defaults to bf16, which a CPU run must turn off
            dataloader_pin_memory=False,
        )
        tokenizer = AutoTokenizer.from_pretrained(path)
        trainer = SFTTrainer(
            model=model, args=args, train_dataset=trainset, processing_class=tokenizer
        )
        results = trainer.train()
        arrays = ArrayRecord(get_peft_model_state_dict(model))
        metrics = {
            "train_loss": results.training_loss,
            "num-examples": len(trainset),
            "bytes": sum(len(a.data) for a in arrays.values()),
        }
        return Message(
            RecordDict({"arrays": arrays, "metrics": MetricRecord(metrics)}), reply_to=msg
        )

    stamps: list[float] = []
    sent: list[int] = []
    server = ServerApp()

    @server.main()
    def main(grid: Grid, context: Context) -> None:
        def aggr(replies: list[Any], key: str) -> MetricRecord:
            sent.append(sum(int(r["metrics"]["bytes"]) for r in replies))
            return MetricRecord()

        def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
            stamps.append(time.perf_counter())
            if server_round:  # FlowerTune's evaluate_fn: save the global adapter
                model = get_model()
                set_peft_model_state_dict(model, arrays.to_torch_state_dict())
                model.save_pretrained(out / f"peft_{server_round}")
            return MetricRecord()

        n = len(sites)
        strategy = FedAvg(
            fraction_train=1.0,
            fraction_evaluate=0.0,
            min_train_nodes=n,
            min_available_nodes=n,
            train_metrics_aggr_fn=aggr,
        )
        strategy.start(
            grid=grid,
            initial_arrays=ArrayRecord(get_peft_model_state_dict(get_model())),
            num_rounds=load(config, out, sets).rounds,
            evaluate_fn=evaluate,
        )

    run_simulation(
        server_app=server,
        client_app=client,
        num_supernodes=len(sites),
        backend_config={"client_resources": {"num_cpus": 1, "num_gpus": 0.0}},
    )
    return {
        "round_seconds": [b - a for a, b in itertools.pairwise(stamps)],
        "bytes_up_per_round": sent,
    }


def run_peer(config: Path, sites: Path, out: Path, sets: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--config", str(config), "--peer", str(out)]
    cmd += ["--sites", str(sites)] + [x for s in sets for x in ("--set", s)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return dict(json.loads((out / "peer.json").read_text()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", type=Path, default=CONFIG, help="a kind: federated config")
    p.add_argument("--set", dest="sets", action="append", default=[], help="override a field")
    p.add_argument("--out", default="runs/bench_federated_vs_flower", help="scratch folder")
    p.add_argument("--peer", help=argparse.SUPPRESS)
    p.add_argument("--sites", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.peer:  # child process: the plain Flower script
        result = plain_flower(a.config, Path(a.sites), Path(a.peer), a.sets)
        (Path(a.peer) / "peer.json").write_text(json.dumps(result))
        return
    out = ROOT / a.out
    shutil.rmtree(out, ignore_errors=True)  # both sides run afresh in this invocation
    load_before = load_avg()
    ours = run_ours(a.config, out / "ours", a.sets)
    peer = run_peer(a.config, out / "ours" / "sites_data", out / "plain", a.sets)
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    ratio = mean(ours["round_seconds"]) / mean(peer["round_seconds"])
    cfg = load(a.config, out / "ours", a.sets)
    result = {
        "round_time_ratio": ratio,
        "round_seconds_ours": ours["round_seconds"],
        "round_seconds_plain": peer["round_seconds"],
        "bytes_up_per_round_ours": ours["bytes_up_per_round"],
        "bytes_up_per_round_plain": peer["bytes_up_per_round"],
        "eval_loss_ours": ours["eval_loss"],
        "rounds": cfg.rounds,
        "sites": len(list((out / "ours" / "sites_data").iterdir())),
        "local_steps": cfg.sft.optim.max_steps,
        "config": str(a.config.resolve().relative_to(ROOT))
        if a.config.resolve().is_relative_to(ROOT)
        else str(a.config),
        "sets": a.sets,
        "load_avg_1min_at_start": load_before,
        "differences": "both pack rows with TRL (packing = the recipe's value); ours also scores "
        "eval_loss on held-out rows each round and checkpoints it, the peer only saves the adapter",
        "versions": versions("flwr", "torch", "transformers", "trl", "peft"),
    }
    summary = (
        f"{cfg.rounds} FedAvg rounds, {result['sites']} sites x {cfg.sft.optim.max_steps} steps: "
        f"ours {mean(ours['round_seconds']):.1f} s/round vs plain Flower "
        f"{mean(peer['round_seconds']):.1f} s/round (ratio {ratio:.2f}); "
        f"{ours['bytes_up_per_round'][0]:,} vs {peer['bytes_up_per_round'][0]:,} bytes up per "
        f"round; {load_note(load_before, cores())} at start"
    )
    cmd = "python benchmarks/federated_vs_flower.py" + "".join(f" --set {s}" for s in a.sets)
    if a.config != CONFIG:
        cmd += f" --config {a.config}"
    print(write_result("federated_vs_flower", result, summary, cmd))
    print(summary)


if __name__ == "__main__":
    main()
