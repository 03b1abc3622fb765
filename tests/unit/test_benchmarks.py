"""`make bench` on a fresh clone: a benchmark that reads a trained model from runs/ skips it.

Each script is copied with benchmarks/_common.py into an empty tmp "clone" and run with its default
arguments, so its runs/ artifact is missing there; the check runs before any model is loaded.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks"

SKIPS = {
    "train_familiarity.py": "skipped: needs runs/studies/s2_finetuned_vs_base/sft_hpo_families/final "
    "(made by `medllm study configs/studies/s2_finetuned_vs_base.yaml`)",
    "train_export.py": "skipped: needs runs/bench_sft_vs_trl/ours/final "
    "(made by `python benchmarks/sft_vs_trl.py`)",
}


def common() -> ModuleType:
    """benchmarks/_common.py, loaded from its file (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_common", BENCH / "_common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh_clone(tmp_path: Path, script: str) -> Path:
    (tmp_path / "benchmarks").mkdir()
    for name in (script, "_common.py"):
        shutil.copy(BENCH / name, tmp_path / "benchmarks" / name)
    return tmp_path


@pytest.mark.parametrize("script", sorted(SKIPS))
def test_missing_runs_artifact_skips_with_one_line(tmp_path: Path, script: str) -> None:
    root = fresh_clone(tmp_path, script)
    done = subprocess.run(
        [sys.executable, f"benchmarks/{script}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, SKIPS[script] + "\n", "")
    assert not (root / "benchmarks" / "results").exists()  # nothing was measured or written


def test_present_artifact_does_not_skip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_artifact = common().require_artifact
    (tmp_path / "runs" / "studies" / "s9" / "arm" / "final").mkdir(parents=True)
    require_artifact(tmp_path, "runs/studies/s9/arm/final")
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit) as stop:
        require_artifact(tmp_path, "runs/studies/s9/other/final")
    assert stop.value.code == 0
    assert capsys.readouterr().out == (
        "skipped: needs runs/studies/s9/other/final "
        "(made by `medllm study configs/studies/s9.yaml`)\n"
    )


def test_made_by_names_the_command_of_each_runs_folder() -> None:
    made_by = common().made_by
    assert made_by("runs/studies/s3_lora_vs_full/lora/final") == (
        "medllm study configs/studies/s3_lora_vs_full.yaml"
    )
    assert made_by("runs/bench_sft_vs_trl/ours/final") == "python benchmarks/sft_vs_trl.py"
    assert made_by("runs/my_sft/final") == (
        "medllm train <kind> <config> --set output_dir=runs/my_sft"
    )


def test_ram_is_read_from_meminfo(tmp_path: Path) -> None:
    ram_gb = common().ram_gb
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24683584 kB\nMemFree:         1000 kB\n")
    assert ram_gb(meminfo) == 23.5
    assert ram_gb(tmp_path / "absent") is None


def test_load_note_states_the_cores_it_saw() -> None:
    load_note = common().load_note
    assert load_note(13.02, 2) == "load average 13.0 on 2 cores: other jobs shared the CPU"
    assert load_note(0.5, 16) == "load average 0.5 on 16 cores: cores were free"
    assert load_note(None, 4) == "load average unknown on 4 cores"
