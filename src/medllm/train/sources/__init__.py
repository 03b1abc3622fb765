"""Built-in training-data builders over the knowledge base's vocabularies (registry `train_sources`).

Each builder is `build(kind, *, split, limit, seed) -> list[row]`; split "train" uses only records
that `medllm.core.splits.is_heldout` leaves in training, and its rows say no held-out code,
description or name (`medllm.train.leakage`); "heldout" uses only the others.
"""
