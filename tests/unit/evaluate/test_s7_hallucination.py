"""S7 hallucination study: coverage / risk, abstention rules, the claim splitter and checker, the
report's JSON shape, and unknown arm names refused before anything runs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from medllm.core import MedllmError, load_config
from medllm.evaluate.hallucination import HallucinationConfig, run_hallucination
from medllm.evaluate.hallucination.report import write_report
from medllm.evaluate.hallucination.risk import curve, rate_ci, ratio_ci, threshold_for
from medllm.evaluate.hallucination.score import agreement, arm_metrics, complete, shown
from medllm.evaluate.hallucination.signals import Item, source_row
from medllm.rag import Source, check_answer, check_claim, split_claims

CONF = [0.9, 0.8, 0.8, None, 0.3]
WRONG = [False, True, False, False, True]


def test_coverage_risk_curve_on_a_toy_set() -> None:
    # ties (0.8, 0.8) are answered together; None is never answered
    assert curve(CONF, WRONG) == [(0.2, 0.0), (0.6, 1 / 3), (0.8, 0.5)]
    assert threshold_for(CONF, 0.5) == 0.8  # ceil(2.5) = 3 items answered
    assert threshold_for(CONF, 0.2) == 0.9
    assert threshold_for(CONF, 1.0) == -math.inf  # only 4 of 5 items can be answered
    assert rate_ci([]) == (0.0, 0.0, 0.0)
    assert rate_ci([True, True]) == (1.0, 1.0, 1.0)


def test_ratio_of_rates_is_paired() -> None:
    base = ([True] * 4, [True, True, False, False])  # rate 0.5
    arm = ([True, False, True, False], [False, True, False, False])  # answered 0, 2: rate 0
    assert ratio_ci(base, arm, n=50)[0] == 0.0


def _sig(text: str = "Gout is arthritis.", **plain: float) -> dict[str, dict]:
    return {
        "plain": {"text": text, "entropy": plain.get("entropy", 1.25), "margin": 0.5},
        "samples": {"texts": ["Gout is arthritis.", "Gout is a kidney disease."]},
        "rag": {"text": "Gout is arthritis [1].", "shown": "", "abstained": True, "support": 0.0},
    }


def test_abstention_rules_on_fixed_scores() -> None:
    cfg = HallucinationConfig()
    assert shown("none", cfg, _sig()) == ("Gout is arthritis.", 1.0)
    assert shown("uncertainty", cfg, _sig()) == ("Gout is arthritis.", -1.25)
    margin = cfg.model_copy(update={"uncertainty": "margin"})
    assert shown("uncertainty", margin, _sig()) == ("Gout is arthritis.", 0.5)
    # {gout, is, arthritis} vs itself 1, vs {gout, is, a, kidney, disease} 2/6
    assert shown("self_consistency", cfg, _sig()) == ("Gout is arthritis.", pytest.approx(2 / 3))
    assert shown("rag", cfg, _sig()) == ("Gout is arthritis [1].", 1.0)
    assert shown("rag_abstention", cfg, _sig()) == ("", None)  # its gates withheld it
    assert shown("none", cfg, _sig("I do not know the answer."))[1] is None
    assert agreement("E11.9 is diabetes.", ["E11.9 is diabetes."]) == 1.0
    assert complete("Gout is arthritis. It is an") == "Gout is arthritis."
    assert complete("Gout is an") == "Gout is an"


def test_claim_splitter_on_fixed_text() -> None:
    text = (
        "Gout is arthritis [1]. It is caused by uric acid crystals; it affects the big toe.\n"
        "- E11.9 is type 2 diabetes without complications. Yes. The dose is 5.5 mg daily."
    )
    assert split_claims(text) == [
        "Gout is arthritis.",
        "It is caused by uric acid crystals",
        "it affects the big toe.",
        "E11.9 is type 2 diabetes without complications.",
        "The dose is 5.5 mg daily.",
    ]


RADIUS = Source(
    1,
    "icd10cm:S52.531",
    "icd10cm:S52.531",
    "S52.531 Colles' fracture of right radius",
    "icd10cm",
    "",
    1.0,
    "ICD-10-CM S52.531: Colles' fracture of right radius. It is not a fracture of the wrist bones.",
)


@pytest.mark.parametrize(
    ("claim", "supported", "why"),
    [
        ("S52.531 is a Colles' fracture of the right radius.", True, ""),
        ("S52.531 is a Colles' fracture of the left radius.", False, "contrast"),
        ("S52.532 is a Colles' fracture of the right radius.", False, "ids"),
        ("Colles' fracture of the right radius is treated with surgery.", False, "content"),
    ],
)
def test_claim_checker_rules(claim: str, supported: bool, why: str) -> None:
    got = check_claim(claim, [RADIUS])
    assert (got.supported, got.why) == (supported, why)


def test_claim_checker_polarity() -> None:
    got = check_claim("It is a fracture of the wrist bones.", [RADIUS])
    assert (got.supported, got.why) == (False, "polarity")


def _toy(tmp_path: Path) -> tuple[HallucinationConfig, list[Item], dict]:
    cfg = HallucinationConfig(output_dir=str(tmp_path), results_file=str(tmp_path / "r.json"))
    items = [Item("a", "q a", "answerable", ("S52.531",)), Item("b", "q b", "answerable")]
    items += [Item("u", "q u", "unanswerable")]
    ev = {i.id: {"sources": [source_row(RADIUS)]} for i in items}
    right = "S52.531 is a Colles' fracture of the right radius."
    left = "S52.531 is a Colles' fracture of the left radius."
    plain = {
        "a": {"text": right, "entropy": 0.5, "margin": 2.0},
        "b": {"text": left, "entropy": 2.5, "margin": 0.1},
        "u": {"text": left, "entropy": 3.0, "margin": 0.1},
    }
    return cfg, items, {"evidence": ev, "plain": plain}


def test_arm_metrics_and_json_shape(tmp_path: Path) -> None:
    cfg, items, signals = _toy(tmp_path)
    check = lambda text, srcs: check_answer(text, srcs)  # noqa: E731 - the real checker, no embedder
    none = arm_metrics("none", cfg, items, signals, check)
    unc = arm_metrics("uncertainty", cfg, items, signals, check)
    assert (none["coverage"], none["hallucination_rate"], none["key_accuracy"]) == (1.0, 0.5, 0.5)
    assert none["curve"] == [(1.0, 0.5)] and none["abstain_unanswerable"] == 0.0
    # answers the half with the lowest entropy (item a, right); the threshold -0.5 abstains on u
    assert (unc["coverage"], unc["hallucination_rate"], unc["threshold"]) == (0.5, 0.0, -0.5)
    assert unc["curve"] == [(0.5, 0.0), (1.0, 0.5)] and unc["abstain_unanswerable"] == 1.0
    for arm in (none, unc):
        arm["medhalt"] = {}
    checker = {"n": 0, "n_supported": 0, "accuracy": 0, "precision": 0, "recall": 0}
    checker["unsupported_recall"] = 0
    write_report(cfg, tmp_path, [none, unc], checker, "hf:tiny", 1.0)
    got = json.loads((tmp_path / "r.json").read_text())
    assert [a["name"] for a in got["arms"]] == ["none", "uncertainty"]
    for arm in got["arms"]:
        assert {"name", "coverage", "hallucination_rate", "ci_low", "ci_high"} <= set(arm)
    assert got["best_vs_none"]["arm"] == "uncertainty" and got["best_vs_none"]["ratio"] == 0.0
    assert 'src="data:image/png;base64,' in (tmp_path / "report.html").read_text()


def test_unknown_arm_fails_before_anything_runs(tmp_path: Path) -> None:
    path = tmp_path / "s7.yaml"
    path.write_text(f"kind: hallucination\narms: [none, magic]\noutput_dir: {tmp_path / 'o'}\n")
    with pytest.raises(MedllmError) as err:
        load_config(path, HallucinationConfig)
    assert "unknown arm magic: the S7 arms are none, rag, self_consistency" in str(err.value)
    cfg = HallucinationConfig(output_dir=str(tmp_path / "o"))
    with pytest.raises(MedllmError, match=r"unknown arm magic.*rag_abstention"):
        run_hallucination(cfg, only=["magic"])
    assert not (tmp_path / "o").exists()


def test_token_uncertainty_exact() -> None:
    import numpy as np

    from medllm.evaluate.hallucination.generate import token_uncertainty

    ent, mar = token_uncertainty(np.array([[0.0, 0.0], [math.log(3.0), 0.0]]))
    assert ent == pytest.approx([math.log(2), -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))])
    assert mar == pytest.approx([0.0, math.log(3.0)])


def test_batched_greedy_matches_one_at_a_time(tiny_model) -> None:  # type: ignore[no-untyped-def]
    from medllm.core import ChatMessage
    from medllm.evaluate.hallucination.generate import generate

    chats = [[ChatMessage("user", q)] for q in ("What is gout?", "Define anemia in one line.")]
    both = generate(tiny_model, chats, 6, batch_size=2)
    one = [generate(tiny_model, [c], 6, batch_size=1)[0] for c in chats]
    assert [g[0].text for g in both] == [g[0].text for g in one]
    assert all(g[0].n_tokens == 6 and g[0].entropy > 0 for g in both)
    sampled = generate(tiny_model, chats, 4, temperature=0.7, k=3, seed=1, batch_size=6)
    assert [len(g) for g in sampled] == [3, 3]
