"""Frozen-encoder features on disk, so training and evaluation run each image through it once.

A feature file is keyed by the SHA-256 of the encoder's exact input (the preprocessed array:
pixels after window, resize and normalisation) together with the encoder's name and weights
version: renaming or copying an image hits the same entry, a different window or encoder does
not. Files are `FOLDER/<encoder>/<key>.npy`, float32 `(tokens, dim)`, written owner-only (0700 /
0600: features of an image that is not de-identified are derived from it) and atomically (a
half-written file never becomes an entry). Names carry no input file name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from medllm.core import DataError, owner_only

if TYPE_CHECKING:
    from medllm.vision.image import Image


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


def feature_key(encoder: Any, x: np.ndarray) -> str:
    h = hashlib.sha256(f"{encoder.name}\0{encoder.version}\0{x.shape}\0".encode())
    h.update(np.ascontiguousarray(x, dtype=np.float32).tobytes())
    return h.hexdigest()


class FeatureCache:
    """`features(encoder, images)` → `(batch, tokens, dim)`, encoding only the images not cached."""

    def __init__(self, folder: str | Path, batch_size: int = 8) -> None:
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.stats = CacheStats()

    def features(self, encoder: Any, images: Sequence[Image]) -> np.ndarray:
        if encoder.trainable:
            raise DataError(
                f"encoder {encoder.name!r} is trained with the model: its features change",
                fix="cache only frozen encoders (vit_s14, efficientnet_lite0)",
            )
        inputs = [encoder.preprocess(im) for im in images]
        paths = [self.folder / encoder.name / f"{feature_key(encoder, x)}.npy" for x in inputs]
        todo = [i for i, p in enumerate(paths) if not p.is_file()]
        self.stats.hits += len(paths) - len(todo)
        self.stats.misses += len(todo)
        if todo:
            self._encode(encoder, [inputs[i] for i in todo], [paths[i] for i in todo])
        return np.stack([self._read(p) for p in paths])

    def _encode(self, encoder: Any, inputs: list[np.ndarray], paths: list[Path]) -> None:
        with owner_only(self.folder):
            (self.folder / encoder.name).mkdir(exist_ok=True)
            for start in range(0, len(inputs), self.batch_size):
                batch = np.stack(inputs[start : start + self.batch_size])
                for feats, path in zip(encoder.encode(batch), paths[start:], strict=False):
                    tmp = path.with_suffix(f".{os.getpid()}.tmp")
                    with tmp.open("wb") as f:
                        np.save(f, np.ascontiguousarray(feats, dtype=np.float32))
                    tmp.replace(path)

    @staticmethod
    def _read(path: Path) -> np.ndarray:
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            raise DataError(
                "feature cache entry is unreadable", path=path, fix="delete it; it is rebuilt"
            ) from None
