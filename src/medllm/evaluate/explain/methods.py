"""Token attribution methods: each takes the hf model and a `Target` and returns one score per
feature token (numpy, (n_features,)); registered by name in the `attributions` registry
(`medllm ls attributions`).

- `ig`: integrated gradients (Captum's `LayerIntegratedGradients` over the input embeddings),
  from the baseline input (every feature token replaced by the baseline token) to the prompt; the
  scores sum to f(prompt) - f(baseline) up to the integral's error (Captum's convergence delta).
- `rollout`: attention rollout (Abnar & Zuidema 2020): per layer the head-averaged attention with
  the residual added, 0.5 A + 0.5 I, rows renormalised, multiplied from the first layer up; the
  score of a token is its column, averaged over the rows that predict the answer's tokens.
  Captum has no attention rollout, so it is written here (a few matrix products).
- `random`: seeded uniform scores, the faithfulness curves' reference.

Leave-one-source-out (`loo_sources`) scores retrieved sources, not tokens: the drop in the
answer's log-likelihood when one source is left out of the prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import numpy as np

from medllm.evaluate.explain.target import Target, answer_logprob
from medllm.evaluate.registry import attributions
from medllm.models import HFModel

Attribution = Callable[..., np.ndarray]


def _ids(model: HFModel, ids: Any) -> Any:
    import torch

    return torch.tensor([list(ids)], device=model.device)


def integrated_gradients(
    model: HFModel,
    target: Target,
    *,
    steps: int = 16,
    seed: int = 0,
    delta: list[float] | None = None,
) -> np.ndarray:
    """Integrated gradients of the answer's log-likelihood with respect to each token's input
    embedding, summed over the embedding dimensions; Gauss-Legendre quadrature with `steps`
    points (Captum's default), one batch. `delta`, when given, receives Captum's convergence
    delta: the scores' sum minus (f(prompt) - f(baseline))."""
    from captum.attr import LayerIntegratedGradients

    net = model.model
    start = target.start

    def forward(batch: Any) -> Any:
        return answer_logprob(net, batch, start)

    lig = LayerIntegratedGradients(forward, net.get_input_embeddings())
    x = _ids(model, target.ids)
    base = _ids(model, target.with_absent(range(target.n_features)))
    with frozen(net):
        attr, conv = lig.attribute(
            x,
            baselines=base,
            n_steps=steps,
            internal_batch_size=steps,
            return_convergence_delta=True,
        )
    if delta is not None:
        delta.append(float(conv.sum()))
    per_token = attr.sum(-1)[0].detach().float().cpu().numpy()  # (tokens,)
    return per_token[list(target.features)].astype(np.float64)


@contextmanager
def frozen(net: Any) -> Any:
    """No gradients for the weights while inside: IG needs only the embeddings' (about half the
    backward pass's work on a CPU)."""
    params = [p for p in net.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


@contextmanager
def eager_attention(net: Any) -> Any:
    """SDPA kernels return no attention weights: the eager implementation while inside."""
    before = getattr(net.config, "_attn_implementation", "sdpa")
    net.set_attn_implementation("eager")
    try:
        yield
    finally:
        net.set_attn_implementation(before)


def rollout_matrix(attentions: list[np.ndarray]) -> np.ndarray:
    """(tokens, tokens) rollout of per-layer attention (each (heads, tokens, tokens)), first layer
    first: every row sums to 1."""
    n = attentions[0].shape[-1]
    out = np.eye(n)
    for layer in attentions:
        a = 0.5 * layer.mean(axis=0) + 0.5 * np.eye(n)
        a /= a.sum(axis=-1, keepdims=True)
        out = a @ out
    return out


def attention_maps(model: HFModel, ids: Any) -> list[np.ndarray]:
    """Each layer's attention weights for one sequence, (heads, tokens, tokens), float64."""
    import torch

    net = model.model
    with eager_attention(net), torch.no_grad():
        out = net(input_ids=_ids(model, ids), output_attentions=True)
    return [a[0].double().cpu().numpy() for a in out.attentions]


def attention_rollout(
    model: HFModel, target: Target, *, steps: int = 0, seed: int = 0
) -> np.ndarray:
    """Rollout rows of the positions that predict the answer's tokens, averaged, at the feature
    tokens (non-negative)."""
    roll = rollout_matrix(attention_maps(model, target.ids))
    rows = roll[target.start - 1 : len(target.ids) - 1]  # (answer tokens, tokens)
    return rows.mean(axis=0)[list(target.features)]


def random_scores(model: HFModel, target: Target, *, steps: int = 0, seed: int = 0) -> np.ndarray:
    """Uniform scores from a generator seeded by `seed` (the study passes seed + item index)."""
    return np.random.default_rng(seed).random(target.n_features)


def attribute(model: HFModel, target: Target, method: str, **kw: Any) -> np.ndarray:
    """Scores of `method` (a registry name; an unknown one fails naming the known ones)."""
    fn: Attribution = attributions.get(method)  # type: ignore[assignment]
    return fn(model, target, **kw)
