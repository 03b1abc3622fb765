"""How much of a trained VLM's image prefix depends on the image: for one variant of each of the 7
train sources, the prefix tokens' norm and their standard deviation across the 7 images (per
dimension, averaged), next to the same aligner freshly initialised and the LM's word embeddings.

    python benchmarks/vlm_prefix_spread.py RUN_DIR   # a `medllm train vlm` output_dir (final/, data/)

Features are read from runs/studies/features (the studies' cache) and encoded there if missing.
"""

import sys
from pathlib import Path

import torch

from medllm.vision import FeatureCache, VisionLanguageModel, read_image

torch.set_num_threads(1)
run = Path(sys.argv[1])
vlm = VisionLanguageModel.load(run / "final", cache=FeatureCache("runs/studies/features"))
keys = ["ct_spine", "ct_head_a", "mr_abdomen", "nm_bone", "us_echo", "fundus", "ihc"]
ims = [read_image(run / "data" / "images" / f"{k}-00.png") for k in keys]
with torch.no_grad():
    feats = vlm.vision_tokens(ims)
    pre = vlm.aligner(feats)  # (7, K, 576)
    fresh = (
        VisionLanguageModel.build(
            vlm.meta["lm"],
            encoder="vit_s14",
            aligner=vlm.meta["aligner"],
            aligner_options=vlm.meta["aligner_options"],
            cache=vlm.cache,
        )
        .eval()
        .aligner(feats)
    )
for name, p in (("trained", pre), ("init", fresh)):
    across = p.std(0).mean().item()
    norm = p.norm(dim=-1).mean().item()
    print(
        name,
        "token norm",
        round(norm, 3),
        "std across images",
        round(across, 4),
        "mean |token|/dim",
        round(p.abs().mean().item(), 4),
    )
print(
    "feature std across images",
    feats.mean(1).std(0).mean().item(),
    "feature token norm",
    feats.norm(dim=-1).mean().item(),
)
E = vlm.lm.get_input_embeddings().weight
print(
    "LM embedding: token norm",
    E.norm(dim=-1).mean().item(),
    "std across tokens per dim",
    E.std(0).mean().item(),
)
