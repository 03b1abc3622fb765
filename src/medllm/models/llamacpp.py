"""`llamacpp` backend: any GGUF file through llama-cpp-python; `llamacpp:small|medium|large` are the
model tiers (`default` = `small`, the embedded SmolLM2)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from medllm.core import ModelError
from medllm.models.base import GenerationParams, LoglikRequest, LoglikResult, Messages, Model
from medllm.models.convert import check_gguf
from medllm.models.scoring import encode_pair, log_softmax, score_positions, top_k
from medllm.models.spec import ModelConfig, ModelSpec


def load(spec: ModelSpec, cfg: ModelConfig) -> LlamaCppModel:
    from medllm.models.tiers import tier_for_target, tier_gguf

    if (tier := tier_for_target(spec.target)) is not None:
        path = tier_gguf(tier)  # sha256 checked; a split tier is assembled on first use
    else:
        path = check_gguf(Path(spec.target).expanduser())
    return LlamaCppModel(path, cfg)


class LlamaCppModel(Model):
    backend = "llamacpp"

    def __init__(self, path: Path, cfg: ModelConfig) -> None:
        self.path = path
        self.cfg = cfg
        self.id = f"llamacpp:{path.name}"
        self._llm = self._open(logits_all=False)
        self._scorer: Any = None  # a second context with logits for every position, made on demand
        meta = self._llm.metadata
        self._bos = (
            [self._llm.token_bos()] if meta.get("tokenizer.ggml.add_bos_token") == "true" else []
        )
        bos = self._llm.token_bos()
        self._prefix = bos if bos >= 0 else self._llm.token_eos()
        self._template = meta.get("tokenizer.chat_template")

    def _open(self, *, logits_all: bool) -> Any:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError(
                "llama-cpp-python is not installed",
                fix="run `make setup` (it builds llama-cpp-python once)",
            ) from None
        return Llama(
            model_path=str(self.path),
            n_ctx=self.cfg.n_ctx,
            n_threads=self.cfg.n_threads or os.cpu_count(),
            n_batch=self.cfg.n_batch,
            logits_all=logits_all,
            verbose=False,
        )

    @property
    def context_length(self) -> int:
        return int(self._llm.n_ctx())

    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]:
        toks = list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        return self._bos + toks if add_special else toks

    def apply_chat_template(self, messages: Messages, *, add_generation_prompt: bool = True) -> str:
        if not self._template:
            raise ModelError(
                f"{self.path.name} has no chat template",
                fix="use a chat/instruct GGUF, or generate()",
            )
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        eos = self._llm.detokenize([self._llm.token_eos()], special=True).decode("utf-8", "replace")
        bos = self._llm.detokenize([self._prefix], special=True).decode("utf-8", "replace")
        fmt = Jinja2ChatFormatter(
            self._template,
            eos_token=eos,
            bos_token=bos,
            add_generation_prompt=add_generation_prompt,
        )
        msgs: list[Any] = [{"role": m.role, "content": m.content} for m in messages]
        return str(fmt(messages=msgs).prompt)

    def stream(self, prompt: str, params: GenerationParams = GenerationParams()) -> Iterator[str]:
        n_prompt = len(self._bos) + len(self.tokenize(prompt))
        self.check_fits(n_prompt, 1)
        max_tokens = min(params.max_tokens, self.context_length - n_prompt)
        # Reusing a cached prefix evaluates the prompt in other batch shapes, which moves logits in
        # the last bits and can flip a greedy choice: start clean so greedy output is reproducible,
        # unless asked to keep the prefix (a server, where a shared system prompt is re-used).
        if not self.cfg.prefix_cache:
            self._llm.reset()
        for chunk in self._llm.create_completion(
            prompt,
            max_tokens=max_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            seed=params.seed if params.seed is not None else -1,
            stop=list(params.stop) or None,
            stream=True,
        ):
            text = chunk["choices"][0]["text"]
            if text:
                yield text

    def _scoring_context(self) -> Any:
        if self._scorer is None:
            self._scorer = self._open(logits_all=True)
        return self._scorer

    def _eval_logprobs(self, tokens: list[int], first_row: int = 0) -> Any:
        """Evaluate `tokens`, reusing the KV cache for the prefix shared with the previous call
        (multiple-choice options share a context). Returns log-softmax rows for positions
        first_row..len(tokens)-1, shape (len(tokens) - first_row, vocab): only the rows that are
        scored pay for the float64 softmax."""
        self.check_fits(len(tokens))
        llm = self._scoring_context()
        common = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens, strict=False):
            if a != b:
                break
            common += 1
        common = min(common, len(tokens) - 1)  # re-evaluate at least one token
        llm.n_tokens = common
        llm.eval(tokens[common:])
        return log_softmax(llm.scores[first_row : len(tokens)])

    def loglikelihood(self, requests: Sequence[LoglikRequest]) -> list[LoglikResult]:
        out = []
        for req in requests:
            tokens, start = encode_pair(self.tokenize, req, self._bos, self._prefix)
            rows = self._eval_logprobs(tokens, first_row=start - 1)
            out.append(score_positions(rows, tokens, start, first_row=start - 1))
        return out

    def next_token_logprobs(
        self, prompts: Sequence[str], top_k_: int = 5
    ) -> list[dict[str, float]]:
        out = []
        for prompt in prompts:
            tokens = self._bos + self.tokenize(prompt)
            rows = self._eval_logprobs(tokens, first_row=len(tokens) - 1)
            out.append(top_k(rows[-1], top_k_, self._decode_one))
        return out

    def time_tokens(self, prompt: list[int], n_gen: int) -> tuple[float, float, int]:
        """(prefill seconds, decode seconds, tokens decoded) for evaluating `prompt` from an empty
        cache and then generating up to `n_gen` tokens greedily; the clock for decoding starts at
        the first sampled token, so prefill includes sampling it."""
        self._llm.reset()
        start = time.perf_counter()
        first, n = 0.0, 0
        for _token in self._llm.generate(prompt, top_k=1, temp=0.0, reset=True):
            if not first:
                first = time.perf_counter()
            else:
                n += 1
            if n >= n_gen:
                break
        return first - start, time.perf_counter() - first, n

    def _decode_one(self, token: int) -> str:
        return str(self._llm.detokenize([token], special=True).decode("utf-8", "replace"))

    def close(self) -> None:
        for llm in (self._llm, self._scorer):
            if llm is not None and hasattr(llm, "close"):
                llm.close()
        self._scorer = None
