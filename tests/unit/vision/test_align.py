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


def test_pooled_projection_keeps_cls_and_pools_the_grid() -> None:
    proj = aligners.get("projection")(8, 64, pool=4)
    grid = torch.arange(256, dtype=torch.float32).reshape(1, 256, 1).expand(1, 256, 8)
    tokens = torch.cat([torch.full((1, 1, 8), -1.0), grid], dim=1)  # CLS + 16 × 16
    pooled = proj.pooled(tokens)
    assert pooled.shape == (1, 17, 8) and proj.prefix_length(257) == 17
    assert pooled[0, 0, 0] == -1.0  # CLS first, untouched
    # the first pooled cell averages rows 0-3, columns 0-3 of the row-major grid
    assert (
        pooled[0, 1, 0]
        == torch.tensor([r * 16 + c for r in range(4) for c in range(4)]).float().mean()
    )
    assert proj.prefix_length(49) == 16 and proj.pooled(torch.randn(2, 49, 8)).shape == (2, 16, 8)


@pytest.mark.parametrize("name", ["projection", "query"])
def test_out_norm_sets_every_prefix_token_to_the_given_rms(name: str) -> None:
    torch.manual_seed(0)
    opts = {"queries": 4, "hidden": 32, "layers": 1} if name == "query" else {}
    al = aligners.get(name)(384, 64, norm=True, out_norm=True, **opts)
    al.match_scale(0.125)
    out = al(torch.randn(2, 49, 384) * 40)
    rms = out.pow(2).mean(-1).sqrt()
    assert torch.allclose(rms, torch.full_like(rms, 0.125), atol=1e-4)
    assert al.options["norm"] is True and al.options["out_norm"] is True
