"""The `hf` backend on a tiny random Llama with the real SmolLM2 tokenizer."""

from __future__ import annotations

from typing import Any

import pytest

from medllm.core.errors import ContextLengthError
from medllm.core.records import ChatMessage
from medllm.models import GenerationParams, LoglikRequest


def test_loglikelihood_matches_a_direct_forward_pass(tiny_model: Any) -> None:
    """Each continuation token's log-prob equals log_softmax of the raw model's logits at the
    position before it (computed here with torch alone, in float64)."""
    import torch

    context, continuation = "Question: which organ? Answer:", " the liver"
    (res,) = tiny_model.loglikelihood([LoglikRequest(context, continuation)])
    tok = tiny_model.tokenizer
    ctx_ids = tok(context)["input_ids"]  # the tokenizer's own special-token rule
    ids = tok(context + continuation)["input_ids"]
    assert ids[: len(ctx_ids)] == ctx_ids  # no merge across the boundary for this pair
    with torch.no_grad():
        logits = tiny_model.model(input_ids=torch.tensor([ids])).logits[0].double()
    logp = torch.log_softmax(logits, dim=-1)  # (len(ids), vocab)
    positions = range(len(ctx_ids), len(ids))
    expected = [float(logp[i - 1, ids[i]]) for i in positions]
    assert res.n_tokens == len(ids) - len(ctx_ids) == len(expected)
    assert list(res.token_logprobs) == pytest.approx(expected, abs=1e-5)
    assert res.logprob == pytest.approx(sum(expected), abs=1e-4)
    assert res.is_greedy == all(int(logp[i - 1].argmax()) == ids[i] for i in positions)


def test_trailing_context_space_moves_to_continuation(tiny_model: Any) -> None:
    a, b = tiny_model.loglikelihood(
        [LoglikRequest("The answer is ", "A"), LoglikRequest("The answer is", " A")]
    )
    assert a.logprob == pytest.approx(b.logprob)


def test_batched_scoring_equals_one_by_one(tiny_model: Any) -> None:
    reqs = [
        LoglikRequest("Hi", " there friend"),
        LoglikRequest("A much longer context here", " B"),
        LoglikRequest("", "empty context"),
    ]
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


def test_stream_is_the_greedy_continuation_of_max_tokens(tiny_model: Any) -> None:
    """The streamed pieces join to transformers' own greedy generate() of exactly max_tokens new
    tokens (the random model never emits EOS this early, so all 8 are generated)."""
    import torch

    params = GenerationParams(max_tokens=8)
    pieces = list(tiny_model.stream("Hello", params))
    ids = torch.tensor([tiny_model.tokenizer("Hello")["input_ids"]])
    with torch.no_grad():
        out = tiny_model.model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=8,
            do_sample=False,
            pad_token_id=tiny_model.tokenizer.pad_token_id,
        )
    new = out[0, ids.shape[1] :].tolist()
    assert len(new) == 8 and tiny_model.tokenizer.eos_token_id not in new
    assert "".join(pieces) == tiny_model.tokenizer.decode(new, skip_special_tokens=True)


def test_chat_uses_the_chatml_template(tiny_model: Any) -> None:
    prompt = tiny_model.apply_chat_template([ChatMessage("user", "hi")])
    assert prompt.endswith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")


def test_prompt_over_context_window_is_refused(tiny_model: Any) -> None:
    with pytest.raises(ContextLengthError, match="-token context of"):
        tiny_model.generate("word " * 1100, GenerationParams(max_tokens=4))


def test_generation_failure_does_not_echo_the_prompt(
    tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medllm.core.errors import ModelError

    prompt = "Patient Zyxwa Quorrel, MRN 88812345"  # synthetic

    def fail(**kw: Any) -> None:
        raise RuntimeError(f"cannot continue {tiny_model.tokenizer.decode(kw['input_ids'][0])}")

    monkeypatch.setattr(tiny_model.model, "generate", fail)
    with pytest.raises(ModelError, match="generation failed: RuntimeError") as e:
        list(tiny_model.stream(prompt, GenerationParams(max_tokens=4)))
    assert "Zyxwa" not in str(e.value) and "88812345" not in str(e.value) and e.value.fix
