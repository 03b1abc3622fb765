"""VQA scores: exact match, open recall and BLEU-1 against the majority-answer baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.vision import VqaItem, majority_answers, normalise, score_vqa, token_recall


def _item(n: int, question: str, answer: str, closed: bool, qtype: str) -> VqaItem:
    return VqaItem(f"x-{n}", Path("x.png"), question, answer, closed, qtype, "t", "test")


ITEMS = [
    _item(0, "Is there a lesion?", "yes", True, "presence"),
    _item(1, "Is there a lesion?", "no", True, "presence"),
    _item(2, "Which quadrant?", "upper left", False, "quadrant"),
    _item(3, "Which quadrant?", "lower right", False, "quadrant"),
]
TRAIN = [("Is there a lesion?", "yes")] * 2 + [("Is there a lesion?", "no")]
TRAIN += [("Which quadrant?", "upper left")]


def test_exact_match_recall_bleu_and_baseline() -> None:
    got = score_vqa(ITEMS, ["Yes.", "yes", "upper left", "lower left"], TRAIN)
    assert got["closed"] == {"n": 2, "accuracy": 0.5, "baseline_accuracy": 0.5}
    assert got["open"] == {"n": 2, "accuracy": 0.5, "baseline_accuracy": 0.5}
    assert got["type:quadrant"]["n"] == 2 and got["all"]["accuracy"] == 0.5
    assert got["open_recall"] == 0.75  # "upper left" 2 of 2 words, "lower left" 1 of 2
    assert got["baseline_open_recall"] == 0.5  # "upper left" for both: 2 of 2, 0 of 2
    assert got["open_bleu1"] == 0.75  # 3 of 4 unigrams match, no brevity penalty
    assert got["baseline_open_bleu1"] == 0.5


def test_helpers() -> None:
    assert normalise("  Upper   Left. ") == "upper left"
    assert token_recall("the upper left one", "Upper left") == 1.0
    assert token_recall("", "upper left") == 0.0
    assert majority_answers(TRAIN) == {"Is there a lesion?": "yes", "Which quadrant?": "upper left"}
    with pytest.raises(ValueError):
        score_vqa(ITEMS, ["yes"], TRAIN)  # one answer per item
