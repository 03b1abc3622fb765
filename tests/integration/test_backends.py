"""The real embedded SmolLM2 through every backend: llamacpp, hf (converted), openai (real server)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medllm.core.errors import CapabilityError, ContextLengthError, ModelError
from medllm.core.records import ChatMessage
from medllm.evaluate import run_eval
from medllm.models import GenerationParams, LoglikRequest, load_model
from medllm.models.assets import default_gguf

from .serve_util import free_port, start_llama_server

pytestmark = pytest.mark.integration

QUESTION = [ChatMessage("user", "Name one symptom of anemia.")]


def test_llamacpp_default_answers_and_streams(default_model: Any) -> None:
    params = GenerationParams(max_tokens=24)
    pieces = list(default_model.stream_chat(QUESTION, params))
    assert len(pieces) > 3
    text = "".join(pieces)
    assert text == default_model.chat(QUESTION, params)  # greedy is reproducible
    assert any(w in text.lower() for w in ("fatigue", "tired", "weak", "pale", "anemia", "symptom"))


def test_llamacpp_scores_the_obvious_continuation_higher(default_model: Any) -> None:
    good, bad = default_model.loglikelihood(
        [
            LoglikRequest("The capital of France is", " Paris"),
            LoglikRequest("The capital of France is", " Banana"),
        ]
    )
    assert good.logprob > bad.logprob + 5
    assert good.is_greedy and not bad.is_greedy


def test_llamacpp_prompt_over_context_window(default_model: Any) -> None:
    with pytest.raises(ContextLengthError, match="-token context of"):
        default_model.generate("anemia " * 2100, GenerationParams(max_tokens=4))


def test_hf_converted_agrees_with_llamacpp(default_model: Any, default_hf_model: Any) -> None:
    prompts = ["The capital of France is", "Iron deficiency causes", "The heart has four"]
    a = default_model.next_token_logprobs(prompts, 1)
    b = default_hf_model.next_token_logprobs(prompts, 1)
    assert [next(iter(x)) for x in a] == [next(iter(x)) for x in b]
    reqs = [LoglikRequest("Insulin is made in the", " pancreas")]
    (x,) = default_model.loglikelihood(reqs)
    (y,) = default_hf_model.loglikelihood(reqs)
    assert x.n_tokens == y.n_tokens
    # llama.cpp quantizes activations (Q8) in its Q4_1 kernels; the fp32 HF copy does not.
    assert abs(x.logprob - y.logprob) < 1.0


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    proc, url = start_llama_server("--logits_all", "true")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server_without_logprobs() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that speaks the OpenAI completions API but drops log-probs,
    as Ollama's OpenAI layer does (llama-cpp-python's server always returns them)."""
    import threading

    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "plain", "object": "model", "owned_by": "test"}]}

    @app.post("/v1/completions")
    def completions(body: dict[str, Any]) -> dict[str, Any]:
        choice = {"index": 0, "text": "ok", "finish_reason": "length", "logprobs": None}
        return {
            "id": "c1",
            "object": "text_completion",
            "created": 0,
            "model": "plain",
            "choices": [choice],
        }

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    srv.should_exit = True
    thread.join(timeout=10)


def test_openai_backend_chat_matches_llamacpp(server: str, default_model: Any) -> None:
    model = load_model(f"openai:{server}")  # the model name is discovered from /v1/models
    assert model.id == "openai:smollm2"
    params = GenerationParams(max_tokens=16)
    streamed = "".join(model.stream_chat(QUESTION, params))
    local = default_model.chat(QUESTION, params).strip()
    # Same weights and template; the server's batch shapes may flip a late near-tie, so compare
    # the opening words.
    assert streamed.strip()[:30] == local[:30]


def test_openai_backend_runs_generate_mode(server: str, tmp_path: Path) -> None:
    """Generation modes send chat messages: the server applies the template (none is rendered)."""
    s = run_eval(
        f"openai:{server}", "mmlu_medical", mode="generate", limit=3, cache=False, out_dir=tmp_path
    )
    r = s["results"]["mmlu_medical"]
    assert (r["n"], r["mode"], s["config"]["backend"]) == (3, "generate", "openai")
    rows = [
        json.loads(x) for x in (tmp_path / "samples_mmlu_medical.jsonl").read_text().splitlines()
    ]
    assert len(rows) == 3 and all(row["raw"].strip() for row in rows)
    assert all(row["parse_failed"] == (row["pred"] is None) for row in rows)


def test_openai_backend_next_token_and_tokenize(server: str, default_model: Any) -> None:
    model = load_model(f"openai:{server}#smollm2")
    (top,) = model.next_token_logprobs(["The capital of France is"], 3)
    (ref,) = default_model.next_token_logprobs(["The capital of France is"], 3)
    assert next(iter(top)) == next(iter(ref)) == " Paris"
    assert top[" Paris"] == pytest.approx(ref[" Paris"], abs=1e-3)
    assert model.tokenize("hello world") == default_model.tokenize("hello world")


@pytest.fixture(scope="module")
def aligned() -> Iterator[str]:
    from tests.integration.aligned_server import aligned_server

    with aligned_server(str(default_gguf()), free_port()) as url:
        yield url


def test_openai_backend_refuses_a_server_whose_echoed_logprobs_are_shifted(server: str) -> None:
    """llama-cpp-python's server gives each echoed prompt token the log-prob of the next position
    (abetlen/llama-cpp-python#1983): -8.45 for " Paris" where the weights give -0.26."""
    model = load_model(f"openai:{server}#smollm2")
    with pytest.raises(CapabilityError, match="shifted by one token"):
        model.loglikelihood([LoglikRequest("The capital of France is", " Paris")])


def test_openai_backend_loglikelihood_matches_the_local_model(
    aligned: str, default_model: Any
) -> None:
    model = load_model(f"openai:{aligned}")
    reqs = [
        LoglikRequest("The capital of France is", " Paris"),
        LoglikRequest("Insulin is made in the", " pancreas"),
        LoglikRequest("The capital of France is", " Banana bread"),
    ]
    got, local = model.loglikelihood(reqs), default_model.loglikelihood(reqs)
    assert [r.n_tokens for r in got] == [r.n_tokens for r in local]
    for r, ref in zip(got, local, strict=True):
        assert r.logprob == pytest.approx(ref.logprob, abs=1e-3)
    assert [r.is_greedy for r in got] == [r.is_greedy for r in local] == [True, False, False]


def test_openai_server_without_logprobs_is_a_clear_error(server_without_logprobs: str) -> None:
    model = load_model(f"openai:{server_without_logprobs}")
    with pytest.raises(CapabilityError, match="returned no log-probs"):
        model.loglikelihood([LoglikRequest("a", " b")])
    with pytest.raises(CapabilityError, match="returned no log-probs"):
        model.next_token_logprobs(["a"])


def test_openai_unreachable_server() -> None:
    with pytest.raises(ModelError, match="cannot reach the server"):
        load_model(f"openai:http://127.0.0.1:{free_port()}/v1")
