"""Shared by the benchmark scripts: machine and version facts, result writing, README line."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
RESULTS = HERE / "results"


def machine() -> dict[str, Any]:
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg_1min_at_end": load,
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
