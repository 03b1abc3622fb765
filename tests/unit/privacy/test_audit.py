"""The leakage audit on a tiny Llama trained here: a memorised canary is exposed, an unseen one is
not; training notes are told apart from held-out ones; PHI in generations and logs is found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medllm.privacy.audit import (
    PhiScanner,
    auc,
    audit,
    exposure,
    insert_canaries,
    make_canaries,
    membership_auc,
)
from medllm.privacy.gold.synthetic import GoldNote, generate_notes

torch = pytest.importorskip("torch")


def _train(texts: list[str], steps: int = 40, seed: int = 0) -> Any:
    """Fine-tune the tiny Llama on `texts` until it memorises them (full-batch AdamW, ~30 tokens
    per text: the 49k-token output layer dominates the cost, so texts are kept short)."""
    from medllm.models.hf import HFModel
    from medllm.models.tiny import tiny_llama

    model, tok = tiny_llama(seed)
    model.train()
    enc = tok(texts, return_tensors="pt", padding=True, truncation=True, max_length=32)
    labels = enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(steps):
        loss = model(
            input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=labels
        ).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return HFModel(model, tok, name="hf:tiny-trained", batch_size=32)


@pytest.fixture(scope="module")
def setup() -> dict[str, Any]:
    notes = generate_notes(32, seed=11)
    texts = [n.text[:80] for n in notes]
    members, nonmembers = texts[:16], texts[16:]
    inserted, control = make_canaries(2, seed=3)
    train_texts = insert_canaries(members, [inserted], repeats=8)
    return {
        "notes": notes,
        "members": members,
        "nonmembers": nonmembers,
        "inserted": inserted,
        "control": control,
        "model": _train(train_texts),
    }


def test_memorised_canary_is_exposed_and_unseen_one_is_not(setup: dict[str, Any]) -> None:
    model = setup["model"]
    seen = exposure(model, setup["inserted"], n_candidates=50)
    unseen = exposure(model, setup["control"], n_candidates=50)
    assert seen["rank_among_candidates"] == 1 and seen["exposure"] == pytest.approx(5.672, abs=1e-3)
    assert seen["exposure_gaussian"] > 8
    assert unseen["exposure_gaussian"] < seen["exposure_gaussian"] - 4


def test_membership_auc_detects_training_notes(setup: dict[str, Any]) -> None:
    from medllm.models.tiny import tiny_hf_model

    trained = membership_auc(setup["model"], setup["members"], setup["nonmembers"])
    assert trained["auc"] > 0.85 and trained["mean_loss_members"] < trained["mean_loss_nonmembers"]
    untrained = membership_auc(tiny_hf_model(0), setup["members"], setup["nonmembers"])
    assert 0.2 < untrained["auc"] < 0.8


def test_auc_by_hand() -> None:
    assert auc([3, 2], [1, 0]) == 1.0
    assert auc([1], [1]) == 0.5
    assert auc([0, 2], [1, 3]) == 0.25


def test_scan_finds_phi_in_generations_and_logs_without_reporting_values(
    tmp_path: Path, setup: dict[str, Any]
) -> None:
    notes: list[GoldNote] = setup["notes"]
    scanner = PhiScanner.from_notes(notes)
    phone = next(n.text[s.start : s.end] for n in notes for s in n.spans if s.kind == "PHONE")
    log = tmp_path / "logs" / "train.log"
    log.parent.mkdir()
    log.write_text("step 1 loss 2.3\nsample: call me at " + phone + " tomorrow\nstep 2 loss 2.1\n")
    report = audit(
        setup["model"],
        members=setup["members"],
        nonmembers=setup["nonmembers"],
        canaries=[setup["inserted"]],
        control_canaries=[setup["control"]],
        scanner=scanner,
        generations=["nothing to see here", f"the number is {phone}"],
        sample=1,
        log_paths=[tmp_path / "logs"],
        n_candidates=20,
    )
    assert report["logs_scan"]["phi_hits"] == 1 and report["logs_scan"]["by_type"] == {"PHONE": 1}
    assert report["logs_scan"]["locations"] == [f"{log}:2: PHONE"]
    assert (
        report["generations_scan"]["scanned"] == 3 and report["generations_scan"]["phi_hits"] >= 1
    )
    assert phone not in str(report)
    assert report["membership"]["auc"] > 0.85
    assert report["canaries"][0]["rank_among_candidates"] == 1
    assert scanner.find("Will check labs in May.") == []
