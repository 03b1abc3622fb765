"""The train / held-out split shared by every stage, and the held-out dev and test halves.

A source record (an ICD-10-CM code, an HPO disease, a medicine...) is held out by a stable hash of
its id, so the evaluation tasks and the training data builders agree without exchanging files, and
no held-out record can reach a training set. The same hash halves the held-out records: `dev` to
choose between models, prompts or training arms, `test` to report the chosen one once (a figure
chosen on the items it reports is inflated). `heldout` is both halves: the tasks scored on it
before the halves existed keep their items.
"""

from __future__ import annotations

import hashlib

from medllm.core.errors import ConfigError

# Namespaces of the split: one per kind of record, used by the evaluation loaders and the training
# sources alike (a record's split is the hash of "<namespace>:<id>").
ICD10CM = "icd10cm"  # an ICD-10-CM code, "E11.9"
HPO_DISEASE = "hpo_disease"  # an HPO-annotated disease, "OMIM:271630"
WHO_MEDICINE = "who_medicine"  # a WHO essential medicine, by its normalised name

HELDOUT_PERCENT = 20
DEV_PERCENT = 10  # hash buckets 0-9 are dev, 10-19 test, 20-99 train
SPLITS = ("train", "heldout", "dev", "test")
_OTHER_HALF = {"dev": "test", "test": "dev"}


def _bucket(record_id: str, namespace: str) -> int:
    digest = hashlib.sha256(f"{namespace}:{record_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def is_heldout(record_id: str, namespace: str) -> bool:
    """True for about 20% of ids in `namespace` (e.g. "icd10cm", "hpo_disease"), the same forever."""
    return _bucket(record_id, namespace) < HELDOUT_PERCENT


def split_of(record_id: str, namespace: str) -> str:
    """The record's part: train, dev or test (dev and test are the halves of the held-out records)."""
    bucket = _bucket(record_id, namespace)
    return "dev" if bucket < DEV_PERCENT else "test" if bucket < HELDOUT_PERCENT else "train"


def check_split(split: str, where: str) -> str:
    """`split` if it is one of SPLITS, else a ConfigError naming `where` (a task's field)."""
    if split not in SPLITS:
        raise ConfigError(
            f"{where}: {split!r} is not a split", fix=f"use one of {', '.join(SPLITS)}"
        )
    return split


def in_split(record_id: str, namespace: str, split: str) -> bool:
    """Whether the record is in `split`: train, heldout (dev and test), dev or test."""
    part = split_of(record_id, namespace)
    return part == check_split(split, "split") or (split == "heldout" and part != "train")


def shown_in(record_id: str, namespace: str, split: str) -> bool:
    """Whether the record may appear in the items of `split` at all, as a distractor: every record
    but those of the other held-out half, so a dev item never shows a test record, nor the reverse."""
    return split_of(record_id, namespace) != _OTHER_HALF.get(check_split(split, "split"))
