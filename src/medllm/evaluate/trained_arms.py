"""Steps the studies that train their own arms share (S8 `federated_comparison`, S9
`privacy_leakage`): `--only` names, claiming the output folder for one set of settings, the rows
an earlier run measured, and the torch thread count."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.core import MedllmError, write_json

ROWS = "arms.jsonl"
SETTINGS = "settings.json"


def select(study: str, names: Sequence[str], only: Sequence[str] | None) -> list[str]:
    """The arms to run: all of them, or those `--only` names (an unknown name is refused)."""
    if not only:
        return list(names)
    if unknown := [n for n in only if n not in names]:
        raise MedllmError(
            f"study {study}: no arm named {', '.join(unknown)}",
            fix=f"--only takes names of the config's arms: {', '.join(names)}",
        )
    return [n for n in names if n in only]


def previous_settings(out: Path) -> dict[str, Any] | None:
    """The settings an earlier run recorded in `out`, or None; a folder that holds files but no
    record is refused (it is not this study's)."""
    record = out / SETTINGS
    if record.is_file():
        return json.loads(record.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    if any(out.iterdir()):
        raise MedllmError(
            f"{out}: the folder is not empty and holds no {SETTINGS}",
            fix="give the study another name or output_dir, or empty the folder",
        )
    return None


def claim(out: Path, settings: dict[str, Any], differ: list[str]) -> dict[str, dict[str, Any]]:
    """Refuse a folder measured with other settings (`differ` names them), else record
    `settings` and return the rows already measured there, by arm name."""
    if differ:
        raise MedllmError(
            f"{out}: measured with other settings ({', '.join(differ)} differ)",
            fix=f"give the study another name or output_dir, or delete {out} to start over",
        )
    write_json(out / SETTINGS, settings)
    path = out / ROWS
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return {r["name"]: r for r in (json.loads(x) for x in lines if x.strip())}


def set_threads(threads: int | None) -> None:
    if threads:
        import torch

        torch.set_num_threads(threads)
