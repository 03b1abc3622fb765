"""Alignment modules: vision tokens `(batch, patches, vision_dim)` → LLM prefix embeddings
`(batch, prefix, lm_dim)`.

- `projection` (LLaVA 1.5): a 2-layer MLP applied to every patch token; prefix = patches.
  transformers' own `LlavaMultiModalProjector` (linear → GELU → linear).
- `query` (BLIP-2's Q-Former, smaller): K learned query vectors self-attend and cross-attend to the
  patch tokens through transformers' `Blip2QFormerModel`, then a linear layer to the LLM width
  (BLIP-2's `language_projection`); prefix = K whatever the number of patches.

Both take `(vision_dim, lm_dim, **options)` and keep their options in `options` so a saved VLM
rebuilds them by name.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class Projection(nn.Module):
    """LLaVA's projector: `(b, n, vision_dim)` → `(b, n, lm_dim)`."""

    def __init__(self, vision_dim: int, lm_dim: int, act: str = "gelu") -> None:
        from transformers import LlavaConfig
        from transformers.models.llava.modeling_llava import LlavaMultiModalProjector

        super().__init__()
        self.options: dict[str, Any] = {"act": act}
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

    def prefix_length(self, patches: int) -> int:
        return patches

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.mlp(tokens)  # type: ignore[no-any-return]


class QueryAligner(nn.Module):
    """Q-Former-style: `(b, n, vision_dim)` → `(b, queries, lm_dim)` for any n."""

    def __init__(
        self,
        vision_dim: int,
        lm_dim: int,
        queries: int = 32,
        hidden: int = 256,
        layers: int = 2,
        heads: int = 4,
    ) -> None:
        from transformers import Blip2QFormerConfig, Blip2QFormerModel

        super().__init__()
        self.options = {"queries": queries, "hidden": hidden, "layers": layers, "heads": heads}
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

    def prefix_length(self, patches: int) -> int:
        return int(self.options["queries"])

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        queries = self.query_tokens.expand(tokens.shape[0], -1, -1)
        out = self.qformer(query_embeds=queries, encoder_hidden_states=tokens)
        return self.language_projection(out.last_hidden_state)  # type: ignore[no-any-return]
