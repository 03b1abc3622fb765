"""Synthetic training data files (the tiny model folder `tiny_dir` is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def sft_file(tmp_path: Path) -> Path:
    """Synthetic instruction data in all three chat formats (no real patient data)."""
    import json

    rows = [
        {
            "instruction": "What does ICD-10-CM code Z00.00 cover?",
            "input": "",
            "output": "A general adult exam.",
        },
        {
            "conversations": [
                {"from": "human", "value": "Name a symptom of anemia."},
                {"from": "gpt", "value": "Fatigue."},
            ]
        },
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What organ makes insulin?"},
                {"role": "assistant", "content": "The pancreas."},
            ]
        },
    ] * 8
    path = tmp_path / "sft.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
