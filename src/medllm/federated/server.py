"""The coordinator side: a Flower `ServerApp` running one of Flower's own strategies (FedAvg,
FedProx, FedAdam, FedYogi) over the LoRA adapter tensors; after every round it scores the global
adapter on held-out rows, checkpoints it (rounds/round-<r>/) and appends to history.json."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medllm.core import MedllmError
from medllm.federated.client import WEIGHT_KEY
from medllm.federated.config import FederatedConfig
from medllm.federated.globalmodel import GlobalModel, last_round, load_round, round_dir
from medllm.train import Row

HISTORY = "history.json"
Progress = Callable[[dict[str, Any]], None]


def make_strategy(
    cfg: FederatedConfig, n_sites: int, on_replies: Callable[[list[Any]], None]
) -> Any:
    """Flower's strategy by name; every site trains every round, evaluation is the server's."""
    from flwr.serverapp.strategy import FedAdam, FedAvg, FedProx, FedYogi
    from flwr.serverapp.strategy.strategy_utils import aggregate_metricrecords

    def metrics(replies: list[Any], key: str) -> Any:
        on_replies(replies)  # per-site numbers, before Flower averages them
        return aggregate_metricrecords(replies, key)

    common: dict[str, Any] = dict(
        fraction_train=1.0,
        fraction_evaluate=0.0,
        min_train_nodes=n_sites,
        min_available_nodes=n_sites,
        weighted_by_key=WEIGHT_KEY,
        train_metrics_aggr_fn=metrics,
    )
    if cfg.strategy == "fedprox":
        strategy: Any = FedProx(**common, proximal_mu=cfg.proximal_mu)
    elif cfg.strategy in ("fedadam", "fedyogi"):
        kind = FedAdam if cfg.strategy == "fedadam" else FedYogi
        strategy = kind(**common, eta=cfg.server_lr)
    else:
        strategy = FedAvg(**common)
    return with_central_dp(cfg, strategy, n_sites)


def with_central_dp(cfg: FederatedConfig, strategy: Any, n_sites: int) -> Any:
    """The strategy inside Flower's fixed-clipping DP wrapper when `central_dp` is set."""
    dp = cfg.central_dp
    if dp is None:
        return strategy
    from flwr.serverapp.strategy import (
        DifferentialPrivacyClientSideFixedClipping,
        DifferentialPrivacyServerSideFixedClipping,
    )

    wrap = (
        DifferentialPrivacyServerSideFixedClipping
        if dp.clipping == "server"
        else DifferentialPrivacyClientSideFixedClipping
    )
    return wrap(strategy, dp.noise_multiplier, dp.clipping_norm, n_sites)


def read_history(out: str | Path) -> dict[str, Any]:
    path = Path(out) / HISTORY
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"rounds": []}


def start_round(cfg: FederatedConfig, resume: bool) -> int:
    """Rounds already done: the last complete checkpoint when resuming; refuse to overwrite one."""
    done = last_round(cfg.output_dir)
    if resume and done == 0:
        raise MedllmError(
            f"--resume given but {cfg.output_dir}/rounds holds no complete round",
            fix="run once without --resume (a checkpoint is written every round)",
        )
    if not resume and done:
        raise MedllmError(
            f"{cfg.output_dir} already holds {done} round(s)",
            fix="add --resume to continue, or set output_dir to a new folder",
        )
    return done


def run_server(
    cfg: FederatedConfig,
    grid: Any,
    n_sites: int,
    eval_rows: list[Row],
    *,
    done: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The ServerApp's body: rounds done+1 .. cfg.rounds; returns the history."""
    from flwr.app import ArrayRecord, ConfigRecord, MetricRecord

    model = GlobalModel(cfg)
    if done:
        model.load(load_round(cfg.output_dir, done))
    history = read_history(cfg.output_dir) if done else {"rounds": []}
    history["model_bytes"] = model.model_bytes
    replies: list[dict[str, float]] = []
    clock = [time.perf_counter()]

    def on_replies(msgs: list[Any]) -> None:
        replies[:] = [dict(next(iter(m.metric_records.values()))) for m in msgs]

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        model.load(arrays.to_torch_state_dict())
        loss = model.loss(eval_rows, cfg.sft.optim.max_length)
        if server_round == 0:  # the starting adapter (fresh, or the resumed checkpoint)
            history.setdefault("start_eval_loss", {})[str(done)] = loss
            clock[0] = time.perf_counter()
            return MetricRecord({"eval_loss": loss})
        if not replies:  # every site failed: Flower keeps the old adapter; do not call it a round
            raise MedllmError(f"round {done + server_round}: no site replied", fix="see the log")
        record = _round_record(done + server_round, loss, replies, model.model_bytes, clock)
        replies.clear()
        model.save(round_dir(cfg.output_dir, record["round"]), record)
        history["rounds"].append(record)
        _write(cfg.output_dir, history)
        if progress:
            progress(record)
        return MetricRecord({"eval_loss": loss})

    strategy = make_strategy(cfg, n_sites, on_replies)
    strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord(model.state()),
        num_rounds=cfg.rounds - done,
        train_config=ConfigRecord({"round-offset": done}),
        evaluate_fn=evaluate,
    )
    return history


def _round_record(
    r: int, loss: float, replies: list[dict[str, float]], model_bytes: int, clock: list[float]
) -> dict[str, Any]:
    now = time.perf_counter()
    seconds, clock[0] = now - clock[0], now
    clients = sorted(
        ({k.replace("-", "_"): v for k, v in m.items()} for m in replies), key=lambda m: m["site"]
    )
    sent = [int(c["bytes_sent"]) for c in clients]
    return {
        "round": r,
        "eval_loss": loss,
        "seconds": seconds,
        "clients": clients,
        "bytes_per_client": sent,
        "bytes_fraction": max(sent, default=0) / model_bytes,
    }


def _write(out: str | Path, history: dict[str, Any]) -> None:
    path = Path(out) / HISTORY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(history, indent=2), encoding="utf-8")


def server_app(
    cfg: FederatedConfig,
    n_sites: int,
    eval_rows: list[Row],
    *,
    done: int = 0,
    progress: Progress | None = None,
) -> Any:
    """A Flower ServerApp running `run_server`."""
    from flwr.app import Context
    from flwr.serverapp import Grid, ServerApp

    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        run_server(cfg, grid, n_sites, eval_rows, done=done, progress=progress)

    return app
