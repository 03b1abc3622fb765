"""The coordinator side: a Flower `ServerApp` running one of Flower's own strategies (FedAvg,
FedProx, FedAdam, FedYogi) over the LoRA adapter tensors, or FedAvg under SecAgg+ (secagg.py);
after every round it scores the global adapter on held-out rows, checkpoints it
(rounds/round-<r>/) and appends to history.json."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from medllm.core import MedllmError
from medllm.federated.client import WEIGHT_KEY
from medllm.federated.config import FederatedConfig
from medllm.federated.globalmodel import GlobalModel, last_round, load_round, round_dir
from medllm.train import Row

HISTORY = "history.json"
Progress = Callable[[dict[str, Any]], None]


def min_sites(cfg: FederatedConfig, n_sites: int) -> int:
    """Sites that must be online to start a round and reply for it to count (default: all)."""
    if cfg.min_sites is not None and cfg.min_sites > n_sites:
        raise MedllmError(
            f"min_sites is {cfg.min_sites} but the federation has {n_sites} site(s)",
            fix=f"set min_sites <= {n_sites}, or unset it (all sites)",
        )
    return n_sites if cfg.min_sites is None else cfg.min_sites


def central_noise(
    cfg: FederatedConfig, n_sites: int, weights: Sequence[float] | None = None
) -> float:
    """central_dp's noise multiplier: as given; 1.0 when unset; or solved from central_dp.epsilon
    over `rounds` for `weights`, the rows per site planned before round 1 (unset: equal)."""
    from medllm.federated.central_dp import solve_noise

    dp = cfg.central_dp
    assert dp is not None
    if dp.epsilon is None:
        return 1.0 if dp.noise_multiplier is None else dp.noise_multiplier
    w = list(weights) if weights else [1.0] * n_sites
    return solve_noise(dp.epsilon, central_delta(cfg, n_sites), cfg.rounds, w, n_sites)


def central_delta(cfg: FederatedConfig, n_sites: int) -> float:
    """central_dp's δ: central_dp.delta, or 1 / sites."""
    dp = cfg.central_dp
    return 1 / n_sites if dp is None or dp.delta is None else dp.delta


