"""VisionLanguageModel on a tiny random Llama (real SmolLM2 tokenizer): what trains, what does
not, and the same answers after save and reload."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from medllm.core import ConfigError, DataError
from medllm.vision import FeatureCache, VisionLanguageModel, read_image

SKIMAGE = Path(__import__("skimage").__file__).parent / "data"
QUESTIONS = ["What kind of image is this?", "Is there a lesion?"]
ANSWERS = ["fundus photograph", "no"]
SMALL_QUERY = {"queries": 4, "hidden": 32, "layers": 1}


@pytest.fixture(scope="module")
def images() -> list:
    return [read_image(SKIMAGE / "retina.jpg"), read_image(SKIMAGE / "ihc.png")]


def _train(vlm: VisionLanguageModel, images: list, steps: int = 3) -> float:
    opt = torch.optim.AdamW(vlm.trainable_parameters(), lr=1e-2)
    vlm.train()
    for _ in range(steps):
        loss = vlm.loss(images, QUESTIONS, ANSWERS)
        loss.backward()
        opt.step()
        opt.zero_grad()
    return float(loss.detach())


def test_lora_with_scratch_cnn_trains_adapter_aligner_encoder_not_base(
    tiny_dir: Path, images: list, tmp_path: Path
) -> None:
    vlm = VisionLanguageModel.build(
        tiny_dir,
        encoder="cnn_scratch",
        aligner="query",
        aligner_options=SMALL_QUERY,
        lm_mode="lora",
    )
    before = {n: p.detach().clone() for n, p in vlm.named_parameters()}
    _train(vlm, images)
    changed = {n for n, p in vlm.named_parameters() if not torch.equal(p, before[n])}
    base = {n for n in before if n.startswith("lm.") and "lora_" not in n}
    assert base and not changed & base  # the LM's own weights did not move
    assert any("lora_B" in n for n in changed)
    assert any(n.startswith("aligner.") for n in changed)
    assert any(n.startswith("encoder_module.") for n in changed)

    vlm.save(tmp_path / "vlm")
    again = VisionLanguageModel.load(tmp_path / "vlm")
    assert again.answer(images, QUESTIONS, max_new_tokens=6) == vlm.answer(
        images, QUESTIONS, max_new_tokens=6
    )
    vlm.eval()
    assert torch.equal(vlm.loss(images, QUESTIONS, ANSWERS), again.loss(images, QUESTIONS, ANSWERS))
    names = sorted(p.name for p in (tmp_path / "vlm").iterdir())
    assert names == ["adapter", "aligner.safetensors", "encoder.safetensors", "vlm.json"]


def test_frozen_lm_trains_only_the_projection_on_cached_features(
    tiny_dir: Path, images: list, tmp_path: Path
) -> None:
    cache = FeatureCache(tmp_path / "features")
    vlm = VisionLanguageModel.build(
        tiny_dir, encoder="efficientnet_lite0", aligner="projection", cache=cache
    )
    trainable = {n for n, p in vlm.named_parameters() if p.requires_grad}
    assert trainable == {
        "aligner.mlp.linear_1.weight",
        "aligner.mlp.linear_1.bias",
        "aligner.mlp.linear_2.weight",
        "aligner.mlp.linear_2.bias",
    }
    first = vlm.loss(images, QUESTIONS, ANSWERS)
    last = _train(vlm, images, steps=4)
    assert last < float(first.detach())
    assert (cache.stats.hits, cache.stats.misses) == (8, 2)  # 5 batches of 2, encoded once
    vlm.save(tmp_path / "vlm")
    again = VisionLanguageModel.load(tmp_path / "vlm", cache=cache)
    assert again.answer(images, QUESTIONS, max_new_tokens=6) == vlm.answer(
        images, QUESTIONS, max_new_tokens=6
    )


def test_prefix_sits_inside_the_user_turn(tiny_dir: Path, images: list) -> None:
    vlm = VisionLanguageModel.build(
        tiny_dir, encoder="cnn_scratch", aligner="query", aligner_options=SMALL_QUERY
    )
    before, after = vlm._prompt_ids("Is there a lesion?")
    tok = vlm.tokenizer
    assert tok.decode(before).endswith("<|im_start|>user\n")
    assert tok.decode(after) == "\nIs there a lesion?<|im_end|>\n<|im_start|>assistant\n"
    seq, labels = vlm._sequence(torch.zeros(4, 64), "Is there a lesion?", "no")
    assert seq.shape == (len(before) + 4 + len(after) + 2, 64)
    assert labels[-2:] == [*tok("no", add_special_tokens=False)["input_ids"], tok.eos_token_id]
    assert set(labels[:-2]) == {-100}


def test_bad_inputs_say_what_to_fix(tiny_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"lm_mode 'full'.*frozen or lora"):
        VisionLanguageModel.build(tiny_dir, encoder="cnn_scratch", lm_mode="full")
    with pytest.raises(DataError, match="not a saved VLM"):
        VisionLanguageModel.load(tmp_path)
