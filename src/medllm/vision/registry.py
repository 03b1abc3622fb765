"""The vision stage's registries: encoders (image → tokens) and aligners (tokens → LLM prefix).

Entries are lazy ("module:Class"), so `medllm ls encoders` imports neither torch nor onnxruntime.
"""

from __future__ import annotations

from typing import Any

from medllm.core import Registry

encoders: Registry[Any] = Registry(
    "encoders", "vision encoders for the VLM (image → (tokens, dim) grid)"
)
aligners: Registry[Any] = Registry(
    "aligners", "alignment modules for the VLM (vision tokens → LLM prefix embeddings)"
)

encoders.register_lazy("vit_s14", "medllm.vision.encoder:VitS14Encoder")
encoders.register_lazy("efficientnet_lite0", "medllm.vision.encoder:EfficientNetLite0Encoder")
encoders.register_lazy("cnn_scratch", "medllm.vision.encoder:CnnScratchEncoder")
aligners.register_lazy("projection", "medllm.vision.align:Projection")
aligners.register_lazy("query", "medllm.vision.align:QueryAligner")


def load_encoder(name: str) -> Any:
    """A fresh encoder by registry name (`vit_s14`, `efficientnet_lite0`, `cnn_scratch`)."""
    return encoders.get(name)()