def make_strategy(
    cfg: FederatedConfig,
    n_sites: int,
    on_replies: Callable[[list[Any]], None],
    noise: float | None = None,
) -> Any:
    """Flower's strategy by name; every online site trains every round, evaluation is the
    server's. `noise`: central DP's multiplier (unset: `central_noise` with equal weights)."""
    from flwr.serverapp.strategy import FedAdam, FedAvg, FedProx, FedYogi
    from flwr.serverapp.strategy.strategy_utils import aggregate_metricrecords

    def metrics(replies: list[Any], key: str) -> Any:
        on_replies(replies)  # per-site numbers, before Flower averages them
        return aggregate_metricrecords(replies, key)

    need = min_sites(cfg, n_sites)
    common: dict[str, Any] = dict(
        fraction_train=1.0,
        fraction_evaluate=0.0,
        min_train_nodes=need,
        min_available_nodes=need,
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
    return with_central_dp(cfg, strategy, n_sites, noise)


def with_central_dp(
    cfg: FederatedConfig, strategy: Any, n_sites: int, noise: float | None = None
) -> Any:
    """The strategy inside Flower's fixed-clipping DP wrapper when `central_dp` is set."""
    dp = cfg.central_dp
    if dp is None:
        return strategy
    z = central_noise(cfg, n_sites) if noise is None else noise
    from flwr.serverapp.strategy import (
        DifferentialPrivacyClientSideFixedClipping,
        DifferentialPrivacyServerSideFixedClipping,
    )

    wrap = (
        DifferentialPrivacyServerSideFixedClipping
        if dp.clipping == "server"
        else DifferentialPrivacyClientSideFixedClipping
    )
    return wrap(strategy, z, dp.clipping_norm, n_sites)


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


class RoundBook:
    """The server's record of a run: scores each round's global adapter on the held-out rows,
    checkpoints it and appends it to history.json. Fed by either driver (Flower's Message-API
    strategies, or the SecAgg+ workflow in secagg.py)."""

    def __init__(
        self,
        cfg: FederatedConfig,
        n_sites: int,
        eval_rows: list[Row],
        done: int,
        progress: Progress | None,
        noise: float | None = None,
    ) -> None:
        self.cfg, self.eval_rows, self.done, self.progress = cfg, eval_rows, done, progress
        self.n_sites, self.need = n_sites, min_sites(cfg, n_sites)
        if cfg.central_dp is not None and noise is None:
            noise = central_noise(cfg, n_sites)
        self.noise = noise  # central DP's noise multiplier (None without central_dp)
        self.model = GlobalModel(cfg)
        if done:
            self.model.load(load_round(cfg.output_dir, done))
        self.history = read_history(cfg.output_dir) if done else {"rounds": []}
        self.history["model_bytes"] = self.model.model_bytes
        self.replies: list[dict[str, float]] = []
        self.clock = [time.perf_counter()]

    def on_replies(self, metrics: list[dict[str, Any]]) -> None:
        self.replies[:] = [dict(m) for m in metrics]

    def evaluate(self, server_round: int, state: dict[str, Any]) -> float:
        """Score the adapter after `server_round` (0: the starting one) and record the round."""
        self.model.load(state)
        loss = self.model.loss(self.eval_rows, self.cfg.sft.optim.max_length)
        if server_round == 0:  # the starting adapter (fresh, or the resumed checkpoint)
            self.history.setdefault("start_eval_loss", {})[str(self.done)] = loss
            self.clock[0] = time.perf_counter()
            return loss
        r = self.done + server_round
        if len(self.replies) < self.need:  # Flower would aggregate what came: refuse the round
            raise MedllmError(
                f"round {r}: {len(self.replies)} of {self.n_sites} site(s) replied, "
                f"min_sites is {self.need}; the round is not recorded",
                fix="see the log for the failing site; lower min_sites, then rerun with --resume",
            )
        record = _round_record(r, loss, self.replies, self.model.model_bytes, self.clock)
        if self.cfg.central_dp is not None:
            record["central_dp"] = self._account(record["clients"])
        self.replies.clear()
        self.model.save(round_dir(self.cfg.output_dir, r), record)
        self.history["rounds"].append(record)
        _write(self.cfg.output_dir, self.history)
        if self.progress:
            self.progress(record)
        return loss

    def _account(self, clients: list[dict[str, float]]) -> dict[str, float | None]:
        assert self.noise is not None
        return central_account(self.cfg, self.n_sites, self.noise, self.history["rounds"], clients)


def central_account(
    cfg: FederatedConfig,
    n_sites: int,
    noise: float,
    earlier: list[dict[str, Any]],
    clients: list[dict[str, float]],
) -> dict[str, float | None]:
    """Central DP's record for a round after the `earlier` round records: ε at δ
    (central_dp.delta, or 1/sites) by Opacus' RDP accountant (q = 1), for the rows the sites
    reported this round (`clients`)."""
    from medllm.federated.central_dp import central_epsilon, effective_noise

    dp = cfg.central_dp
    assert dp is not None
    weights = [float(c[WEIGHT_KEY.replace("-", "_")]) for c in clients]
    z = effective_noise(noise, weights, n_sites)
    noises = [
        float(x["central_dp"]["effective_noise_multiplier"]) for x in earlier if "central_dp" in x
    ]
    delta = central_delta(cfg, n_sites)
    eps = central_epsilon([*noises, z], 1.0, delta)
    return {
        "epsilon": None if eps == float("inf") else eps,
        "delta": delta,
        "target_epsilon": dp.epsilon,
        "noise_multiplier": noise,
        "effective_noise_multiplier": z,
        "sample_rate": 1.0,
    }


def run_server(
    cfg: FederatedConfig,
    grid: Any,
    n_sites: int,
    eval_rows: list[Row],
    *,
    done: int = 0,
    progress: Progress | None = None,
    context: Any = None,
    noise: float | None = None,
) -> dict[str, Any]:
    """The ServerApp's body: rounds done+1 .. cfg.rounds; returns the history. `noise`: central
    DP's multiplier (`central_noise` for the planned rows per site)."""
    from flwr.app import ArrayRecord, ConfigRecord, MetricRecord

    book = RoundBook(cfg, n_sites, eval_rows, done, progress, noise)
    if cfg.secagg is not None:
        from medllm.federated.secagg import run_secagg

        run_secagg(cfg, grid, context, book)
        return book.history

    def on_replies(msgs: list[Any]) -> None:
        book.on_replies([next(iter(m.metric_records.values())) for m in msgs])

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        return MetricRecord(
            {"eval_loss": book.evaluate(server_round, arrays.to_torch_state_dict())}
        )

    strategy = make_strategy(cfg, n_sites, on_replies, book.noise)
    strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord(book.model.state()),
        num_rounds=cfg.rounds - done,
        train_config=ConfigRecord({"round-offset": done}),
        evaluate_fn=evaluate,
        timeout=cfg.round_timeout_s,
    )
    return book.history


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
    noise: float | None = None,
) -> Any:
    """A Flower ServerApp running `run_server`."""
    from flwr.app import Context
    from flwr.serverapp import Grid, ServerApp

    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        run_server(
            cfg,
            grid,
            n_sites,
            eval_rows,
            done=done,
            progress=progress,
            context=context,
            noise=noise,
        )

    return app
