"""What a frozen encoder's features say about the generated set's answers on held-out source
images: per question type, a logistic regression (scikit-learn) on the train split's image
features, scored on the test split's. A ceiling-style check for the VLM (its aligner and a frozen
LM have to find the same information in the same features), not a VLM figure.

Features: `cls` (the CLS token; vit_s14 only), `max` (the per-dimension max over patches), `pool4`
(the patch grid average-pooled to 4 x 4, flattened). Standardised on train; C = 0.1.
The closed modality question ("Is this a CT image?") is left out: its answer depends on the
asked modality, not on the image alone.

    python benchmarks/vlm_probe.py [--variants 32] [--encoder vit_s14] [--features DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from medllm.vision import FeatureCache, load_encoder, load_vqa, make_vqa_set, read_image


def rep(f: np.ndarray, kind: str) -> np.ndarray:
    """One image's `(tokens, dim)` features as a vector: CLS, max over patches, or 4 x 4 means."""
    side = math.isqrt(f.shape[0])
    has_cls = side * side != f.shape[0]
    if kind == "cls":
        return f[0]
    grid = (f[1:] if has_cls else f).reshape(math.isqrt(f.shape[0] - has_cls), -1, f.shape[-1])
    if kind == "max":
        return grid.max((0, 1))
    s = grid.shape[0]
    cells = [
        grid[r * s // 4 : (r + 1) * s // 4, c * s // 4 : (c + 1) * s // 4].mean((0, 1))
        for r in range(4)
        for c in range(4)
    ]
    return np.concatenate(cells)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", type=int, default=32)
    ap.add_argument("--encoder", default="vit_s14")
    ap.add_argument("--features", default=None, help="a feature cache folder to reuse")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    make_vqa_set(work, variants=args.variants, seed=0)
    enc = load_encoder(args.encoder)
    cache = FeatureCache(args.features or work / "features")
    items = load_vqa("medllm_generated", work, None)
    paths = sorted({i.image for i in items})
    feats = dict(zip(paths, cache.features(enc, [read_image(p) for p in paths]), strict=True))
    by_type = defaultdict(list)
    for i in items:
        if not (i.question_type == "modality" and i.closed):
            by_type[i.question_type + (" (closed)" if i.closed else "")].append(i)
    kinds = ["cls", "max", "pool4"] if enc.tokens == 257 else ["max", "pool4"]
    result: dict[str, dict[str, float]] = {}
    for kind in kinds:
        for qtype, its in sorted(by_type.items()):
            train = [i for i in its if i.split == "train"]
            test = [i for i in its if i.split == "test"]
            x = np.stack([rep(feats[i.image], kind) for i in train])
            mu, sd = x.mean(0), x.std(0) + 1e-6
            clf = LogisticRegression(C=0.1, max_iter=2000).fit(
                (x - mu) / sd, [i.answer for i in train]
            )
            xt = np.stack([rep(feats[i.image], kind) for i in test])
            right = clf.predict((xt - mu) / sd) == np.array([i.answer for i in test])
            result.setdefault(qtype, {"n": len(test)})[kind] = round(float(right.mean()), 3)
    out = {"encoder": args.encoder, "variants": args.variants, "probes": result}
    (Path(__file__).parent / "results" / f"vlm_probe_{args.encoder}.json").write_text(
        json.dumps(out, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
