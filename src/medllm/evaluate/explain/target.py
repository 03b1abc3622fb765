"""What an attribution explains: the log-likelihood of one answer given a prompt, as a function of
the prompt's tokens, and which of those tokens are features (the ones a method scores and the
faithfulness curves delete or insert).

A feature is "absent" when its token is replaced by the baseline token (the tokenizer's pad token:
`<|im_end|>` for SmolLM2), so every input keeps its length and positions; integrated gradients
walks from that baseline to the prompt, and the deletion / insertion curves put it in and take it
out, so both measure against the same reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from medllm.core import MedllmError
from medllm.models import HFModel, Model


@dataclass(frozen=True)
class Target:
    """One prompt + answer: `ids` = prompt tokens then answer tokens (answer from `start`), the
    positions of the feature tokens, their text pieces, and the baseline token."""

    ids: tuple[int, ...]
    start: int
    features: tuple[int, ...]
    pieces: tuple[str, ...]
    baseline_id: int

    @property
    def n_features(self) -> int:
        return len(self.features)

    def with_absent(self, absent: Sequence[int]) -> list[int]:
        """The ids with the features at the given indices (into `features`) replaced by the
        baseline token."""
        ids = list(self.ids)
        for j in absent:
            ids[self.features[j]] = self.baseline_id
        return ids


def hf_of(model: Model) -> HFModel:
    """The transformers model under `model` (a `rag:` model's inner one): the gradient and
    attention methods need its weights."""
    inner = getattr(model, "inner", model)
    if not isinstance(inner, HFModel):
        raise MedllmError(
            f"attribution needs the weights of the model: {model.id} is a {inner.backend} model",
            fix="use an hf model: --model hf:default (the embedded model) or hf:DIR",
        )
    return inner


def build_target(
    model: HFModel, prompt: str, answer: str, spans: Sequence[tuple[int, int]]
) -> Target:
    """The target for `answer` after `prompt`; features = the prompt tokens that overlap one of
    the character `spans` of the prompt (the question, the options, the sources)."""
    context, answer_ids = encode_answer(model, prompt, answer)
    if not answer_ids:
        raise MedllmError("the answer to explain is empty", fix="give a non-empty answer")
    prompt_ids = model._bos + model.tokenize(context) or [model._prefix]
    ids, start = prompt_ids + answer_ids, len(prompt_ids)
    enc = model.tokenizer(context, return_offsets_mapping=True, add_special_tokens=False)
    offsets: list[tuple[int, int]] = list(enc["offset_mapping"])
    shift = start - len(offsets)  # the BOS (or lm-eval's prefix token) before them
    feats: list[int] = []
    pieces: list[str] = []
    for i, (a, b) in enumerate(offsets):
        if b > a and any(a < e and b > s for s, e in spans):
            feats.append(shift + i)
            pieces.append(context[a:b])
    if not feats:
        raise MedllmError(
            "no prompt token lies in the text to attribute to", fix="give a non-empty question"
        )
    pad = model.tokenizer.pad_token_id
    return Target(tuple(ids), start, tuple(feats), tuple(pieces), int(pad))


def encode_answer(model: HFModel, prompt: str, answer: str) -> tuple[str, list[int]]:
    """(context, answer tokens) by the models stage's scoring rule (lm-eval's, models/base.py):
    the prompt's trailing whitespace moves onto the answer, and the answer's tokens are those of
    prompt + answer after the prompt's, or its own where a merge crosses the boundary. Written
    again here because that helper is internal to the models stage."""
    n = len(prompt) - len(prompt.rstrip())
    context, answer = (prompt[:-n], prompt[-n:] + answer) if n else (prompt, answer)
    ctx = model.tokenize(context)
    whole = model.tokenize(context + answer)
    return context, whole[len(ctx) :] if whole[: len(ctx)] == ctx else model.tokenize(answer)


def answer_logprob(net: Any, batch: Any, start: int, embeds: Any = None) -> Any:
    """(rows,) summed log-probs of the answer tokens (positions `start`..) in each row of
    `batch` (rows, tokens) of ids; the output head runs only on the positions that predict them.
    With `embeds` (rows, tokens, dim) the network reads those instead of the ids' embeddings."""
    import torch

    body = net.get_decoder() if hasattr(net, "get_decoder") else net.model
    if embeds is None:
        hidden = body(input_ids=batch).last_hidden_state
    else:
        hidden = body(inputs_embeds=embeds).last_hidden_state
    logits = net.get_output_embeddings()(hidden[:, start - 1 : -1]).float()
    logp = torch.log_softmax(logits, dim=-1)  # (rows, answer tokens, vocab)
    return logp.gather(-1, batch[:, start:].unsqueeze(-1)).squeeze(-1).sum(-1)


def score_ids(
    model: HFModel, rows: Sequence[Sequence[int]], start: int, batch: int = 32
) -> list[float]:
    """The answer's log-likelihood for each row of ids (all rows one length), `batch` rows a
    forward pass (one item's curve rows fit in one: fewer, larger matrix products on a CPU)."""
    import torch

    out: list[float] = []
    step = max(batch, 1)
    with torch.no_grad():
        for b in range(0, len(rows), step):
            ids = torch.tensor([list(r) for r in rows[b : b + step]], device=model.device)
            out += [float(v) for v in answer_logprob(model.model, ids, start)]
    return out
