"""`medllm train ...` through the real entry point (one error line, exit 2) and Typer's runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).parents[3]


def test_train_data_writes_the_rows(tmp_path: Path) -> None:
    from medllm.train.cli import app

    out = tmp_path / "rows.jsonl"
    res = CliRunner().invoke(
        app,
        [
            "data",
            str(ROOT / "configs/train/dpo.yaml"),
            "--out",
            str(out),
            "--set",
            "data.sources=[who_medicines]",
            "--set",
            "data.limit=5",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 5 and all({"prompt", "chosen", "rejected"} <= set(r) for r in rows)


def test_bad_row_is_one_error_line_with_file_and_line(tmp_path: Path, tiny_dir: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(
        '{"instruction": "Q?", "output": "A."}\n{"instruction": "Q?"}\n', encoding="utf-8"
    )
    cmd = [
        sys.executable,
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
        f"output_dir={tmp_path / 'run'}",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    err = " ".join(res.stderr.split())  # rich wraps at the terminal width
    assert f'{data}:2: field "output": missing' in err
    assert "Traceback" not in err
