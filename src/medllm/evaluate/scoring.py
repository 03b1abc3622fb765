"""Scoring modes. Each `score_<mode>(ctx, batch)` turns a batch of items into per-sample rows.

Model calls go through `Scorer`, which batches them and caches each one on disk.
Multiple choice under `loglik` follows lm-eval-harness: one log-likelihood request per option,
acc = argmax of summed log-probs, acc_norm = argmax of log-probs divided by the option's length
in characters (Unicode code points, as lm-eval's `acc_norm`; its `acc_bytes`, per UTF-8 byte, is not
reported).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from medllm.core import LETTERS, ChatMessage, ConfigError, Question
from medllm.evaluate.cache import CallCache, call_key
from medllm.evaluate.parse import is_abstention, parse_choice
from medllm.evaluate.spec import TaskSpec
from medllm.models import GenerationParams, LoglikRequest, Model

GEN_SUFFIX = "\nAnswer with the letter of the correct option only."
COT_SUFFIX = (
    "\nThink step by step, then end with the final answer on its own line as 'Answer: <letter>'."
)
Row = dict[str, Any]


@dataclass
class Scorer:
    """Everything a scoring mode needs: the model, the task, the cache and the mode's knobs."""

    model: Model
    spec: TaskSpec
    cache: CallCache
    fingerprint: str
    seed: int = 0
    pool: list[Question] = field(default_factory=list)
    num_fewshot: int | None = None
    k: int = 5
    temperature: float = 0.7
    cot_max_tokens: int = 256

    def loglik(self, pairs: list[tuple[str, str]]) -> list[float]:
        keys = [call_key(self.fingerprint, "loglik", list(p), None) for p in pairs]
        found = self.cache.get_many(keys)
        todo = list({k: p for k, p in zip(keys, pairs, strict=True) if k not in found}.items())
        if todo:
            reqs = [LoglikRequest(c, x) for _, (c, x) in todo]
            results = self.model.loglikelihood(reqs)
            new = {k: r.logprob for (k, _), r in zip(todo, results, strict=True)}
            self.cache.put_many(new)
            found.update(new)
        return [float(found[k]) for k in keys]

    def chat(self, texts: list[str], params: GenerationParams) -> list[str]:
        """The model's reply to each text sent as one user message. Messages, not a rendered
        prompt, go to the model, so a backend whose server applies the template (openai) works."""
        p = [params.max_tokens, params.temperature, params.top_p, params.seed, list(params.stop)]
        keys = [call_key(self.fingerprint, "chat", [["user", x]], p) for x in texts]
        found = self.cache.get_many(keys)
        todo = list({k: x for k, x in zip(keys, texts, strict=True) if k not in found}.items())
        if todo:
            convs = [[ChatMessage("user", x)] for _, x in todo]
            outs = self.model.chat_batch(convs, params)
            new = dict(zip([k for k, _ in todo], outs, strict=True))
            self.cache.put_many(new)
            found.update(new)
        return [str(found[k]) for k in keys]


def render(spec: TaskSpec, item: Question) -> str:
    """The task's prompt for one item (choices listed as "A. ..." lines)."""
    listed = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(item.choices))
    fields = {
        "question": item.question,
        "choices": listed,
        "subject": item.subject or spec.name,
        "context": str(item.meta.get("context", "")),
    }
    try:
        return spec.prompt.format_map(fields)
    except (KeyError, IndexError, ValueError) as e:
        raise ConfigError(
            f'task {spec.name}: field "prompt": bad placeholder ({e})',
            fix="use only {question}, {choices}, {subject}, {context}",
        ) from None


def _softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    return [v / sum(e) for v in e]


def _mc_row(item: Question, lls: list[float], texts: list[str], raw: str = "") -> Row:
    """`texts` are the scored choices without the " " delimiter: acc_norm divides by their length
    in characters, `len(str)` (lm-eval's `acc_norm`; "β-agonist" is 9 characters, 10 bytes)."""
    norm = [ll / max(len(t), 1) for ll, t in zip(lls, texts, strict=True)]
    pred = max(range(len(lls)), key=lls.__getitem__)
    pred_norm = max(range(len(norm)), key=norm.__getitem__)
    return {
        "pred": pred,
        "pred_norm": pred_norm,
        "correct": pred == item.answer,
        "correct_norm": pred_norm == item.answer,
        "loglik": lls,
        "confidence": _softmax(lls)[pred],
        "raw": raw,
    }


def _loglik_rows(
    sc: Scorer, batch: list[Question], contexts: list[str], options: bool
) -> list[Row]:
    pairs: list[tuple[str, str]] = []
    texts: list[list[str]] = []
    for item, ctx in zip(batch, contexts, strict=True):
        t = list(item.choices) if options else list(LETTERS[: len(item.choices)])
        texts.append(t)
        pairs += [(ctx, f" {x}") for x in t]
    lls = sc.loglik(pairs)
    rows, at = [], 0
    for item, t in zip(batch, texts, strict=True):
        rows.append(_mc_row(item, lls[at : at + len(t)], t))
        at += len(t)
    return rows


