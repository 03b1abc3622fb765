"""The projection (LLaVA MLP) and query (Q-Former) alignment modules."""

from __future__ import annotations

import pytest
import torch

from medllm.vision import aligners


def test_registry_names() -> None:
    assert aligners.names() == ["projection", "query"]


def test_projection_maps_every_patch_to_the_lm_width() -> None:
    proj = aligners.get("projection")(384, 64)
    out = proj(torch.randn(2, 257, 384))
    assert out.shape == (2, 257, 64) and proj.prefix_length(257) == 257
    # LLaVA 1.5's shape: linear 384→64, GELU, linear 64→64
    assert [tuple(p.shape) for p in proj.parameters()] == [(64, 384), (64,), (64, 64), (64,)]


@pytest.mark.parametrize("patches", [1, 49, 257])
def test_query_outputs_k_tokens_whatever_the_number_of_patches(patches: int) -> None:
    torch.manual_seed(0)
    q = aligners.get("query")(384, 64, queries=4, hidden=32, layers=1)
    out = q(torch.randn(3, patches, 384))
    assert out.shape == (3, 4, 64) and q.prefix_length(patches) == 4


def test_query_learns_through_its_queries_and_cross_attention() -> None:
    torch.manual_seed(0)
    q = aligners.get("query")(16, 8, queries=2, hidden=16, layers=1)
    q(torch.randn(1, 5, 16)).sum().backward()
    assert q.query_tokens.grad is not None and q.query_tokens.grad.abs().sum() > 0
    cross = [n for n, p in q.named_parameters() if "crossattention" in n and p.grad is not None]
    assert cross  # the patches reach the output only through cross-attention
