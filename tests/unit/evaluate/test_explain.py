"""S10 interpretability: integrated gradients against a hand-written quadrature and its
completeness, attention rollout rows, AOPC of known orderings, leave-one-source-out against the
model's own log-likelihoods, method-name errors, the study's report and resume, `medllm explain`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from medllm.core import MedllmError, UnknownNameError
from medllm.evaluate.explain import InterpretabilityConfig, check_method, explain
from medllm.evaluate.explain.faithfulness import aopc, curves
from medllm.evaluate.explain.methods import (
    attention_maps,
    attention_rollout,
    attribute,
    integrated_gradients,
    rollout_matrix,
)
from medllm.evaluate.explain.target import Target, answer_logprob, build_target, score_ids
from medllm.models import LoglikRequest
from medllm.rag import Source

QUESTION = "Which ICD-10-CM code means iron deficiency anemia?"
PROMPT = f"Question: {QUESTION}\nAnswer:"
SPAN = [(PROMPT.index(QUESTION), PROMPT.index(QUESTION) + len(QUESTION))]


@pytest.fixture(scope="module")
def target(tiny_model: Any) -> Target:
    return build_target(tiny_model, PROMPT, " D50.9", SPAN)


def test_features_are_the_question_tokens(target: Target) -> None:
    # every token overlapping the question, nothing else (" Which" carries the space before it)
    assert "".join(target.pieces) == " " + QUESTION
    assert target.baseline_id == 2  # SmolLM2's pad token, <|im_end|>
    assert target.ids[target.start :]  # the answer's tokens follow the prompt


def _hand_ig(model: Any, target: Target, steps: int) -> np.ndarray:
    """IG written out: (x - x') · sum_i w_i grad f(x' + a_i (x - x')) on the embeddings, the
    Gauss-Legendre points Captum uses by default (a = (1 + t) / 2, w = weights / 2)."""
    import torch

    net = model.model
    emb = net.get_input_embeddings()
    ids = torch.tensor([list(target.ids)])
    x = emb(ids).detach()
    x0 = emb(torch.tensor([target.with_absent(range(target.n_features))])).detach()
    t, w = np.polynomial.legendre.leggauss(steps)
    total = torch.zeros_like(x)
    for a, wt in zip((1 + t) / 2, w / 2, strict=True):
        point = (x0 + float(a) * (x - x0)).requires_grad_(True)
        f = answer_logprob(net, ids, target.start, embeds=point)
        (grad,) = torch.autograd.grad(f.sum(), point)
        total += float(wt) * grad
    per_token = ((x - x0) * total).sum(-1)[0].numpy()
    return per_token[list(target.features)]


def test_integrated_gradients_match_the_quadrature_and_are_complete(
    tiny_model: Any, target: Target
) -> None:
    delta: list[float] = []
    scores = integrated_gradients(tiny_model, target, steps=32, delta=delta)
    np.testing.assert_allclose(scores, _hand_ig(tiny_model, target, 32), rtol=0, atol=1e-6)
    f_x, f_base = score_ids(
        tiny_model, [list(target.ids), target.with_absent(range(target.n_features))], target.start
    )
    # completeness: the scores sum to f(x) - f(baseline), up to Captum's convergence delta,
    # which with 32 points is under 1e-4 nats on this input
    assert abs(scores.sum() - (f_x - f_base) - delta[0]) < 1e-5
    assert abs(delta[0]) < 1e-4
    assert abs(f_x - f_base) > 1e-3  # the test is not passing on a flat function


def test_rollout_rows_sum_to_one_and_scores_are_its_answer_rows(
    tiny_model: Any, target: Target
) -> None:
    maps = attention_maps(tiny_model, target.ids)
    assert len(maps) == 2 and maps[0].shape == (4, len(target.ids), len(target.ids))
    roll = rollout_matrix(maps)
    np.testing.assert_allclose(roll.sum(axis=1), np.ones(len(target.ids)), atol=1e-12)
    assert np.allclose(np.triu(roll, 1), 0)  # causal: no token reads a later one
    rows = roll[target.start - 1 : len(target.ids) - 1].mean(axis=0)
    assert attention_rollout(tiny_model, target).tolist() == rows[list(target.features)].tolist()


def test_rollout_of_one_uniform_layer() -> None:
    # one layer, one head, two tokens, causal uniform attention: [[1, 0], [.5, .5]]; with the
    # residual: 0.5 A + 0.5 I = [[1, 0], [.25, .75]]
    layer = np.array([[[1.0, 0.0], [0.5, 0.5]]])
    assert rollout_matrix([layer]).tolist() == [[1.0, 0.0], [0.25, 0.75]]


def _toy() -> tuple[Target, Any]:
    """Four features worth 3, 2, 1, 0 nats when present; f = the sum of the present ones."""
    target = Target(
        ids=(9, 10, 11, 12, 13, 99),
        start=5,
        features=(1, 2, 3, 4),
        pieces=("a", "b", "c", "d"),
        baseline_id=0,
    )
    worth = [3.0, 2.0, 1.0, 0.0]

    def f(rows: list[list[int]]) -> list[float]:
        return [sum(w for j, w in enumerate(worth) if r[target.features[j]] != 0) for r in rows]

    return target, f


def test_aopc_of_known_orderings_on_a_toy_function() -> None:
    target, f = _toy()
    scores = {
        "right": np.array([3.0, 2.0, 1.0, 0.0]),
        "reversed": np.array([0.0, 1.0, 2.0, 3.0]),
        "flat": np.zeros(4),  # ties keep position order: the same as "right" here
    }
    out = curves(target, scores, f, points=2)
    # right: deletion f = 6, 1 (3 and 2 gone), 0 → drops 0, 5, 6; insertion 0, 5, 6
    assert out["right"]["deletion"] == [6.0, 1.0, 0.0]
    assert out["right"]["insertion"] == [0.0, 5.0, 6.0]
    assert out["right"]["aopc_deletion"] == pytest.approx(11 / 3, abs=1e-12)
    assert out["right"]["aopc"] == pytest.approx(11 / 3, abs=1e-12)
    # reversed: deletion 6, 5, 0 → drops 0, 1, 6; insertion 0, 1, 6
    assert out["reversed"]["aopc_deletion"] == pytest.approx(7 / 3, abs=1e-12)
    assert out["reversed"]["aopc_insertion"] == pytest.approx(7 / 3, abs=1e-12)
    assert out["flat"]["aopc"] == out["right"]["aopc"]
    # four points per curve: quarters of the four tokens
    fine = curves(target, {"right": scores["right"]}, f, points=4)["right"]
    assert fine["deletion"] == [6.0, 3.0, 1.0, 0.0, 0.0]
    assert aopc(6.0, 0.0, [3.0, 1.0, 0.0], [3.0, 5.0, 6.0])["aopc"] == fine["aopc"] == 4.0


def test_leave_one_source_out_is_the_drop_in_loglik(tiny_model: Any) -> None:
    texts = ["D50.9 Iron deficiency anemia, unspecified", "E11.9 Type 2 diabetes mellitus"]
    sources = [
        Source(i + 1, f"c{i}", f"d{i}", f"T{i}", "icd10cm", "", 1.0, t) for i, t in enumerate(texts)
    ]
    e = explain(QUESTION, tiny_model, "loo", sources=sources, answer=" D50.9")
    assert [s["n"] for s in e.sources] == [1, 2]

    def ll(content: str) -> float:
        from medllm.core import ChatMessage

        prompt = tiny_model.apply_chat_template([ChatMessage("user", content)])
        return tiny_model.loglikelihood([LoglikRequest(prompt, " D50.9")])[0].logprob

    from medllm.rag import sources_block

    # explain scores the four prompts in one padded batch, `ll` one at a time: float32 sums
    # in another order, equal to 1e-5 nats
    full = ll(f"{sources_block(sources)}\n\n{QUESTION}")
    assert e.f_full == pytest.approx(full, abs=1e-5)
    assert e.f_baseline == pytest.approx(ll(QUESTION), abs=1e-5)
    without_1 = full - ll(f"{sources_block(sources[1:])}\n\n{QUESTION}")
    without_2 = full - ll(f"{sources_block(sources[:1])}\n\n{QUESTION}")
    assert [s["drop"] for s in e.sources] == pytest.approx([without_1, without_2], abs=2e-5)


def test_unknown_method_names_the_valid_ones(tiny_model: Any, target: Target) -> None:
    with pytest.raises(MedllmError) as err:
        check_method("xyz", rag=False)
    assert str(err.value).startswith(
        "unknown attribution method 'xyz'; (methods: ig, random, rollout, loo)"
    )
    with pytest.raises(MedllmError, match="did you mean 'rollout'"):
        check_method("rolout", rag=False)
    with pytest.raises(
        MedllmError, match="scores retrieved sources, and there are none without --rag"
    ):
        check_method("loo", rag=False)
    with pytest.raises(UnknownNameError, match="use one of: ig, random, rollout"):
        attribute(tiny_model, target, "shap")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"methods": ["ig", "rollout"]}, "add random"),
        ({"methods": ["ig", "rnadom"]}, "did you mean 'random'"),
        ({"task": "icd10cm_concept"}, "did you mean 'icd10cm_concepts'"),
    ],
)
def test_config_refuses(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        InterpretabilityConfig(**fields)
