"""Flower's deployment engine as real processes: `flower-superlink` (the coordinator),
`flower-supernode` per site, and `flwr run`, which bundles the Flower App (flowerapp.py) into a
FAB and starts it on the SuperLink. Everything talks HTTPS with certificates made locally
(certs.py); with `deploy.node_auth` only SuperNodes whose public key was registered
(`flwr supernode register`) may join.

    link = start_superlink(cfg)                    # Popen; stop(link) ends it and its children
    node = start_supernode(cfg, 0, Path("sites/site-a"))
    history = run(cfg)                             # flwr run --stream, until the last round

`stop` ends a process and the ones below it (the SuperExec and the ServerApp / ClientApp
processes Flower starts), and nothing else. The processes import the same
medllm as the caller (its folder goes first on PYTHONPATH).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from medllm.core import DataError, MedllmError, owner_only
from medllm.federated.certs import node_keys, tls_files
from medllm.federated.client import RUN_CONFIG_KEY, SITE_DIR_KEY, SITE_OUT_KEY, client_mode
from medllm.federated.config import FederatedConfig
from medllm.federated.partition import site_folders
from medllm.federated.server import read_history

CONNECTION = "medllm"  # the SuperLink connection's name in FLWR_HOME/config.toml
APP_NAME = "medllm-federated"
COMPONENTS = {
    "plain": "clientapp",
    "clip": "clipping_clientapp",
    "secagg": "secagg_clientapp",
}


def certs_dir(cfg: FederatedConfig) -> Path:
    return Path(cfg.deploy.certs_dir or Path(cfg.output_dir) / "certs")


def _bin(name: str) -> str:
    """Flower's console scripts next to this interpreter (the venv medllm runs in)."""
    path = Path(sys.executable).parent / name
    if not path.is_file():
        raise MedllmError(
            f"{name} not found next to {sys.executable}",
            fix="pip install -e '.[federated]' (Flower's deployment engine)",
        )
    return str(path)


def flwr_home(cfg: FederatedConfig) -> Path:
    """FLWR_HOME for `flwr`: config.toml names the SuperLink connection `medllm` (TLS)."""
    import tomli_w

    home = Path(cfg.output_dir) / "flwr"
    ca = tls_files(certs_dir(cfg), cfg.deploy.host).ca
    conn = {
        "address": f"{cfg.deploy.host}:{cfg.deploy.port}",
        "root-certificates": str(ca.resolve()),
    }
    with owner_only(home):
        text = tomli_w.dumps({"superlink": {"default": CONNECTION, CONNECTION: conn}})
        (home / "config.toml").write_text(text, encoding="utf-8")
    return home


def environment(cfg: FederatedConfig) -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2])  # the folder holding this medllm package
    here = str(Path(sys.executable).parent)  # Flower starts flower-superexec from PATH
    env["PATH"] = os.pathsep.join(p for p in (here, env.get("PATH", "")) if p)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    env["FLWR_HOME"] = str(flwr_home(cfg).resolve())
    return env


def _log(cfg: FederatedConfig, name: str) -> IO[bytes]:
    folder = Path(cfg.output_dir) / "logs"
    with owner_only(folder):
        return (folder / f"{name}.log").open("ab")


