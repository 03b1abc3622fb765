"""The `hf` backend on a tiny random Llama with the real SmolLM2 tokenizer."""

from __future__ import annotations

import math
from typing import Any

import pytest

from medllm.core.errors import ContextLengthError
from medllm.core.records import ChatMessage
from medllm.models import GenerationParams, LoglikRequest


def test_loglikelihood_is_sum_of_token_logprobs(tiny_model: Any) -> None:
    (res,) = tiny_model.loglikelihood(
        [LoglikRequest("Question: which organ? Answer:", " the liver")]
    )
    assert res.n_tokens == len(res.token_logprobs) >= 2
    assert math.isclose(res.logprob, sum(res.token_logprobs), rel_tol=1e-9)
    assert all(lp < 0 for lp in res.token_logprobs)


def test_trailing_context_space_moves_to_continuation(tiny_model: Any) -> None:
    a, b = tiny_model.loglikelihood(
        [LoglikRequest("The answer is ", "A"), LoglikRequest("The answer is", " A")]
    )
    assert a.logprob == pytest.approx(b.logprob)


def test_batched_scoring_equals_one_by_one(tiny_model: Any) -> None:
    reqs = [LoglikRequest("Hi", " there friend"), LoglikRequest("A much longer context here", " B"),
            LoglikRequest("", "empty context")]  # fmt: skip
    batched = tiny_model.loglikelihood(reqs)
    single = [tiny_model.loglikelihood([r])[0] for r in reqs]
    for x, y in zip(batched, single, strict=True):
        assert x.logprob == pytest.approx(y.logprob, abs=1e-4)


def test_greedy_flag_matches_next_token(tiny_model: Any) -> None:
    prompt = "Patient presents with"
    (top,) = tiny_model.next_token_logprobs([prompt], 3)
    best = next(iter(top))
    (res,) = tiny_model.loglikelihood([LoglikRequest(prompt, best)])
    assert res.is_greedy
    assert res.logprob == pytest.approx(top[best], abs=1e-5)
    assert list(top.values()) == sorted(top.values(), reverse=True)


def test_stream_equals_generate_and_respects_max_tokens(tiny_model: Any) -> None:
    params = GenerationParams(max_tokens=8)
    pieces = list(tiny_model.stream("Hello", params))
    assert "".join(pieces) == tiny_model.generate("Hello", params)
    assert len(tiny_model.tokenize("".join(pieces))) <= 10


def test_chat_uses_the_chatml_template(tiny_model: Any) -> None:
    prompt = tiny_model.apply_chat_template([ChatMessage("user", "hi")])
    assert prompt.endswith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")


def test_prompt_over_context_window_is_refused(tiny_model: Any) -> None:
    with pytest.raises(ContextLengthError, match="context window"):
        tiny_model.generate("word " * 1100, GenerationParams(max_tokens=4))
