"""The train / held-out split shared by every stage.

A source record (an ICD-10-CM code, an HPO disease, a medicine...) is held out by a stable hash of
its id, so the evaluation tasks and the training data builders agree without exchanging files, and
no held-out record can reach a training set.
"""

from __future__ import annotations

import hashlib

HELDOUT_PERCENT = 20


def is_heldout(record_id: str, namespace: str) -> bool:
    """True for about 20% of ids in `namespace` (e.g. "icd10cm", "hpo_disease"), the same forever."""
    digest = hashlib.sha256(f"{namespace}:{record_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def split_of(record_id: str, namespace: str) -> str:
    return "heldout" if is_heldout(record_id, namespace) else "train"