def score_loglik(sc: Scorer, batch: list[Question]) -> list[Row]:
    """Letter log-probs (lm-eval's multiple-choice scoring of MedQA/MMLU)."""
    return _loglik_rows(sc, batch, [render(sc.spec, q) for q in batch], options=False)


def score_loglik_options(sc: Scorer, batch: list[Question]) -> list[Row]:
    """Log-likelihood of each option's own text (acc_norm divides by its length in characters)."""
    return _loglik_rows(sc, batch, [render(sc.spec, q) for q in batch], options=True)


def fewshot_prefix(sc: Scorer, item: Question) -> str:
    k = sc.spec.num_fewshot if sc.num_fewshot is None else sc.num_fewshot
    if k and len(sc.pool) < k:
        raise ConfigError(
            f"task {sc.spec.name}: few-shot pool has {len(sc.pool)} items, {k} needed",
            fix="lower num_fewshot or give the loader a larger pool",
        )
    shots = random.Random(f"{sc.seed}:{item.id}").sample(sc.pool, k) if k else []
    return "".join(f"{render(sc.spec, s)} {LETTERS[int(s.answer)]}\n\n" for s in shots)


def score_fewshot(sc: Scorer, batch: list[Question]) -> list[Row]:
    """k shots from the disjoint pool, then letter log-probs."""
    contexts = [fewshot_prefix(sc, q) + render(sc.spec, q) for q in batch]
    return _loglik_rows(sc, batch, contexts, options=False)


def _parsed_row(item: Question, text: str, final_only: bool = False) -> Row:
    pred = parse_choice(text, item.choices, final_only=final_only)
    if pred is None and final_only:
        pred = parse_choice(text, item.choices)
    return {
        "pred": pred,
        "correct": pred == item.answer,
        "parse_failed": pred is None,
        "abstained": is_abstention(text),
        "confidence": None,
        "raw": text,
    }


def score_generate(sc: Scorer, batch: list[Question]) -> list[Row]:
    """Greedy answer, parsed robustly; free-text tasks are scored against the reference."""
    if sc.spec.output == "generate":
        return _free_text_rows(sc, batch)
    prompts = [render(sc.spec, q) + GEN_SUFFIX for q in batch]
    outs = sc.chat(prompts, GenerationParams(max_tokens=sc.spec.max_tokens, temperature=0.0))
    return [_parsed_row(q, o) for q, o in zip(batch, outs, strict=True)]


def score_cot(sc: Scorer, batch: list[Question]) -> list[Row]:
    """Reason first, then the final "Answer: X" line is parsed."""
    if sc.spec.output == "generate":
        return _free_text_rows(sc, batch)
    prompts = [render(sc.spec, q) + COT_SUFFIX for q in batch]
    outs = sc.chat(prompts, GenerationParams(max_tokens=sc.cot_max_tokens, temperature=0.0))
    return [_parsed_row(q, o, final_only=True) for q, o in zip(batch, outs, strict=True)]


def score_self_consistency(sc: Scorer, batch: list[Question]) -> list[Row]:
    """k sampled chains of thought; majority vote; agreement of the vote is the confidence."""
    if sc.spec.output == "generate":
        return _free_text_rows(sc, batch)
    prompts = [render(sc.spec, q) + COT_SUFFIX for q in batch]
    samples = [
        sc.chat(
            prompts,
            GenerationParams(
                max_tokens=sc.cot_max_tokens, temperature=sc.temperature, seed=sc.seed + i
            ),
        )
        for i in range(sc.k)
    ]
    rows = []
    for j, q in enumerate(batch):
        parsed = [_parsed_row(q, s[j], final_only=True) for s in samples]
        votes = Counter(p["pred"] for p in parsed if p["pred"] is not None)
        pred = min(votes, key=lambda v: (-votes[v], v)) if votes else None
        rows.append(
            {
                "pred": pred,
                "correct": pred == q.answer,
                "parse_failed": pred is None,
                "abstained": all(p["abstained"] for p in parsed),
                "confidence": votes[pred] / sc.k if pred is not None else 0.0,
                "votes": [p["pred"] for p in parsed],
                "raw": samples[0][j],
            }
        )
    return rows


def _free_text_rows(sc: Scorer, batch: list[Question]) -> list[Row]:
    from medllm.evaluate.metrics import text_scores

    prompts = [render(sc.spec, q) for q in batch]
    outs = sc.chat(prompts, GenerationParams(max_tokens=sc.spec.max_tokens, temperature=0.0))
    rows = []
    for q, o in zip(batch, outs, strict=True):
        rows.append(
            {
                "pred": o.strip(),
                "abstained": is_abstention(o),
                "raw": o,
                **text_scores(o.strip(), str(q.answer)),
            }
        )
    return rows
