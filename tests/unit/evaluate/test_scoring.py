"""Multiple-choice scoring against hand-set log-likelihoods: acc, acc_norm (per character)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import pytest

from medllm.core.errors import CapabilityError
from medllm.core.records import ChatMessage, Question
from medllm.evaluate import metrics
from medllm.evaluate.cache import CallCache
from medllm.evaluate.scoring import (
    GEN_SUFFIX,
    Scorer,
    _mc_row,
    score_generate,
    score_loglik_options,
)
from medllm.evaluate.tasks import get_spec
from medllm.models.base import GenerationParams, LoglikRequest, LoglikResult, Messages, Model

# "β-agonist" is 9 characters but 10 UTF-8 bytes: it decides between per-character and per-byte
# normalisation. Per character: -9/9 = -1.0 < -14.25/15 = -0.95, so option 2 wins; per byte:
# -9/10 = -0.9 > -0.95, option 1 would win.
CHOICES = ("Zinc", "β-agonist", "Iron supplement", "Folate")
LLS = {" Zinc": -6.0, " β-agonist": -9.0, " Iron supplement": -14.25, " Folate": -7.0}
ITEM = Question("q1", "Which treats iron-deficiency anaemia?", CHOICES, 2)


def test_mc_row_acc_is_raw_argmax_and_acc_norm_divides_by_characters() -> None:
    lls = [LLS[f" {c}"] for c in CHOICES]
    row = _mc_row(ITEM, lls, list(CHOICES))
    assert (row["pred"], row["correct"]) == (0, False)  # -6.0 is the largest sum
    assert (row["pred_norm"], row["correct_norm"]) == (2, True)  # per character, not per byte
    z = sum(math.exp(x) for x in lls)
    assert row["confidence"] == pytest.approx(math.exp(-6.0) / z, rel=1e-12)
    assert row["loglik"] == lls


def test_acc_and_acc_norm_over_rows() -> None:
    other = Question("q2", "Which vitamin deficiency causes scurvy?", ("C", "D", "K", "A"), 0)
    rows = [
        _mc_row(ITEM, [LLS[f" {c}"] for c in CHOICES], list(CHOICES)),
        _mc_row(other, [-1.0, -2.0, -3.0, -4.0], list(other.choices)),
    ]
    m = metrics.choice_metrics(rows, 4)
    assert (m["acc"], m["acc_norm"]) == (0.5, 1.0)
    assert m["pred_dist"] == {"A": 1.0, "B": 0.0, "C": 0.0, "D": 0.0}


class _HandSet(Model):
    """Answers log-likelihood requests from the table above and records them."""

    id = "handset"
    backend = "handset"

    def __init__(self) -> None:
        self.seen: list[LoglikRequest] = []

    @property
    def context_length(self) -> int:
        return 4096

    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]:
        return list(text.encode())

    def apply_chat_template(self, messages: Messages, *, add_generation_prompt: bool = True) -> str:
        return "".join(m.content for m in messages)

    def stream(self, prompt: str, params: GenerationParams = GenerationParams()) -> Iterator[str]:
        yield from ()

    def loglikelihood(self, requests: Sequence[LoglikRequest]) -> list[LoglikResult]:
        self.seen += requests
        return [LoglikResult(LLS[r.continuation], False, 1) for r in requests]

    def next_token_logprobs(self, prompts: Sequence[str], top_k: int = 5) -> list[dict[str, float]]:
        return [{} for _ in prompts]


def test_loglik_options_scores_each_option_after_a_space() -> None:
    model = _HandSet()
    sc = Scorer(model, get_spec("mmlu_medical"), CallCache(None), "handset")
    (row,) = score_loglik_options(sc, [ITEM])
    assert [r.continuation for r in model.seen] == [f" {c}" for c in CHOICES]
    assert (row["pred"], row["pred_norm"], row["correct_norm"]) == (0, 2, True)


class _ServerTemplated(_HandSet):
    """Like the openai backend: no chat template here, replies come from messages."""

    def __init__(self) -> None:
        super().__init__()
        self.conversations: list[list[ChatMessage]] = []

    def apply_chat_template(self, messages: Messages, *, add_generation_prompt: bool = True) -> str:
        raise CapabilityError("an OpenAI-compatible server applies its own chat template")

    def stream_chat(
        self, messages: Messages, params: GenerationParams = GenerationParams()
    ) -> Iterator[str]:
        self.conversations.append(list(messages))
        yield "Answer: C"

    def chat_batch(
        self, conversations: Sequence[Messages], params: GenerationParams = GenerationParams()
    ) -> list[str]:
        return [self.chat(m, params) for m in conversations]  # as OpenAIModel does


def test_generate_mode_sends_messages_to_a_server_templated_model() -> None:
    model = _ServerTemplated()
    sc = Scorer(model, get_spec("mmlu_medical"), CallCache(None), "server")
    (row,) = score_generate(sc, [ITEM])
    assert (row["pred"], row["correct"], row["parse_failed"]) == (2, True, False)
    ((msg,),) = model.conversations
    assert msg.role == "user" and msg.content.endswith(GEN_SUFFIX) and ITEM.question in msg.content
