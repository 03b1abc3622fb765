"""Backend-independent pieces of log-likelihood scoring, shared so llamacpp and hf agree exactly."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from medllm.models.base import LoglikRequest, LoglikResult, split_context

Tokenize = Callable[[str], list[int]]


def encode_pair(
    tokenize: Tokenize, req: LoglikRequest, bos: list[int], prefix_token: int
) -> tuple[list[int], int]:
    """Tokens of context+continuation (with BOS when the model uses one) and where the continuation
    starts. Continuation tokens = tokens(whole)[len(tokens(context)):], as lm-eval does; an empty
    context is replaced by `prefix_token` (lm-eval's prefix_token_id) so the first token is scored."""
    context, continuation = split_context(req.context, req.continuation)
    whole = tokenize(context + continuation)
    ctx = tokenize(context) if context else []
    start = len(ctx)
    # A merge across the boundary can make the context's tokens not a prefix of the whole's; then
    # the two parts are encoded separately, so exactly the continuation's own tokens are scored.
    # lm-eval does not do this: it slices whole[len(ctx):] regardless, so such pairs can differ.
    if whole[:start] != ctx:
        whole = ctx + tokenize(continuation)
    if not bos and start == 0:
        bos = [prefix_token]
    return bos + whole, len(bos) + start


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax in float64 (logits: (positions, vocab))."""
    x = logits.astype(np.float64)
    x -= x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def score_positions(
    logprobs: np.ndarray, tokens: Sequence[int], start: int, first_row: int = 0
) -> LoglikResult:
    """`logprobs[i - first_row]` is the distribution after tokens[:i+1]; score tokens[start:]
    (start ≥ 1). Callers may pass only the rows from `first_row` on."""
    target = np.asarray(tokens[start:])
    rows = logprobs[start - 1 - first_row : len(tokens) - 1 - first_row]  # (n_cont, vocab)
    picked = rows[np.arange(len(target)), target]
    greedy = bool((rows.argmax(axis=-1) == target).all())
    return LoglikResult(float(picked.sum()), greedy, len(target), tuple(float(x) for x in picked))


def top_k(logprob_row: np.ndarray, k: int, decode: Callable[[int], str]) -> dict[str, float]:
    idx = np.argpartition(-logprob_row, k)[:k]
    idx = idx[np.argsort(-logprob_row[idx])]
    out: dict[str, float] = {}
    for i in idx:
        out.setdefault(decode(int(i)), float(logprob_row[i]))
    return out
