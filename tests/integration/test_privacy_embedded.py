"""The leakage audit on the real embedded model (SmolLM2-135M via transformers), which never saw
these synthetic notes or canaries: near-chance membership AUC, no canary memorised."""

from __future__ import annotations

from typing import Any

import pytest

from medllm.privacy.audit import PhiScanner, audit, make_canaries
from medllm.privacy.gold.synthetic import generate_notes

pytestmark = pytest.mark.integration


def test_audit_of_the_embedded_model(default_hf_model: Any) -> None:
    notes = generate_notes(16, seed=42)
    texts = [n.text[:200] for n in notes]
    report = audit(
        default_hf_model,
        members=texts[:8],
        nonmembers=texts[8:],
        control_canaries=make_canaries(1, seed=9),
        scanner=PhiScanner.from_notes(notes),
        sample=1,
        n_candidates=30,
    )
    assert 0.15 < report["membership"]["auc"] < 0.85
    control = report["control_canaries"][0]
    assert control["exposure_gaussian"] < 8 and control["max_exposure"] == pytest.approx(
        19.932, abs=1e-3
    )
    assert report["generations_scan"]["scanned"] == 1
    assert report["model"].startswith("hf:")
