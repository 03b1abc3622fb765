"""Leakage audit for a model trained on clinical notes: canary exposure, membership inference,
and a scan of generations and log files for PHI values of a gold corpus.

    from medllm.privacy.audit import audit
    report = audit(model, members=train_texts, nonmembers=heldout_texts, canaries=canaries,
                   scanner=PhiScanner.from_notes(gold_notes), log_paths=["runs/"])

`model` is any medllm `Model` (an `HFModel` wrapping a model trained in memory works). torch is
imported only by the model backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.privacy.audit.canary import (
    PHI_PREFIXES,
    Canary,
    embed_canaries,
    exposure,
    insert_canaries,
    make_canaries,
)
from medllm.privacy.audit.membership import auc, membership_auc, text_losses
from medllm.privacy.audit.scan import PhiScanner, ScanReport

__all__ = [
    "PHI_PREFIXES",
    "Canary",
    "PhiScanner",
    "ScanReport",
    "auc",
    "audit",
    "embed_canaries",
    "exposure",
    "insert_canaries",
    "make_canaries",
    "membership_auc",
    "sample_generations",
    "text_losses",
]


def sample_generations(
    model: Any, texts: Sequence[str], n: int, prefix_chars: int = 40, max_tokens: int = 48
) -> list[str]:
    """Greedy continuations of the first `prefix_chars` of `n` training texts (to scan for PHI)."""
    from medllm.models import GenerationParams

    params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
    return [model.generate(t[:prefix_chars], params) for t in texts[:n]]


def audit(
    model: Any,
    *,
    members: Sequence[str] = (),
    nonmembers: Sequence[str] = (),
    canaries: Sequence[Canary] = (),
    control_canaries: Sequence[Canary] = (),
    scanner: PhiScanner | None = None,
    generations: Sequence[str] = (),
    sample: int = 0,
    log_paths: Sequence[str | Path] = (),
    n_candidates: int = 500,
) -> dict[str, Any]:
    """Every measure whose inputs are given; the report holds figures and locations, no PHI."""
    report: dict[str, Any] = {"model": getattr(model, "id", type(model).__name__)}
    if canaries or control_canaries:
        report["canaries"] = [exposure(model, c, n_candidates) for c in canaries]
        report["control_canaries"] = [exposure(model, c, n_candidates) for c in control_canaries]
    if members and nonmembers:
        report["membership"] = membership_auc(model, members, nonmembers)
    if scanner is not None:
        gens = list(generations) + (sample_generations(model, members, sample) if sample else [])
        if gens:
            report["generations_scan"] = scanner.scan_texts(gens).to_dict()
        if log_paths:
            report["logs_scan"] = scanner.scan_files(log_paths).to_dict()
    return report
