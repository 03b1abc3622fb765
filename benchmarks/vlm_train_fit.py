"""A trained VLM scored on 96 questions of its own training images (taken evenly through the
train split), with the majority-answer baseline: does it fit what it was trained on?

    python benchmarks/vlm_train_fit.py RUN_DIR [QUESTION_TYPE]
"""

import sys
from pathlib import Path

import torch

from medllm.train.vlm import _spread
from medllm.vision import FeatureCache, VisionLanguageModel, load_vqa, read_image, score_vqa

torch.set_num_threads(1)
run = Path(sys.argv[1])
vlm = VisionLanguageModel.load(run / "final", cache=FeatureCache("runs/studies/features"))
train = [
    i
    for i in load_vqa("medllm_generated", run / "data", "train")
    if len(sys.argv) < 3 or i.question_type == sys.argv[2]
]
items = _spread(train, 96)
ans = vlm.answer([read_image(i.image) for i in items], [i.question for i in items], 6)
m = score_vqa(items, ans, [(i.question, i.answer) for i in train])
print(
    run.name,
    "TRAIN fit:",
    {
        k: (v["n"], v["accuracy"], v["baseline_accuracy"])
        for k, v in m.items()
        if isinstance(v, dict)
    },
)
