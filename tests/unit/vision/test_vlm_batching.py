"""The VLM's batched loss and answers: left padding and answer-position logits change nothing a
sequence would get alone; a frozen LM's weights stay bit-identical through training."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from medllm.models.tiny import tiny_llama
from medllm.vision import VisionLanguageModel, read_image

SKIMAGE = Path(__import__("skimage").__file__).parent / "data"
QUESTIONS = ["What kind of image is this?", "Is there a lesion?", "Which quadrant?"]
ANSWERS = ["fundus photograph of the left eye", "no", "upper left"]
SMALL_QUERY = {"queries": 4, "hidden": 32, "layers": 1}


@pytest.fixture(scope="module")
def vlm(tiny_dir: Path) -> VisionLanguageModel:
    return VisionLanguageModel.build(
        tiny_dir, encoder="cnn_scratch", aligner="query", aligner_options=SMALL_QUERY
    ).eval()


@pytest.fixture(scope="module")
def images() -> list:
    names = ["retina.jpg", "ihc.png", "retina.jpg"]
    return [read_image(SKIMAGE / n) for n in names]


def _alone(vlm: VisionLanguageModel, images: list, i: int) -> tuple[float, int]:
    """transformers' own loss of one unpadded sequence (full logits), and its answer tokens."""
    prefix = vlm.aligner(vlm.vision_tokens(images[i : i + 1]))[0]
    seq, labels = vlm._sequence(prefix, QUESTIONS[i], ANSWERS[i])
    out = vlm.lm(inputs_embeds=seq[None], labels=torch.tensor([labels]))
    return float(out.loss), sum(x != -100 for x in labels)


@torch.no_grad()
def test_batched_loss_is_the_token_mean_of_each_sequence_alone(
    vlm: VisionLanguageModel, images: list
) -> None:
    alone = [_alone(vlm, images, i) for i in range(3)]
    tokens = sum(n for _, n in alone)
    expected = sum(loss * n for loss, n in alone) / tokens
    got = vlm.loss(images, QUESTIONS, ANSWERS)
    assert float(got) == pytest.approx(expected, rel=1e-5)
    one = vlm.loss(images[:1], QUESTIONS[:1], ANSWERS[:1])
    assert float(one) == pytest.approx(alone[0][0], rel=1e-6)
    assert (
        vlm.last_tokens == vlm._sequence(torch.zeros(4, 64), QUESTIONS[0], ANSWERS[0])[0].shape[0]
    )


def test_batched_answers_equal_answers_one_at_a_time(
    vlm: VisionLanguageModel, images: list
) -> None:
    batched = vlm.answer(images, QUESTIONS, max_new_tokens=5, batch_size=3)
    single = [vlm.answer(images[i : i + 1], QUESTIONS[i : i + 1], 5)[0] for i in range(3)]
    assert batched == single and len(batched) == 3
    assert vlm.image_tokens() == 4


def test_frozen_lm_weights_are_bit_identical_after_training(
    vlm: VisionLanguageModel, images: list
) -> None:
    before = {n: p.detach().clone() for n, p in vlm.lm.named_parameters()}
    opt = torch.optim.AdamW(vlm.trainable_parameters(), lr=1e-2)
    vlm.train()
    for _ in range(2):
        vlm.loss(images, QUESTIONS, ANSWERS).backward()
        opt.step()
        opt.zero_grad()
    vlm.eval()
    assert all(torch.equal(p, before[n]) for n, p in vlm.lm.named_parameters())
    assert all(not p.requires_grad for p in vlm.lm.parameters())


def test_bfloat16_lm_keeps_the_aligner_in_float32(tmp_path: Path, images: list) -> None:
    model, tok = tiny_llama(seed=0)
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    vlm = VisionLanguageModel.build(
        tmp_path,
        encoder="cnn_scratch",
        aligner="query",
        aligner_options=SMALL_QUERY,
        lm_dtype="bfloat16",
    )
    assert vlm.lm.dtype == torch.bfloat16
    assert {p.dtype for p in vlm.trainable_parameters()} == {torch.float32}
    loss = vlm.loss(images[:2], QUESTIONS[:2], ANSWERS[:2])
    loss.backward()
    assert loss.dtype == torch.float32 and vlm.aligner.query_tokens.grad is not None
    assert vlm.meta["lm_dtype"] == "bfloat16"
