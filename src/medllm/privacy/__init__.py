"""Privacy: PHI de-identification (detect → transform) and the leakage audit.

Public API: `deidentify`, `Deidentifier`, `DeidConfig`, `run_deid` (files and folders; Ctrl-C raises
`DeidInterrupted`), keyed
`pseudonym`s for names and ids (`patient_pseudonym`, `keyed_digest`), the per-patient
`date_shift_days` the surrogate transform uses (DICOM de-id shares it), `evaluate`
(gold spans vs detections), `medllm.privacy.audit.audit` (canaries, membership inference, scans) and
the pieces of it that studies above use (`make_canaries`, `embed_canaries`, `exposure`, `auc`), and
the seeded synthetic note generator (`generate_notes`).
Nothing here imports torch; the audit imports it only when it scores a model.
"""

from __future__ import annotations

from medllm.privacy.audit import (
    PHI_PREFIXES,
    Canary,
    auc,
    embed_canaries,
    exposure,
    make_canaries,
)
from medllm.privacy.config import DeidConfig
from medllm.privacy.deid import Deidentifier, DeidResult, deidentify
from medllm.privacy.gold.synthetic import GoldNote, generate_notes
from medllm.privacy.pseudonym import (
    KEY_ENV,
    keyed_digest,
    patient_pseudonym,
    pseudonym,
    pseudonym_name,
    pseudonym_path,
    run_key,
)
from medllm.privacy.runner import DeidInterrupted, run_deid
from medllm.privacy.transforms.surrogate import date_shift_days

__all__ = [
    "KEY_ENV",
    "PHI_PREFIXES",
    "Canary",
    "DeidConfig",
    "DeidInterrupted",
    "DeidResult",
    "Deidentifier",
    "GoldNote",
    "auc",
    "date_shift_days",
    "deidentify",
    "embed_canaries",
    "exposure",
    "generate_notes",
    "keyed_digest",
    "make_canaries",
    "patient_pseudonym",
    "pseudonym",
    "pseudonym_name",
    "pseudonym_path",
    "run_deid",
    "run_key",
]
