"""Model backends behind one interface: `load_model("llamacpp:small")`, `load_model("hf:RUN/final")`.

Also what other stages need to train or score a model: the model tiers (`small`, `medium`, `large`;
`default` = `small`) and the spec `medllm ask` answers with (`answer_spec`), the transformers folder
of a spec (`trainable_folder`), adapter merging (`load_merged`), the embedded model's files, and
the `backends` registry that stages above add their own backends to.
"""

from __future__ import annotations

from medllm.models.adapters import RUN_META, is_adapter, load_merged, trainable_folder
from medllm.models.assets import default_gguf, default_hf_dir
from medllm.models.base import GenerationParams, LoglikRequest, LoglikResult, Messages, Model
from medllm.models.hf import HFModel
from medllm.models.registry import backends
from medllm.models.spec import ModelConfig, ModelSpec, load_model, parse_spec
from medllm.models.tiers import TIERS, Tier, answer_spec, get_tier, tier_gguf, tier_state

__all__ = [
    "RUN_META",
    "TIERS",
    "GenerationParams",
    "HFModel",
    "LoglikRequest",
    "LoglikResult",
    "Messages",
    "Model",
    "ModelConfig",
    "ModelSpec",
    "Tier",
    "answer_spec",
    "backends",
    "default_gguf",
    "default_hf_dir",
    "get_tier",
    "is_adapter",
    "load_merged",
    "load_model",
    "parse_spec",
    "tier_gguf",
    "tier_state",
    "trainable_folder",
]
