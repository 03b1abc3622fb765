"""`medllm train vlm` end to end on a tiny random Llama: two stages, checkpoints, final/, metrics,
then `medllm vision ask` on the saved model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medllm.cli import app
from medllm.core import ConfigError, UnknownNameError, load_any
from medllm.train.vlm import normalise

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def test_two_stages_checkpoints_metrics_and_ask(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    sets = [
        f"model=hf:{tiny_dir}",
        "encoder=cnn_scratch",
        "lm_mode=lora",
        f"output_dir={out}",
        "aligner_options.queries=4",
        "aligner_options.hidden=32",
        "aligner_options.layers=1",
        "data.variants=1",
        "captions.steps=2",
        "vqa.steps=3",
        "save_steps=2",
        "eval_limit=3",
        "max_new_tokens=3",
    ]
    args = ["train", "vlm", str(ROOT / "configs/train/vlm.yaml")]
    res = runner.invoke(app, [*args, *[x for s in sets for x in ("--set", s)]])
    assert res.exit_code == 0, res.output
    assert "test all (n=3)" in res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "checkpoint-captions-2",
        "checkpoint-vqa-3",
        "config.json",
        "data",
        "final",
        "metrics.json",
        "train_log.jsonl",
    ]
    log = [json.loads(x) for x in (out / "train_log.jsonl").read_text().splitlines()]
    assert [(r["stage"], r["step"]) for r in log] == [
        ("captions", 1),
        ("captions", 2),
        ("vqa", 1),
        ("vqa", 2),
        ("vqa", 3),
    ]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["all"]["n"] == 3 and metrics["closed"]["n"] + metrics["open"]["n"] == 3
    assert metrics["encoder"] == "cnn_scratch"
    # the baseline, recomputed here: each scored question's most frequent train answer
    rows = [json.loads(x) for x in (out / "data" / "vqa.jsonl").read_text().splitlines()]
    test = [r for r in rows if r["split"] == "test"]
    scored = [test[i * len(test) // 3] for i in range(3)]
    train = Counter((r["question"], r["answer"]) for r in rows if r["split"] == "train")
    right = 0
    for r in scored:
        answers = {a: n for (q, a), n in train.items() if q == r["question"]}
        right += bool(answers) and max(answers, key=answers.__getitem__) == r["answer"]
    assert metrics["all"]["baseline_accuracy"] == round(right / 3, 4)
    image = out / "data" / "images" / "mr_small-00.png"
    res = runner.invoke(
        app,
        [
            "vision",
            "ask",
            str(image),
            "Is there an inserted lesion?",
            "--model",
            str(out / "final"),
            "--max-new-tokens",
            "3",
        ],
    )
    assert res.exit_code == 0, res.output


def test_shipped_config_validates_and_names_are_checked(tmp_path: Path) -> None:
    cfg = load_any(ROOT / "configs/train/vlm.yaml")
    assert (cfg.encoder, cfg.aligner, cfg.captions.steps, cfg.vqa.steps) == (
        "vit_s14",
        "query",
        60,
        200,
    )
    with pytest.raises(UnknownNameError, match="did you mean 'vit_s14'"):
        load_any(ROOT / "configs/train/vlm.yaml", ["encoder=vit_s16"])
    with pytest.raises(ConfigError, match="lm_mode"):
        load_any(ROOT / "configs/train/vlm.yaml", ["lm_mode=full"])


def test_normalise_for_exact_match() -> None:
    assert normalise("  Upper   Left. ") == "upper left"
    assert normalise("CT") == normalise("ct")


def test_dev_split_holds_its_sources_out_and_balanced_sampling(tmp_path: Path) -> None:
    from medllm.train.vlm import _Sampler, _splits
    from medllm.vision import make_vqa_set

    make_vqa_set(tmp_path, variants=2, seed=0)
    cfg = load_any(
        ROOT / "configs/train/vlm.yaml", ["eval_split=dev", "data.dev_sources=[ct_head_a, ihc]"]
    )
    captions, train, scored = _splits(cfg, tmp_path)
    held = {"ct_head_a", "ihc"}
    assert {r[0].name.split("-")[0] for r in train} == {
        "ct_spine",
        "mr_abdomen",
        "nm_bone",
        "us_echo",
        "fundus",
    }
    assert {r[0].name.split("-")[0] for r in captions}.isdisjoint(held)
    assert {i.id.split("-")[0] for i in scored} == held and all(i.split == "train" for i in scored)
    _, _, test = _splits(load_any(ROOT / "configs/train/vlm.yaml"), tmp_path)
    assert {i.split for i in test} == {"test"}
    sampler = _Sampler(train, "balanced", seed=0)
    assert Counter(r[3] for r in train)["modality"] == 20  # twice any other type's 10 rows
    # seeded: each of the 8 types drawn about 8000 / 8 times, modality no more than the others
    assert dict(Counter(r[3] for r in sampler.batch(8000))) == {
        "mirrored": 1013,
        "modality": 1005,
        "presence": 973,
        "quadrant": 1051,
        "region": 990,
        "rotation": 1023,
        "side": 977,
        "size": 968,
    }
    with pytest.raises(ConfigError, match="no dev questions"):
        _splits(
            load_any(
                ROOT / "configs/train/vlm.yaml", ["eval_split=dev", "data.dev_sources=[ct_head_b]"]
            ),
            tmp_path,
        )
