"""The built wheel, installed away from the source tree, carries its tasks and its stages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.stem for p in (ROOT / "src/medllm/evaluate/task_specs").glob("*.yaml"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout and installed (no dependencies) into a scratch target;
    the dependencies come from the running environment."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree = tmp / "tree"  # a copy: setuptools writes build/ next to the project it builds
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", tree / "src", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", tree], check=True
    )
    (wheel,) = (tmp / "dist").glob("medllm-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", tmp / "site", wheel], check=True)
    return tmp / "site"


def _run(site: Path, code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=site.parent,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def test_installed_wheel_registers_every_shipped_task_from_inside_the_package(
    installed: Path,
) -> None:
    code = (
        "import medllm; from medllm.core import get_registry; reg = get_registry('tasks'); "
        "print(medllm.__file__); [print(n, reg.get(n)) for n in reg.names()]"
    )
    first, *rows = _run(installed, code).splitlines()
    assert first == str(installed / "medllm" / "__init__.py")  # not the source checkout
    tasks = {name: Path(path) for name, path in (r.split(" ", 1) for r in rows)}
    # 22: the 4 counterfactual (bias) tasks of the study runner since #21
    assert sorted(tasks) == SHIPPED and len(SHIPPED) == 22
    assert all(p.parent == installed / "medllm/evaluate/task_specs" for p in tasks.values())


def test_installed_wheel_mounts_every_stage_cli(installed: Path) -> None:
    code = "import typer; from medllm.cli import app; print(sorted(typer.main.get_command(app).commands))"
    assert _run(installed, code).strip() == str(
        [
            "ask",
            "deid",
            "eval",
            "explain",
            "federated",
            "kb",
            "ls",
            "models",
            "privacy",
            "report",
            "run",
            "serve",
            "study",
            "train",
            "triage",
            "validate",
            "vision",
        ]
    )


def test_installed_wheel_carries_the_tier_requirements(installed: Path) -> None:
    """`medllm ask`'s install command points into the package, so the pinned files must ship."""
    reqs = installed / "medllm" / "models" / "requirements"
    assert sorted(p.name for p in reqs.glob("*.txt")) == ["large.txt", "medium.txt"]
    assert (reqs / "large.txt").read_text().count("--hash=sha256:") == 22
