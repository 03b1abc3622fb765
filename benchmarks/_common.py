"""Shared by the benchmark scripts: machine and version facts, result writing, README line."""

from __future__ import annotations

import argparse
import importlib.metadata as md
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).parent
RESULTS = HERE / "results"


def at_least_one(text: str) -> int:
    """argparse type of a count (--limit, --k): an integer of at least 1, else a usage error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1 (fix: give 1 or more)")
    return value


def cores() -> int:
    return os.cpu_count() or 1


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gb(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """Total memory in GiB (MemTotal of /proc/meminfo, given in kB); None where it is not readable."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def load_avg() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def load_note(load: float | None, n_cores: int) -> str:
    """One line on CPU contention: a 1-minute load average above the core count means other jobs
    took CPU time from the benchmark."""
    if load is None:
        return f"load average unknown on {n_cores} cores"
    state = "other jobs shared the CPU" if load > n_cores else "cores were free"
    return f"load average {load:.1f} on {n_cores} cores: {state}"


def machine() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cores": cores(),
        "ram_gb": ram_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_avg_1min_at_end": load_avg(),
    }


def versions(*dists: str) -> dict[str, str]:
    out = {}
    for d in ("medllm", *dists):
        try:
            out[d] = md.version(d)
        except md.PackageNotFoundError:
            out[d] = "not installed"
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def write_result(name: str, result: dict[str, Any], summary: str, command: str) -> Path:
    """Write results/<name>.json and put `summary` as this benchmark's line in README.md."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    result = {
        **result,
        "command": command,
        "machine": machine(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    path.write_text(json.dumps(result, indent=2) + "\n")
    readme = HERE / "README.md"
    lines = readme.read_text().splitlines() if readme.exists() else ["# Benchmarks", ""]
    tag = f"- `{name}`:"
    lines = [line for line in lines if not line.startswith(tag)]
    lines.append(f"{tag} {summary} (`{command}`)")
    readme.write_text("\n".join(lines) + "\n")
    return path


def train_command(kind: str, config: str, sets: list[str]) -> list[str]:
    """`python -m medllm train <kind> <config> --set ...` (run from the repository root)."""
    cmd = [sys.executable, "-m", "medllm", "train", kind, config]
    for s in sets:
        cmd += ["--set", s]
    return cmd


def train_result(out: Path) -> dict[str, Any]:
    """The numbers a finished `medllm train` run wrote to `out/final/medllm-train.json`."""
    return dict(json.loads((out / "final" / "medllm-train.json").read_text())["result"])


def made_by(artifact: str) -> str:
    """The command that writes a runs/ folder the benchmarks read."""
    parts = Path(artifact).parts
    if parts[:2] == ("runs", "studies") and len(parts) > 2:
        return f"medllm study configs/studies/{parts[2]}.yaml"
    if parts[:2] == ("runs", "bench_sft_vs_trl"):
        return "python benchmarks/sft_vs_trl.py"
    return f"medllm train <kind> <config> --set output_dir={'/'.join(parts[:2])}"


def require_artifact(root: Path, artifact: str) -> None:
    """Exit 0 with one line when `artifact` (relative to `root`) is missing, so that `make bench` on
    a fresh clone skips a benchmark that needs a trained model instead of failing on it."""
    if not (root / artifact).exists():
        print(f"skipped: needs {artifact} (made by `{made_by(artifact)}`)")
        raise SystemExit(0)


def load_script(name: str, path: Path) -> ModuleType:
    """Import a script that is not on sys.path (a sibling benchmark, a data folder's checker)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
