"""Metrics against hand-computed values."""

from __future__ import annotations

import pytest

from medllm.evaluate import metrics
from medllm.evaluate.parse import is_abstention, parse_choice


def test_bootstrap_ci_brackets_the_mean() -> None:
    values = [1.0] * 30 + [0.0] * 70
    lo, hi = metrics.bootstrap_ci(values)
    assert lo < 0.3 < hi and hi - lo < 0.25
    assert metrics.bootstrap_ci(values) == (lo, hi)  # seeded


def test_ece_and_reliability_bins() -> None:
    # two bins: conf 0.9 with acc 0.5 (gap 0.4), conf 0.3 with acc 0.5 (gap 0.2) → ECE 0.3
    rel = metrics.reliability([0.9, 0.9, 0.3, 0.3], [True, False, True, False])
    assert rel["ece"] == pytest.approx(0.3)
    assert [b["n"] for b in rel["bins"]] == [2, 2]


def test_text_metrics() -> None:
    assert metrics.token_f1("the heart is enlarged", "Heart enlarged.") == pytest.approx(0.8)
    assert metrics.exact_match("No acute disease.", "no acute disease") == 1.0
    assert metrics.rouge_l("no acute disease", "no acute cardiopulmonary disease") == pytest.approx(
        2 * 1 * 0.75 / 1.75
    )
    # BLEU-1 = brevity penalty × unigram precision: 3/3 matched, hyp 3 vs ref 4 → exp(1 - 4/3)
    import math

    assert metrics.bleu1_corpus(
        ["no acute disease"], ["no acute cardiopulmonary disease"]
    ) == pytest.approx(math.exp(1 - 4 / 3), abs=1e-4)


def test_choice_metrics_position_bias_and_rates() -> None:
    rows = [
        {"pred": 0, "correct": True, "confidence": 0.6},
        {"pred": 0, "correct": False, "confidence": 0.6},
        {
            "pred": None,
            "correct": False,
            "confidence": 0.6,
            "parse_failed": True,
            "abstained": True,
        },
        {"pred": 2, "correct": True, "confidence": 0.6},
    ]
    m = metrics.choice_metrics(rows, 4)
    assert m["acc"] == 0.5 and m["parse_failure_rate"] == 0.25 and m["abstention_rate"] == 0.25
    assert m["pred_dist"] == {"A": 0.5, "B": 0.0, "C": 0.25, "D": 0.0}
    assert m["medhalt_score"] == pytest.approx((2 - 0.5) / 4)


@pytest.mark.parametrize(
    ("text", "choices", "want"),
    [
        ("B", ("w", "x", "y", "z"), 1),
        ("The answer is (C).", ("w", "x", "y", "z"), 2),
        ("Let me think. A is wrong, B too.\nAnswer: D", ("w", "x", "y", "z"), 3),
        ("yes", ("yes", "no", "maybe"), 0),
        ("It is not known, maybe.", ("yes", "no", "maybe"), 2),
        (
            "Iron deficiency is most likely",
            ("B12 deficiency", "Iron deficiency", "Hemolysis", "Aplasia"),
            1,
        ),
        ("I cannot tell", ("w", "x", "y", "z"), None),
    ],
)
def test_parse_choice(text: str, choices: tuple[str, ...], want: int | None) -> None:
    assert parse_choice(text, choices) == want


def test_abstention() -> None:
    assert is_abstention("I don't know the answer.") and not is_abstention("The answer is A.")
