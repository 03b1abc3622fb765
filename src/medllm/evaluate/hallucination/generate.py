"""Batched generation with per-token uncertainty, for the S7 study.

`HFModel.generate_batch` generates one prompt at a time; on 2 CPU cores a batch of 20 short
answers costs about as much as 5 single ones, so the study batches here (left padding, one
`generate` call per batch). Greedy answers also give, per generated token, the entropy of the
model's next-token distribution and the margin between its two most likely tokens (nats).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from medllm.core import ChatMessage
from medllm.models import HFModel


@dataclass(frozen=True)
class Generated:
    text: str
    entropy: float  # mean over the answer's tokens (nats); 0 for sampled answers
    margin: float  # mean top-1 minus top-2 log-prob over the answer's tokens (nats)
    n_tokens: int


def token_uncertainty(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entropy and top-2 log-prob margin per row of (steps, vocab) logits."""
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    entropy = -(np.exp(logp) * logp).sum(axis=-1)
    top2 = np.sort(logp, axis=-1)[:, -2:]
    return entropy, top2[:, 1] - top2[:, 0]


def _answer_len(tokens: Sequence[int], stops: set[int]) -> int:
    return next((i for i, t in enumerate(tokens) if t in stops), len(tokens))


def _batch(
    hf: HFModel, prompts: list[str], max_tokens: int, temperature: float, k: int
) -> list[Generated]:
    import torch

    tok = hf.tokenizer
    side, tok.padding_side = tok.padding_side, "left"
    try:
        enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    finally:
        tok.padding_side = side
    kw: dict[str, Any] = {"max_new_tokens": max_tokens, "pad_token_id": tok.pad_token_id}
    if temperature > 0:
        kw.update(do_sample=True, temperature=temperature, top_p=0.95, num_return_sequences=k)
    else:
        kw.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        kw.update(output_scores=True, return_dict_in_generate=True)
    with torch.no_grad():
        out = hf.model.generate(**enc.to(hf.device), **kw)
    seqs = out.sequences if temperature == 0 else out
    new = seqs[:, enc["input_ids"].shape[1] :].cpu().numpy()  # (batch * k, steps)
    # (steps, batch, vocab) → per sequence (steps, vocab); only greedy keeps scores
    scores = (
        np.stack([s.float().cpu().numpy() for s in out.scores], 1) if temperature == 0 else None
    )
    stops = {t for t in (tok.eos_token_id, tok.pad_token_id) if t is not None}
    rows = []
    for i, toks in enumerate(new):
        n = _answer_len(list(toks), stops)
        ent = mar = 0.0
        if scores is not None and n:
            e, m = token_uncertainty(scores[i, :n])
            ent, mar = float(e.mean()), float(m.mean())
        text = tok.decode(toks[:n], skip_special_tokens=True).strip()
        rows.append(Generated(text, ent, mar, n))
    return rows


def generate(
    hf: HFModel,
    chats: Sequence[Sequence[ChatMessage]],
    max_tokens: int,
    *,
    temperature: float = 0.0,
    k: int = 1,
    seed: int = 0,
    batch_size: int = 16,
) -> list[list[Generated]]:
    """Per chat, k answers (greedy: k = 1, with entropy and margin; sampled: seeded per batch)."""
    import torch

    prompts = [hf.apply_chat_template(list(c)) for c in chats]
    per = max(1, batch_size // k)
    out: list[list[Generated]] = []
    for b in range(0, len(prompts), per):
        if temperature > 0:
            torch.manual_seed(seed * 1_000_003 + b)
        rows = _batch(hf, prompts[b : b + per], max_tokens, temperature, k if temperature else 1)
        step = k if temperature else 1
        out += [rows[j : j + step] for j in range(0, len(rows), step)]
    return out