def _spawn(cfg: FederatedConfig, argv: list[str], log_name: str) -> subprocess.Popen[bytes]:
    log = _log(cfg, log_name)
    try:
        return subprocess.Popen(
            argv, env=environment(cfg), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log.close()  # the child holds its own copy


def wait_port(host: str, port: int, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    """Until something accepts connections at host:port (or `proc` exits, or time is up)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise MedllmError(
                f"the process exited with code {proc.returncode} before {host}:{port} opened",
                fix="see its log under output_dir/logs/",
            )
        with socket.socket() as s:
            s.settimeout(1.0)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.3)
    raise MedllmError(f"nothing listens on {host}:{port} after {timeout:.0f} s", fix="see the log")


def start_superlink(cfg: FederatedConfig, timeout: float = 60.0) -> subprocess.Popen[bytes]:
    """flower-superlink over TLS on deploy.host:deploy.port; returns once it accepts connections."""
    tls = tls_files(certs_dir(cfg), cfg.deploy.host)
    argv = [
        _bin("flower-superlink"),
        *("--ssl-ca-certfile", str(tls.ca), "--ssl-certfile", str(tls.cert)),
        *("--ssl-keyfile", str(tls.key)),
        *("--host", cfg.deploy.host, "--port", str(cfg.deploy.port)),
        "--disable-runtime-dependency-installation",  # the venv already holds medllm's deps
    ]
    if cfg.deploy.node_auth:
        argv.append("--enable-supernode-auth")
    proc = _spawn(cfg, argv, "superlink")
    try:
        wait_port(cfg.deploy.host, cfg.deploy.port, timeout, proc)
    except BaseException:
        stop(proc)
        raise
    return proc


def register(cfg: FederatedConfig, public_key: Path) -> None:
    """`flwr supernode register`: let the SuperNode holding this key's private half join."""
    done = subprocess.run(
        [_bin("flwr"), "supernode", "register", str(public_key), CONNECTION],
        env=environment(cfg),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        tail = " ".join((done.stdout + done.stderr).split()[-30:])
        raise MedllmError(
            f"registering {public_key.name} with the SuperLink failed: {tail}",
            fix="start `medllm federated superlink` first; a key is registered once",
        )


def site_dir(cfg: FederatedConfig, site: int, data: Path | None) -> Path:
    """The site's data folder: `data`, else the site-th folder of sites_dir / the partition."""
    if data is not None:
        if not data.is_dir() or not any(data.glob("*.jsonl")):
            raise DataError(
                f"{data}: not a folder holding .jsonl files",
                field="--data",
                fix="give the site's folder of JSONL rows (alpaca, sharegpt, messages)",
            )
        return data.resolve()
    from medllm.federated.simulate import prepare_sites

    folders, _ = prepare_sites(cfg)
    if not 0 <= site < len(folders):
        raise MedllmError(
            f"--site {site}: the config has sites 0..{len(folders) - 1}",
            fix="give a site index in that range, or --data with the site's folder",
        )
    return folders[site].resolve()


def start_supernode(
    cfg: FederatedConfig, site: int, data: Path | None = None, *, register_key: bool = True
) -> subprocess.Popen[bytes]:
    """flower-supernode for site `site` (its rows in `data`), trusting the local CA; with
    node_auth it first makes the site's key pair and registers the public key."""
    folder = site_dir(cfg, site, data)
    tls = tls_files(certs_dir(cfg), cfg.deploy.host)
    out = Path(cfg.output_dir).resolve()
    node_config = f'partition-id={site} {SITE_DIR_KEY}="{folder}" {SITE_OUT_KEY}="{out}"'
    argv = [
        _bin("flower-supernode"),
        *("--superlink", f"{cfg.deploy.host}:{cfg.deploy.port}"),
        *("--root-certificates", str(tls.ca)),
        *("--node-config", node_config),
        *("--port", str(cfg.deploy.node_port + site)),
    ]
    if cfg.deploy.node_auth:
        private, public = node_keys(certs_dir(cfg), site)
        if register_key:
            register(cfg, public)
        argv += ["--auth-supernode-private-key", str(private)]
    return _spawn(cfg, argv, f"supernode-{site}")


def stop(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """End `proc` and every process below it (Flower starts its SuperExec in a session of its
    own, so a process-group signal would miss it): SIGTERM, SIGKILL after `grace` seconds."""
    import psutil

    try:
        top = psutil.Process(proc.pid)
        tree = [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        proc.poll()
        return
    for p in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.terminate()
    _, alive = psutil.wait_procs(tree, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)
    proc.poll()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("medllm")
    except PackageNotFoundError:  # run from a source tree without an install
        return "0.0.0"


def site_count(cfg: FederatedConfig) -> int:
    return len(site_folders(cfg.sites_dir)) if cfg.sites_dir else cfg.partition.sites


def server_config(cfg: FederatedConfig) -> FederatedConfig:
    """The config with the server's paths absolute (the ServerApp runs in another folder)."""
    sft = cfg.sft
    if Path(sft.model).exists():
        sft = sft.model_copy(update={"model": str(Path(sft.model).resolve())})
    data = sft.data.model_copy(update={"files": [str(Path(f).resolve()) for f in sft.data.files]})
    return cfg.model_copy(
        update={
            "output_dir": str(Path(cfg.output_dir).resolve()),
            "eval_files": [str(Path(f).resolve()) for f in cfg.eval_files],
            "sites_dir": str(Path(cfg.sites_dir).resolve()) if cfg.sites_dir else None,
            "sft": sft.model_copy(update={"data": data}),
        }
    )


def write_app(cfg: FederatedConfig, resume: bool) -> Path:
    """output_dir/app/pyproject.toml: the Flower App (components in medllm.federated.flowerapp),
    its run config carrying the federated config as JSON, the site count and --resume."""
    import tomli_w

    app = Path(cfg.output_dir) / "app"
    project = {
        "project": {
            "name": APP_NAME,
            "version": _version(),
            "description": "medllm federated LoRA fine-tuning",
            "license": "Apache-2.0",
            "dependencies": [],
        },
        "tool": {
            "flwr": {
                "app": {
                    "publisher": "medllm",
                    "components": {
                        "serverapp": "medllm.federated.flowerapp:serverapp",
                        "clientapp": f"medllm.federated.flowerapp:{COMPONENTS[client_mode(cfg)]}",
                    },
                    "config": {
                        RUN_CONFIG_KEY: server_config(cfg).model_dump_json(),
                        "sites": site_count(cfg),
                        "resume": resume,
                    },
                }
            }
        },
    }
    with owner_only(app):
        (app / "pyproject.toml").write_text(tomli_w.dumps(project), encoding="utf-8")
    return app


def run(
    cfg: FederatedConfig,
    *,
    resume: bool = False,
    timeout: float | None = None,
    echo: Callable[[str], Any] | None = None,
) -> dict[str, Any]:
    """`flwr run APP medllm --stream` on the running SuperLink; returns history.json's content
    once the ServerApp has finished (echoing Flower's log lines to `echo`)."""
    app = write_app(cfg, resume)
    argv = [_bin("flwr"), "run", str(app.resolve()), CONNECTION, "--stream"]
    log = Path(cfg.output_dir) / "logs" / "run.log"
    with owner_only(log.parent), log.open("a", encoding="utf-8") as out:
        proc = subprocess.Popen(
            argv, env=environment(cfg), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            _follow(proc, out, echo, timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    history = read_history(cfg.output_dir)
    if len(history["rounds"]) < cfg.rounds:
        raise MedllmError(
            f"the run stopped after {len(history['rounds'])} of {cfg.rounds} rounds",
            fix=f"see {log} and output_dir/logs/superlink.log; then rerun with --resume",
        )
    return history


def _follow(
    proc: subprocess.Popen[str],
    out: IO[str],
    echo: Callable[[str], Any] | None,
    timeout: float | None,
) -> None:
    """Copy the stream until `flwr run` exits; past `timeout` seconds kill it and say so."""
    import threading

    watchdog = threading.Timer(timeout, proc.kill) if timeout else None
    if watchdog:
        watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # ends when `flwr run --stream` exits (the run finished)
            out.write(line)
            if echo:
                echo(line.rstrip())
        proc.wait()
    finally:
        if watchdog:
            watchdog.cancel()
    if watchdog is not None and not watchdog.is_alive() and proc.returncode == -signal.SIGKILL:
        raise MedllmError(f"flwr run still going after {timeout:.0f} s", fix="see logs/run.log")
