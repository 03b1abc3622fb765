"""Time one VLM training step (forward + backward, frozen SmolLM2-135M, vit_s14 features cached):
the recipe's path (left-padded batch, LM head on the answer positions only) against the path of
the first VLM slice (right-padded, LM head on every position, transformers' own loss), alternating
in one process on the same batch (the aligner in training mode, as in the recipe: its dropout
makes the two losses differ slightly). Prints median seconds per step and the ratio; writes
benchmarks/results/vlm_step.json. A speed figure only when the machine is otherwise idle (uptime).

    python benchmarks/vlm_step.py [--steps 5] [--batch 8] [--queries 8] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

from medllm.vision import FeatureCache, VisionLanguageModel, load_vqa, make_vqa_set, read_image


def full_logits_loss(
    vlm: VisionLanguageModel, images: list, qs: list, answers: list
) -> torch.Tensor:
    """The first slice's loss: right padding, logits at every position, the LM's own loss."""
    prefixes = vlm.aligner(vlm.vision_tokens(images))
    seqs = [vlm._sequence(p, q, a) for p, q, a in zip(prefixes, qs, answers, strict=True)]
    width = max(s.shape[0] for s, _ in seqs)
    embeds = torch.zeros(len(seqs), width, prefixes.shape[-1])
    mask = torch.zeros(len(seqs), width, dtype=torch.long)
    labels = torch.full((len(seqs), width), -100, dtype=torch.long)
    for i, (s, lab) in enumerate(seqs):
        embeds[i, : s.shape[0]], mask[i, : s.shape[0]] = s, 1
        labels[i, : len(lab)] = torch.tensor(lab)
    return vlm.lm(inputs_embeds=embeds, attention_mask=mask, labels=labels).loss  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--queries", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp())
    make_vqa_set(work / "data", variants=2, seed=0)
    items = load_vqa("medllm_generated", work / "data", "train")[: args.batch]
    images = [read_image(i.image) for i in items]
    qs, answers = [i.question for i in items], [i.answer for i in items]
    vlm = VisionLanguageModel.build(
        "hf:default",
        encoder="vit_s14",
        aligner="query",
        aligner_options={"queries": args.queries},
        cache=FeatureCache(work / "features"),
    )
    paths = {
        "answer_positions": lambda: vlm.loss(images, qs, answers),
        "full_logits": lambda: full_logits_loss(vlm, images, qs, answers),
    }
    for fn in paths.values():  # warm up: features encoded, kernels chosen
        fn().backward()
    times: dict[str, list[float]] = {name: [] for name in paths}
    losses: dict[str, float] = {}
    for _ in range(args.steps):
        for name, fn in paths.items():
            t0 = time.perf_counter()
            loss = fn()
            loss.backward()
            times[name].append(time.perf_counter() - t0)
            losses[name] = round(float(loss.detach()), 5)
    med = {k: round(statistics.median(v), 3) for k, v in times.items()}
    result = {
        "batch": args.batch,
        "queries": args.queries,
        "threads": args.threads,
        "steps": args.steps,
        "median_step_s": med,
        "speedup": round(med["full_logits"] / med["answer_positions"], 2),
        "same_loss": losses["answer_positions"] == losses["full_logits"],
        "losses": losses,
        "load_average": os.getloadavg(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "torch": torch.__version__,
    }
    out = Path(__file__).parent / "results" / "vlm_step.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
