"""Flower's deployment engine as real processes on 127.0.0.1: one `flower-superlink` (TLS with
the locally made CA, SuperNode authentication on), three `flower-supernode`s with registered
keys, and `flwr run` of medllm's Flower App, on a ~3M-parameter random Llama. Every process is
stopped in `finally`, and the test checks none is left."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tests.unit.federated.fed_util import OPTIM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cfg(tiny_dir: Path, tmp_path: Path, **over: Any) -> Any:
    from medllm.federated import FederatedConfig

    rows = [
        {"instruction": f"What does code Z0{i}.{i} cover?", "output": f"Exam {i}."}
        for i in range(15)
    ]
    train, held = tmp_path / "train.jsonl", tmp_path / "heldout.jsonl"
    train.write_text("\n".join(json.dumps(r) for r in rows[:12]))
    held.write_text("\n".join(json.dumps(r) for r in rows[12:]))
    base = _free_port()
    data = {
        "output_dir": str(tmp_path / "run"),
        "rounds": 2,
        "eval_files": [str(held)],
        "deploy": {"port": _free_port(), "node_port": base},
        "sft": {"model": str(tiny_dir), "data": {"files": [str(train)]}, "optim": OPTIM},
        **over,
    }
    return FederatedConfig.model_validate(data)


def _tree(procs: list[Any]) -> list[Any]:
    import psutil

    out = []
    for p in procs:
        try:
            top = psutil.Process(p.pid)
            out += [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    return out


def _stop_all(procs: list[Any]) -> None:
    """Stop what the test started; then nothing of it may still run."""
    from medllm.federated.deploy import stop

    tree = _tree(procs)
    for p in reversed(procs):
        stop(p, grace=5.0)
    time.sleep(1.0)
    assert [p.pid for p in tree if p.is_running() and p.status() != "zombie"] == []


@pytest.mark.slow
def test_superlink_and_three_supernodes_run_two_rounds(tiny_dir: Path, tmp_path: Path) -> None:
    """~2 min: TLS + node auth; an unregistered SuperNode is refused; 2 FedAvg rounds with all
    3 sites, checkpoints written; every process stopped."""
    from medllm.federated.deploy import certs_dir, run, start_superlink, start_supernode
    from medllm.federated.simulate import prepare_sites

    cfg = _cfg(tiny_dir, tmp_path)
    procs: list[Any] = []
    try:
        procs.append(start_superlink(cfg))
        log = (Path(cfg.output_dir) / "logs" / "superlink.log").read_text()
        assert f"Uvicorn running on https://127.0.0.1:{cfg.deploy.port}" in log
        folder = prepare_sites(cfg)[0][0]
        stranger = start_supernode(cfg, 3, folder, register_key=False)  # key never registered
        procs.append(stranger)
        procs += [start_supernode(cfg, i) for i in range(3)]
        assert stranger.wait(timeout=120) != 0
        assert (
            "Failed to activate SuperNode"
            in (Path(cfg.output_dir) / "logs" / "supernode-3.log").read_text()
        )
        history = run(cfg, timeout=480)
    finally:
        _stop_all(procs)
    rounds = history["rounds"]
    assert [r["round"] for r in rounds] == [1, 2]
    assert [[c["site"] for c in r["clients"]] for r in rounds] == [[0, 1, 2], [0, 1, 2]]
    assert all(
        (Path(cfg.output_dir) / "rounds" / f"round-{r}" / "round.json").is_file() for r in (1, 2)
    )
    keys = certs_dir(cfg)
    private = [keys / "server.key", *(keys / f"site-{i}" / "node_key" for i in range(4))]
    assert [oct(p.stat().st_mode & 0o777) for p in private] == ["0o600"] * 5


@pytest.mark.slow
def test_a_supernode_killed_mid_round(tiny_dir: Path, tmp_path: Path) -> None:
    """~3 min: site 2's SuperNode (and its ClientApp) is killed while round 1 runs. Flower's
    heartbeat marks it offline (~60 s), round 1 is aggregated from sites 0 and 1 (min_sites 2),
    and round 2 goes on with them."""
    import psutil

    from medllm.federated.deploy import run, start_superlink, start_supernode

    cfg = _cfg(tiny_dir, tmp_path, min_sites=2, round_timeout_s=300)
    procs: list[Any] = []
    result: dict[str, Any] = {}

    def go() -> None:
        try:
            result["history"] = run(cfg, timeout=540)
        except Exception as e:  # re-raised below, in the test's thread
            result["error"] = e

    try:
        procs.append(start_superlink(cfg))
        procs += [start_supernode(cfg, i) for i in range(3)]
        runner = threading.Thread(target=go, daemon=True)
        runner.start()
        victim = psutil.Process(procs[3].pid)
        end = time.monotonic() + 300
        while not any("flwr-clientapp" in " ".join(c.cmdline()) for c in _alive(victim)):
            assert time.monotonic() < end, "site 2's ClientApp never started"
            time.sleep(0.2)
        for p in [victim, *victim.children(recursive=True)]:
            p.kill()  # SIGKILL: no goodbye to the SuperLink
        runner.join(timeout=560)
        assert not runner.is_alive()
    finally:
        _stop_all(procs)
    if "error" in result:
        raise result["error"]
    rounds = result["history"]["rounds"]
    assert [r["round"] for r in rounds] == [1, 2]
    assert [[c["site"] for c in r["clients"]] for r in rounds] == [[0, 1], [0, 1]]


def _alive(proc: Any) -> list[Any]:
    import psutil

    try:
        return list(proc.children(recursive=True))
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_secagg_on_the_deployment_engine(tiny_dir: Path, tmp_path: Path) -> None:
    """~2.5 min: the same federation with `secagg`: every site's ClientApp runs Flower's
    secaggplus_mod, the ServerApp Flower's SecAggPlusWorkflow, for both rounds."""
    from medllm.federated.deploy import run, start_superlink, start_supernode

    cfg = _cfg(tiny_dir, tmp_path, secagg={"max_weight": 4.0})
    procs: list[Any] = []
    try:
        procs.append(start_superlink(cfg))
        procs += [start_supernode(cfg, i) for i in range(3)]
        history = run(cfg, timeout=540)
    finally:
        _stop_all(procs)
    assert [[c["site"] for c in r["clients"]] for r in history["rounds"]] == [[0, 1, 2]] * 2
    log = (Path(cfg.output_dir) / "logs" / "run.log").read_text()
    assert log.count("Secure aggregation completed.") == 2
    assert "secagg_clientapp" in (Path(cfg.output_dir) / "app" / "pyproject.toml").read_text()
