"""The bad-input table (benchmarks/bad_inputs.py): its shape here; the slow test runs it and
asserts every case is good (273 of 273 on 2026-12-02: benchmarks/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks"


def table() -> list:  # type: ignore[type-arg]
    sys.path.insert(0, str(BENCH))
    try:
        from bad_input_cases import CASES
    finally:
        sys.path.remove(str(BENCH))
    return CASES


def test_the_table_has_150_cases_with_unique_ids_and_the_issue_cases() -> None:
    cases = table()
    ids = Counter(c.id for c in cases)
    assert len(cases) >= 150
    assert [i for i, n in ids.items() if n > 1] == []
    areas = Counter(c.area for c in cases)
    for area in ("ask", "eval", "deid_run", "deid_eval", "kb", "train", "study", "models"):
        assert areas[area] >= 4, area
    for area in ("validate", "ls", "report", "privacy"):
        assert areas[area] >= 1, area
    assert sum(1 for c in cases if c.issue) >= 40
    assert all(
        c.phi and c.scan
        for c in cases
        if c.area == "deid_run" and c.id != "deid_no_args" and c.id != "deid_sigint"
    )


@pytest.mark.slow
def test_every_bad_input_case_is_good(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "bad_inputs.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((tmp_path / "bad_inputs.json").read_text())
    bad = {r["id"]: r["why"] for r in result["rows"] if r["verdict"] != "good"}
    assert bad == {}
