"""Privacy: PHI de-identification (detect → transform) and the leakage audit.

Public API: `deidentify`, `Deidentifier`, `DeidConfig`, `run_deid` (files and folders; Ctrl-C raises
`DeidInterrupted`), keyed
`pseudonym`s for names and ids, `evaluate`
(gold spans vs detections) and `medllm.privacy.audit.audit` (canaries, membership inference, scans).
Nothing here imports torch; the audit imports it only when it scores a model.
"""

from __future__ import annotations

from medllm.privacy.config import DeidConfig
from medllm.privacy.deid import Deidentifier, DeidResult, deidentify
from medllm.privacy.pseudonym import pseudonym, pseudonym_name, pseudonym_path, run_key
from medllm.privacy.runner import DeidInterrupted, run_deid

__all__ = [
    "DeidConfig",
    "DeidInterrupted",
    "DeidResult",
    "Deidentifier",
    "deidentify",
    "pseudonym",
    "pseudonym_name",
    "pseudonym_path",
    "run_deid",
    "run_key",
]
