"""The rules' speed work (issue #19) changes no output: `detect` gives exactly the spans (start,
end, kind) saved before it, `tests/fixtures/deid_spans/before.json.gz` (built by `build.py` there,
once, from the code before the change), on the dev notes, the 5 i2b2 notes and 300 generator notes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BUILD = Path(__file__).parents[2] / "fixtures" / "deid_spans" / "build.py"


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deid_spans_build", BUILD)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _differing(notes: dict[str, str], before: dict[str, list[list[object]]]) -> list[str]:
    now = _build().spans_of(notes)
    return [nid for nid in notes if now[nid] != before[nid]]


def test_spans_unchanged_on_a_subset() -> None:
    """Fast: every 4th dev note, the i2b2 notes and the first 60 generator notes."""
    build = _build()
    before = build.load_before()
    notes = build.corpus(n_synthetic=60)
    dev = sorted(n for n in notes if n.startswith("dev/"))
    subset = {k: v for k, v in notes.items() if not k.startswith("dev/") or k in dev[::4]}
    assert len(subset) == 72 + 5 + 60
    assert _differing(subset, before) == []


@pytest.mark.slow
def test_spans_unchanged_on_the_whole_corpus() -> None:
    build = _build()
    before = build.load_before()
    notes = build.corpus()
    assert len(notes) == len(before) == 591
    assert sum(len(v) for v in before.values()) == 14759
    assert _differing(notes, before) == []
