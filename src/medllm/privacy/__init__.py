"""Privacy: PHI de-identification (detect → transform) and the leakage audit.

Public API: `deidentify`, `Deidentifier`, `DeidConfig`, `run_deid` (files and folders; Ctrl-C raises
`DeidInterrupted`), keyed
`pseudonym`s for names and ids (`patient_pseudonym`, `keyed_digest`), the per-patient
`date_shift_days` the surrogate transform uses (DICOM de-id shares it), `evaluate`
(gold spans vs detections) and `medllm.privacy.audit.audit` (canaries, membership inference, scans).
Nothing here imports torch; the audit imports it only when it scores a model.
"""

from __future__ import annotations

from medllm.privacy.config import DeidConfig
from medllm.privacy.deid import Deidentifier, DeidResult, deidentify
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
    "DeidConfig",
    "DeidInterrupted",
    "DeidResult",
    "Deidentifier",
    "date_shift_days",
    "deidentify",
    "keyed_digest",
    "patient_pseudonym",
    "pseudonym",
    "pseudonym_name",
    "pseudonym_path",
    "run_deid",
    "run_key",
]
