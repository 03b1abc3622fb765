"""benchmarks/train_familiarity.py: its no-model baseline scores the items the models are scored on."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from medllm.core.records import Question

BENCH = Path(__file__).parents[3] / "benchmarks" / "train_familiarity.py"


def test_word_overlap_scores_the_seeded_sample_run_eval_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from medllm.evaluate import tasks
    from medllm.evaluate.runner import select

    # 20 items; the word rule is right on items 10-19 only ("fever" is in the question and option A)
    items = [
        Question(f"q{i}", "Fever and cough.", ("Fever", "Rash"), answer=0 if i >= 10 else 1)
        for i in range(20)
    ]
    monkeypatch.setattr(tasks, "load_task", lambda name: items)
    monkeypatch.syspath_prepend(str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("train_familiarity", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "train_familiarity", bench)
    spec.loader.exec_module(bench)
    chosen = select(items, 8, seed=0)
    expected = sum(q.answer == 0 for q in chosen) / 8
    assert expected != 0.0  # the first 8 items would all score 0
    assert bench.word_overlap("any_task", 8) == {"acc": expected, "informative": 1.0}
