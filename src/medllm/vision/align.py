"""Alignment modules: vision tokens `(batch, patches, vision_dim)` → LLM prefix embeddings
`(batch, prefix, lm_dim)`.

- `projection` (LLaVA 1.5): a 2-layer MLP applied to every patch token; prefix = patches, or with
  `pool: P` the patch grid average-pooled to P × P first (the CLS token, where there is one, kept
  in front), as LLaVA-style models with too many patches do; transformers' own
  `LlavaMultiModalProjector` (linear → GELU → linear).
- `query` (BLIP-2's Q-Former, smaller): K learned query vectors self-attend and cross-attend to the
  patch tokens through transformers' `Blip2QFormerModel`, then a linear layer to the LLM width
  (BLIP-2's `language_projection`); prefix = K whatever the number of patches.

Both take `(vision_dim, lm_dim, **options)` and keep their options in `options` so a saved VLM
rebuilds them by name. Shared options: `norm` puts a LayerNorm on the vision tokens first
(InternVL's `mlp1` does: the ViT here emits tokens of norm ~40 with a few very large dimensions);
`out_norm` ends with an RMSNorm whose gain the VLM sets to the LM's own token-embedding RMS, so the
prefix enters the LM at the scale of its word embeddings (at init a prefix is ~4× larger).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn


class _Ends(nn.Module):
    """The optional input LayerNorm and output RMSNorm around an aligner's core."""

    def _ends(self, vision_dim: int, lm_dim: int, norm: bool, out_norm: bool) -> None:
        self.norm = nn.LayerNorm(vision_dim) if norm else nn.Identity()
        self.out_norm = nn.RMSNorm(lm_dim) if out_norm else nn.Identity()

    def match_scale(self, rms: float) -> None:
        """Set the output gain to `rms` (the LM's embedding RMS); no-op without `out_norm`."""
        if isinstance(self.out_norm, nn.RMSNorm) and self.out_norm.weight is not None:
            with torch.no_grad():
                self.out_norm.weight.fill_(rms)


class Projection(_Ends):
    """LLaVA's projector: `(b, n, vision_dim)` → `(b, n, lm_dim)` (or `(b, [1 +] pool², lm_dim)`)."""

    def __init__(
        self,
        vision_dim: int,
        lm_dim: int,
        act: str = "gelu",
        pool: int = 0,
        norm: bool = False,
        out_norm: bool = False,
    ) -> None:
        from transformers import LlavaConfig
        from transformers.models.llava.modeling_llava import LlavaMultiModalProjector

        super().__init__()
        self.options: dict[str, Any] = {
            "act": act,
            "pool": pool,
            "norm": norm,
            "out_norm": out_norm,
        }
        cfg = LlavaConfig(
            # only the widths are read; one head keeps CLIP's config check (dim % heads) quiet
            vision_config={
                "model_type": "clip_vision_model",
                "hidden_size": vision_dim,
                "num_attention_heads": 1,
            },
            text_config={"model_type": "llama", "hidden_size": lm_dim},
            projector_hidden_act=act,
        )
        self.mlp = LlavaMultiModalProjector(cfg)
        self._ends(vision_dim, lm_dim, norm, out_norm)

    def prefix_length(self, patches: int) -> int:
        pool = int(self.options["pool"])
        if not pool:
            return patches
        return pool * pool + (0 if math.isqrt(patches) ** 2 == patches else 1)

    def pooled(self, tokens: torch.Tensor) -> torch.Tensor:
        """`(b, n, d)` → `(b, [1 +] pool², d)`: a square grid of n (or 1 + n: CLS first) patches,
        average-pooled (torch's adaptive pooling: a 7 × 7 grid to 4 × 4 too)."""
        pool = int(self.options["pool"])
        if not pool:
            return tokens
        n = tokens.shape[1]
        side = math.isqrt(n)
        head, grid = (tokens[:, :0], tokens) if side * side == n else (tokens[:, :1], tokens[:, 1:])
        side = math.isqrt(grid.shape[1])
        if side * side != grid.shape[1]:
            raise ValueError(f"{n} vision tokens are not a square grid (+ CLS): cannot pool")
        b, _, d = grid.shape
        square = grid.transpose(1, 2).reshape(b, d, side, side)
        pooled = nn.functional.adaptive_avg_pool2d(square, pool).flatten(2).transpose(1, 2)
        return torch.cat([head, pooled], dim=1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.out_norm(self.mlp(self.norm(self.pooled(tokens))))  # type: ignore[no-any-return]


class QueryAligner(_Ends):
    """Q-Former-style: `(b, n, vision_dim)` → `(b, queries, lm_dim)` for any n."""

    def __init__(
        self,
        vision_dim: int,
        lm_dim: int,
        queries: int = 32,
        hidden: int = 256,
        layers: int = 2,
        heads: int = 4,
        norm: bool = False,
        out_norm: bool = False,
    ) -> None:
        from transformers import Blip2QFormerConfig, Blip2QFormerModel

        super().__init__()
        self.options = {
            "queries": queries,
            "hidden": hidden,
            "layers": layers,
            "heads": heads,
            "norm": norm,
            "out_norm": out_norm,
        }
        cfg = Blip2QFormerConfig(
            hidden_size=hidden,
            num_hidden_layers=layers,
            num_attention_heads=heads,
            intermediate_size=hidden * 4,
            encoder_hidden_size=vision_dim,
            cross_attention_frequency=1,  # every layer cross-attends (BLIP-2: every 2nd of 12)
        )
        self.query_tokens = nn.Parameter(torch.zeros(1, queries, hidden))
        nn.init.normal_(self.query_tokens, std=cfg.initializer_range)
        self.qformer = Blip2QFormerModel(cfg)
        self.language_projection = nn.Linear(hidden, lm_dim)
        self._ends(vision_dim, lm_dim, norm, out_norm)

    def prefix_length(self, patches: int) -> int:
        return int(self.options["queries"])

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        queries = self.query_tokens.expand(tokens.shape[0], -1, -1)
        out = self.qformer(query_embeds=queries, encoder_hidden_states=self.norm(tokens))
        return self.out_norm(self.language_projection(out.last_hidden_state))  # type: ignore[no-any-return]
