"""Model tiers with real models: the spec forms of the small tier, `ask` without --model on a
machine without the large tier, a speed measurement; the large and medium tiers are `slow`."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medllm.core import ChatMessage
from medllm.models import (
    TIERS,
    GenerationParams,
    default_gguf,
    default_hf_dir,
    load_model,
    tier_gguf,
    tier_state,
    trainable_folder,
)
from medllm.models.speed import measure_speed, record_speed, recorded_speeds
from medllm.models.tiers import Part, install_command

pytestmark = pytest.mark.integration


def test_small_and_default_load_the_same_embedded_file() -> None:
    with (
        load_model("llamacpp:small", n_ctx=512) as small,
        load_model("llamacpp:default", n_ctx=512) as default,
    ):
        assert small.path == default.path == default_gguf()  # type: ignore[attr-defined]
        assert small.id == "llamacpp:SmolLM2-135M-Instruct.Q4_1.gguf"


def test_hf_small_is_the_converted_embedded_model() -> None:
    assert trainable_folder("hf:small") == trainable_folder("hf:default") == default_hf_dir()


def test_ask_without_a_model_on_a_laptop_without_the_large_tier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The large tier's parts are absent here: one notice with the install command, then the
    small tier answers."""
    from medllm.cli import app

    absent = replace(TIERS["large"], parts=(Part("medllm-absent-part1", "absent/part01.bin"),))
    monkeypatch.setitem(TIERS, "large", absent)
    res = CliRunner().invoke(app, ["ask", "--plain", "What is anemia?", "--max-tokens", "8"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == (
        "note: the large model tier (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) is not installed, so the "
        f"small one (SmolLM2-135M-Instruct Q4_1) answers; install it with `{install_command(absent)}`"
    )
    assert any(
        line.startswith("model: llamacpp:SmolLM2-135M-Instruct.Q4_1.gguf · ") for line in lines
    )


def test_speed_is_measured_and_kept_for_models_ls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLLM_CACHE", str(tmp_path))
    r = measure_speed("small", prompt_tokens=32, gen_tokens=8, repeats=1)
    assert (r["tier"], r["model"], r["prompt_tokens"], r["gen_tokens"], r["repeats"]) == (
        "small",
        "llamacpp:SmolLM2-135M-Instruct.Q4_1.gguf",
        32,
        8,
        1,
    )
    assert r["decode_tok_s"] > 0 and r["prefill_tok_s"] > 0
    record_speed(r)
    assert recorded_speeds() == {"small": r}


def _installed(name: str) -> None:
    tier = TIERS[name]
    if tier_state(tier) == "missing":
        pytest.skip(f"the {name} tier is not installed ({install_command(tier)})")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["medium", "large"])
def test_split_tiers_assemble_to_their_official_sha256(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed(name)
    monkeypatch.setenv("MEDLLM_CACHE", str(tmp_path))  # a fresh cache: assembled here from parts
    path = tier_gguf(TIERS[name])
    assert path.parent == tmp_path / "models" and path.stat().st_size == TIERS[name].size
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(8 << 20):
            digest.update(block)
    assert digest.hexdigest() == TIERS[name].sha256


@pytest.mark.slow
def test_the_large_tier_answers() -> None:
    _installed("large")
    with load_model("llamacpp:large", n_ctx=512) as model:
        messages = [ChatMessage("user", "Which organ produces insulin? Answer in one word.")]
        text = model.chat(messages, GenerationParams(max_tokens=8, temperature=0.0))
    assert "pancreas" in text.lower()


def test_prefix_cache_keeps_the_shared_prompt_prefix_between_generations() -> None:
    """`prefix_cache=true` (what `medllm serve` loads): the second prompt evaluates only what
    follows the prefix it shares with the first; off (the default), every prompt starts clean."""
    params = GenerationParams(max_tokens=4, temperature=0.0)
    for cached in (False, True):
        with load_model("llamacpp:small", n_ctx=512, prefix_cache=cached) as model:
            llm = model._llm  # type: ignore[attr-defined]
            evaluated: list[int] = []
            real_eval = llm.eval

            def counting(
                tokens: list[int], real_eval: object = real_eval, evaluated: list[int] = evaluated
            ) -> None:
                evaluated.append(len(tokens))
                real_eval(tokens)  # type: ignore[operator]

            llm.eval = counting
            shared = "Patient education leaflet about anaemia and iron tablets. Question: "
            "".join(model.stream(shared + "what is ferritin?", params))
            evaluated.clear()
            "".join(model.stream(shared + "what is haemoglobin?", params))
            prompt = len(model.tokenize(shared + "what is haemoglobin?"))
            first_eval = evaluated[0]
            if cached:
                assert first_eval < prompt - 5  # the shared words were not evaluated again
            else:
                assert first_eval >= prompt
