"""`explain(question, model, method)`: the model's answer to a question (greedy, the chat template),
then that answer's log-likelihood attributed to the question's tokens (`ig`, `rollout`), or, with
retrieved sources, to each source by leaving it out (`loo`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from medllm.core import ChatMessage, MedllmError
from medllm.evaluate.explain.methods import attribute
from medllm.evaluate.explain.target import build_target, hf_of, score_ids
from medllm.evaluate.registry import attributions
from medllm.models import GenerationParams, HFModel, LoglikRequest, Model
from medllm.rag import Source, sources_block

LOO = "loo"
CLI_METHODS = ("ig", "rollout", LOO)


@dataclass
class Explanation:
    """What `medllm explain` shows: the answer, then either one score per feature token
    (`pieces`, `scores`) or one per source (`sources`: n, title, chunk id, drop in nats)."""

    question: str
    answer: str
    method: str
    model: str
    pieces: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    f_full: float = 0.0  # log-likelihood of the answer given the whole prompt, nats
    f_baseline: float = 0.0  # ... with every feature token absent (ig, rollout) / no source (loo)
    ig_delta: float | None = None  # IG: sum of scores - (f_full - f_baseline)


def check_method(method: str, *, rag: bool) -> None:
    """Refuse an unknown method, naming the known ones, and `loo` without sources."""
    known = [*attributions.names(), LOO]
    if method not in known:
        close = difflib.get_close_matches(method, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise MedllmError(
            f"unknown attribution method {method!r}; {hint}(methods: {', '.join(known)})",
            fix=f"--method takes one of: {', '.join(known)}",
        )
    if method == LOO and not rag:
        raise MedllmError(
            "--method loo scores retrieved sources, and there are none without --rag",
            fix="add --rag, or use --method ig or rollout",
        )


def _content(question: str, sources: Sequence[Source] | None) -> str:
    # the same layout a `rag:` model gives its prompts: the sources block, a blank line, the text
    return f"{sources_block(sources)}\n\n{question}" if sources else question


def _prompt(model: HFModel, content: str) -> tuple[str, tuple[int, int]]:
    prompt = model.apply_chat_template([ChatMessage("user", content)])
    at = prompt.rindex(content)
    return prompt, (at, at + len(content))


def _answer(model: HFModel, prompt: str, answer: str | None, max_tokens: int) -> str:
    if answer is None:
        answer = model.generate(prompt, GenerationParams(max_tokens=max_tokens, temperature=0.0))
    if not answer.strip():
        raise MedllmError(
            "the model gave an empty answer, so there is nothing to explain",
            fix="ask another question, or raise --max-tokens",
        )
    return answer


def explain(
    question: str,
    model: Model,
    method: str = "ig",
    *,
    sources: Sequence[Source] | None = None,
    answer: str | None = None,
    steps: int = 16,
    max_tokens: int = 48,
) -> Explanation:
    """Explain `model`'s answer to `question` (`answer`: explain this one instead of
    generating). With `sources` (numbered retrieved sources) they go before the question as a
    `rag:` model puts them, and `loo` scores each of them."""
    check_method(method, rag=bool(sources))
    hf = hf_of(model)
    content = _content(question, sources)
    prompt, span = _prompt(hf, content)
    answer = _answer(hf, prompt, answer, max_tokens)
    out = Explanation(question, answer, method, model.id)
    if method == LOO:
        return _leave_one_out(hf, question, list(sources or []), prompt, out)
    target = build_target(hf, prompt, answer, [span])
    delta: list[float] = []
    kw: dict[str, Any] = {"steps": steps, "delta": delta} if method == "ig" else {}
    scores = attribute(hf, target, method, **kw)
    full, base = score_ids(
        hf, [list(target.ids), target.with_absent(range(target.n_features))], target.start
    )
    out.pieces, out.scores = list(target.pieces), [float(s) for s in scores]
    out.f_full, out.f_baseline = full, base
    out.ig_delta = delta[0] if delta else None
    return out


def _leave_one_out(
    hf: HFModel, question: str, sources: list[Source], prompt: str, out: Explanation
) -> Explanation:
    """f(all sources) - f(all but source i), each as the prompt the model would see without it."""
    prompts = [prompt]
    for i in range(len(sources)):
        prompts.append(_prompt(hf, _content(question, sources[:i] + sources[i + 1 :]))[0])
    prompts.append(_prompt(hf, question)[0])  # no source at all: the reference of f_baseline
    lls = [r.logprob for r in hf.loglikelihood([LoglikRequest(p, out.answer) for p in prompts])]
    out.f_full, out.f_baseline = lls[0], lls[-1]
    out.sources = [
        {"n": s.n, "title": s.title, "chunk_id": s.chunk_id, "text": s.text, "drop": lls[0] - ll}
        for s, ll in zip(sources, lls[1:-1], strict=True)
    ]
    return out
