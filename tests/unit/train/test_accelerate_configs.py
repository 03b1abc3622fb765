"""The shipped `accelerate launch` configs parse with accelerate's own loader; CPU DDP really runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]
FILES = sorted((ROOT / "configs" / "accelerate").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_accelerate_config_loads(path: Path) -> None:
    from accelerate.commands.config.config_args import load_config_from_file

    cfg = load_config_from_file(str(path))
    assert cfg.num_processes >= 2
    assert path.read_text().startswith("# accelerate launch --config_file configs/accelerate/")


@pytest.mark.slow
def test_cpu_ddp_launch_trains(tiny_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(
        json.dumps({"instruction": "Say hi", "output": "hi there"}) + "\n" * 1, encoding="utf-8"
    )
    data.write_text(data.read_text() * 10)
    launcher = Path(sys.executable).parent / "accelerate"
    cmd = [
        str(launcher),
        "launch",
        "--config_file",
        str(ROOT / "configs/accelerate/cpu_ddp.yaml"),
        "-m",
        "medllm",
        "train",
        "sft",
        str(ROOT / "configs/train/sft.yaml"),
        "--set",
        f"model={tiny_dir}",
        "--set",
        "data.sources=[]",
        "--set",
        f"data.files=[{data}]",
        "--set",
        "optim.max_steps=2",
        "--set",
        f"output_dir={tmp_path / 'run'}",
    ]
    subprocess.run(
        cmd, check=True, cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=300
    )
    meta = json.loads((tmp_path / "run" / "final" / "medllm-train.json").read_text())
    assert meta["result"]["steps"] == 2
