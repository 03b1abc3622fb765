"""Resume equivalence on the real embedded model: a LoRA SFT run killed (SIGKILL) right after its
checkpoint at step k, then resumed with --resume, ends at the same loss as an uninterrupted run.

    .venv/bin/python benchmarks/train_resume.py [--steps 6] [--kill-at 3]

Both runs are the CLI (`medllm train sft configs/train/sft.yaml --set ...`) in their own process,
same seed. Writes benchmarks/results/train_resume.json and the `train_resume` README line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import train_command, train_result, versions, write_result

ROOT = Path(__file__).parents[1]


def command(out: Path, steps: int, kill_at: int, resume: bool = False) -> list[str]:
    sets = [
        f"output_dir={out}",
        f"optim.max_steps={steps}",
        f"optim.save_steps={kill_at}",
        "optim.batch_size=2",
        "optim.max_length=64",
        "data.limit=20",
        "optim.tensorboard=false",
    ]
    return train_command("sft", "configs/train/sft.yaml", sets) + (["--resume"] if resume else [])


def kill_after_checkpoint(cmd: list[str], ckpt: Path, timeout: float = 1800) -> float:
    """Start `cmd`, SIGKILL its process group once `ckpt` is complete; returns seconds it ran."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    while not (ckpt / "trainer_state.json").is_file():
        if proc.poll() is not None:
            raise SystemExit(f"training ended (rc {proc.returncode}) before {ckpt.name} appeared")
        if time.perf_counter() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            raise SystemExit("timed out waiting for the checkpoint")
        time.sleep(0.2)
    time.sleep(0.5)  # let it get into the next step, so the kill lands mid-training
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--kill-at", type=int, default=3)
    p.add_argument("--out", default="runs/bench_resume")
    a = p.parse_args()
    out = ROOT / a.out
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(command(out / "straight", a.steps, a.kill_at), cwd=ROOT, check=True)
    killed_s = kill_after_checkpoint(
        command(out / "killed", a.steps, a.kill_at), out / "killed" / f"checkpoint-{a.kill_at}"
    )
    assert not (out / "killed" / "final").exists(), "the run finished before it was killed"
    subprocess.run(command(out / "killed", a.steps, a.kill_at, resume=True), cwd=ROOT, check=True)
    straight, resumed = train_result(out / "straight"), train_result(out / "killed")
    rel = abs(resumed["final_loss"] - straight["final_loss"]) / abs(straight["final_loss"])
    res = {
        "final_loss_straight": straight["final_loss"],
        "final_loss_resumed": resumed["final_loss"],
        "relative_diff": rel,
        "passes_1e-4": rel <= 1e-4,
        "steps": a.steps,
        "killed_at_step": a.kill_at,
        "killed_after_s": killed_s,
        "signal": "SIGKILL",
        "model": "SmolLM2-135M-Instruct (hf:default), LoRA",
        "versions": versions("torch", "transformers", "trl", "peft"),
    }
    summary = (
        f"SIGKILL after checkpoint {a.kill_at}/{a.steps}, resumed: final loss {resumed['final_loss']:.6f} "
        f"vs uninterrupted {straight['final_loss']:.6f} (relative diff {rel:.1e})"
    )
    cmd = f"python benchmarks/train_resume.py --steps {a.steps} --kill-at {a.kill_at}"
    print(write_result("train_resume", res, summary, cmd))
    print(summary)


if __name__ == "__main__":
    main()
