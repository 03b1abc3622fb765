"""Training stage: dataset builders (CPT text, SFT pairs, DPO pairs), the `cpt` / `sft` / `dpo`
recipes (`medllm.train.sft.run(cfg)`; full / LoRA / QLoRA), resume, merge + GGUF export.

What other stages use: the row shapes and builders (`sft_row`, `dpo_row`, `build_rows`), the
`train_sources` registry that stages above add data sources to, and a run's layout (`FINAL`,
`last_checkpoint`), and what federation runs at each site: `run_sft` (the SFT recipe), `peft_config`,
`load_model_and_tokenizer`. Torch, transformers and TRL load inside the recipes, not here.
"""

from __future__ import annotations

from medllm.train.common import (
    FINAL,
    RunResult,
    last_checkpoint,
    load_model_and_tokenizer,
    peft_config,
)
from medllm.train.config import (
    CptConfig,
    DataSection,
    DpoConfig,
    DpSection,
    ExportConfig,
    PrivacySection,
    SftConfig,
)
from medllm.train.data import Kind, Row, build_rows, dpo_row, sft_row
from medllm.train.leakage import HeldOutTerms
from medllm.train.registry import train_sources
from medllm.train.sft import run as run_sft
from medllm.train.sources.hpo import heldout_names as hpo_heldout_names
from medllm.train.sources.hpo import heldout_terms as hpo_heldout_terms
from medllm.train.sources.icd10cm import heldout_terms as icd10cm_heldout_terms
from medllm.train.vlm import run as run_vlm
from medllm.train.vlm_config import VlmConfig

__all__ = [
    "FINAL",
    "CptConfig",
    "DataSection",
    "DpSection",
    "DpoConfig",
    "ExportConfig",
    "HeldOutTerms",
    "Kind",
    "PrivacySection",
    "Row",
    "RunResult",
    "SftConfig",
    "VlmConfig",
    "build_rows",
    "dpo_row",
    "hpo_heldout_names",
    "hpo_heldout_terms",
    "icd10cm_heldout_terms",
    "last_checkpoint",
    "load_model_and_tokenizer",
    "peft_config",
    "run_sft",
    "run_vlm",
    "sft_row",
    "train_sources",
]
