"""Every shipped YAML config loads and validates against the schema its `kind:` names."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core import load_any, load_builtin_registries

ROOT = Path(__file__).parents[3] / "configs"
CONFIGS = sorted(ROOT.rglob("*.yaml"))


def _accelerate(path: Path) -> bool:
    """configs/accelerate/ holds `accelerate launch` files (no `kind:`; checked by accelerate)."""
    return "accelerate" in path.relative_to(ROOT).parts


@pytest.mark.parametrize("path", CONFIGS, ids=[str(p.name) for p in CONFIGS])
def test_shipped_config_validates(path: Path) -> None:
    load_builtin_registries()
    first = path.read_text().splitlines()[0]
    command = "# accelerate launch " if _accelerate(path) else "# medllm "
    assert first.startswith(command), (
        f"{path}: first line must be a comment with the command that runs it"
    )
    load_any(path)


def test_every_config_kind_has_a_shipped_example() -> None:
    """The `kind:` lines of configs/ name exactly the registered schemas: a new kind ships with an
    example (which the test above then validates), and no example names a kind nobody registers."""
    from medllm.core import schemas

    load_builtin_registries()
    kinds = {
        line.split(":", 1)[1].strip()
        for p in CONFIGS
        for line in p.read_text().splitlines()
        if line.startswith("kind:")
    }
    # task specs ship inside the package (validated by tests/unit/evaluate/test_task_specs.py)
    assert any(map(_accelerate, CONFIGS))
    assert kinds | {"task", "accelerate"} == set(schemas.names())
