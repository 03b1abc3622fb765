"""`openai` backend: any OpenAI-compatible server (vLLM, llama.cpp server, TGI, Ollama).

This is how users scale inference out: run vLLM on their GPUs and point medllm at it. Log-likelihood
scoring uses the completions API with `echo=True, logprobs=1` (what lm-eval's local-completions does);
a server that cannot return prompt log-probs gets a CapabilityError that says so, and so does one
whose echoed log-probs are shifted by a token (llama-cpp-python's server: each prompt token carries
the log-prob of the *next* position's distribution, abetlen/llama-cpp-python#1983), found by one
probe before the first scoring call.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from medllm.core import CapabilityError, ModelError
from medllm.models.base import (
    GenerationParams,
    LoglikRequest,
    LoglikResult,
    Messages,
    Model,
    split_context,
)
from medllm.models.spec import ModelConfig, ModelSpec


def load(spec: ModelSpec, cfg: ModelConfig) -> OpenAIModel:
    if not spec.target.startswith(("http://", "https://")):
        raise ModelError(
            f"openai spec needs a base URL, got {spec.target!r}",
            fix="write openai:http://127.0.0.1:8000/v1#model-name",
        )
    return OpenAIModel(spec.target, spec.name, cfg)


class OpenAIModel(Model):
    backend = "openai"

    def __init__(self, base_url: str, name: str, cfg: ModelConfig) -> None:
        import openai

        self._openai = openai
        self.base_url = base_url.rstrip("/")
        self.where = public_url(self.base_url)  # what messages show: no credentials, no query
        key = cfg.api_key or os.environ.get("OPENAI_API_KEY") or "none"
        self.client = openai.OpenAI(
            base_url=self.base_url, api_key=key, timeout=cfg.timeout, max_retries=0
        )
        self.name = name or self._first_model()
        self.id = f"openai:{self.name}"
        self._n_ctx: int | None = None
        self._echo_checked = False

    def _call(self, fn: Any, **kw: Any) -> Any:
        """Run one API call, turning transport and API errors into one-line ModelErrors."""
        try:
            return fn(**kw)
        except self._openai.APIConnectionError:
            raise ModelError(
                f"cannot reach the server at {self.where}",
                fix="start it (e.g. `vllm serve MODEL` or `python -m llama_cpp.server`) or fix the URL",
            ) from None
        except self._openai.APIStatusError as e:
            # The server's own text is left out: servers quote the request (the prompt) back.
            raise ModelError(
                f"server at {self.where} answered {e.status_code}",
                fix=status_fix(e.status_code),
            ) from None

    def _first_model(self) -> str:
        models = self._call(self.client.models.list)
        ids = [m.id for m in models.data]
        if not ids:
            raise ModelError(
                f"server at {self.where} lists no models", fix="name one: openai:URL#model"
            )
        return str(ids[0])

    @property
    def context_length(self) -> int:
        """From the model listing (vLLM: max_model_len); servers that don't say get 4096, and a
        prompt over their real limit is refused by the server with a clear 400."""
        if self._n_ctx is None:
            self._n_ctx = 4096
            for info in self._call(self.client.models.list).data:
                extra = info.model_extra or {}
                if info.id == self.name and extra.get("max_model_len"):
                    self._n_ctx = int(extra["max_model_len"])
        return self._n_ctx

    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]:
        """vLLM serves POST /tokenize; llama-cpp-python's server POST /extras/tokenize."""
        import httpx

        root = self.base_url.removesuffix("/v1")
        body = {
            "model": self.name,
            "prompt": text,
            "input": text,
            "add_special_tokens": add_special,
        }
        for url in (f"{root}/tokenize", f"{root}/extras/tokenize"):
            try:
                r = httpx.post(url, json=body, timeout=10)
            except httpx.HTTPError:
                continue
            if r.status_code == 200:
                data = r.json()
                return list(data.get("tokens", []))
        raise CapabilityError(
            f"server at {self.where} offers no tokenize endpoint",
            fix="use a vLLM or llama.cpp server",
        )

    def apply_chat_template(self, messages: Messages, *, add_generation_prompt: bool = True) -> str:
        raise CapabilityError(
            "an OpenAI-compatible server applies its own chat template",
            fix="use chat()/stream_chat(), which send the messages as they are",
        )

    def _sampling(self, params: GenerationParams) -> dict[str, Any]:
        kw: dict[str, Any] = {
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
        }
        if params.seed is not None:
            kw["seed"] = params.seed
        if params.stop:
            kw["stop"] = list(params.stop)
        return kw

    def stream(self, prompt: str, params: GenerationParams = GenerationParams()) -> Iterator[str]:
        stream = self._call(
            self.client.completions.create,
            model=self.name,
            prompt=prompt,
            stream=True,
            **self._sampling(params),
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].text:
                yield chunk.choices[0].text

    def stream_chat(
        self, messages: Messages, params: GenerationParams = GenerationParams()
    ) -> Iterator[str]:
        msgs = [{"role": m.role, "content": m.content} for m in messages]
        stream = self._call(
            self.client.chat.completions.create,
            model=self.name,
            messages=msgs,
            stream=True,
            **self._sampling(params),
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    def chat_batch(
        self, conversations: Sequence[Messages], params: GenerationParams = GenerationParams()
    ) -> list[str]:
        """The server applies the chat template: each conversation goes as messages."""
        return [self.chat(m, params) for m in conversations]

    def _prompt_logprobs(self, prompt: str, top: int) -> Any:
        resp = self._call(
            self.client.completions.create,
            model=self.name,
            prompt=prompt,
            max_tokens=1,
            temperature=0.0,
            logprobs=top,
            echo=True,
        )
        lp = resp.choices[0].logprobs
        if lp is None or not lp.token_logprobs:
            raise CapabilityError(
                f"server at {self.where} returned no log-probs",
                fix="scoring needs prompt log-probs: use vLLM, or llama.cpp's server started with "
                "--logits_all true; or use a generate-mode task",
            )
        return lp

    def _check_echo_alignment(self) -> None:
        """Refuse a server whose echoed prompt log-probs are shifted by one token.

        The distribution after a prompt is known for sure from a plain one-token completion (no
        echo). On an aligned server, the echoed entry of the prompt's last token is the distribution
        *before* that token; on a shifted one it equals the distribution after the prompt. Scores
        from a shifted server are wrong (the continuation's own log-prob is not in the reply), so
        this fails closed instead of correcting.
        """
        if self._echo_checked:
            return
        probe = "The capital of France is"
        after = self._next_distribution(probe, 5)
        echoed = self._prompt_logprobs(probe, 5)
        last = [i for i, off in enumerate(echoed.text_offset) if off < len(probe)]
        tops = echoed.top_logprobs or []
        seen = tops[last[-1]] if last and last[-1] < len(tops) else None
        if seen and _same_distribution(after, seen):
            raise CapabilityError(
                f"server at {self.where} returns echoed prompt log-probs shifted by one token "
                "(llama-cpp-python's server does): scores would be wrong",
                fix="score with the local backend (`llamacpp:` or `hf:` on the same weights), or "
                "serve the model with vLLM, whose echoed log-probs are aligned",
            )
        self._echo_checked = True

    def loglikelihood(self, requests: Sequence[LoglikRequest]) -> list[LoglikResult]:
        self._check_echo_alignment()
        out = []
        for req in requests:
            context, continuation = split_context(req.context, req.continuation)
            lp = self._prompt_logprobs(context + continuation, 1)
            # Echoed tokens carry text offsets: those in [len(context), len(prompt)) are the
            # continuation; vLLM also returns the generated token, whose offset is len(prompt).
            end = len(context) + len(continuation)
            idx = [i for i, off in enumerate(lp.text_offset) if len(context) <= off < end]
            vals = [float(lp.token_logprobs[i]) for i in idx if lp.token_logprobs[i] is not None]
            greedy = all(
                lp.top_logprobs
                and lp.top_logprobs[i]
                and max(lp.top_logprobs[i], key=lp.top_logprobs[i].get) == lp.tokens[i]
                for i in idx
            )
            out.append(LoglikResult(sum(vals), bool(greedy), len(vals), tuple(vals)))
        return out

    def _next_distribution(self, prompt: str, top: int) -> dict[str, float]:
        """Top-`top` log-probs of the token after `prompt`, from a plain one-token completion (no
        echo: the generated token's entry is aligned on every server)."""
        resp = self._call(
            self.client.completions.create,
            model=self.name,
            prompt=prompt,
            max_tokens=1,
            temperature=0.0,
            logprobs=top,
        )
        lp = resp.choices[0].logprobs
        dist = lp.top_logprobs[0] if lp is not None and lp.top_logprobs else None
        if not dist:
            raise CapabilityError(
                f"server at {self.where} returned no log-probs",
                fix="scoring needs log-probs: use vLLM or llama.cpp's server; or use a generate-mode task",
            )
        return dict(dist)

    def next_token_logprobs(self, prompts: Sequence[str], top_k: int = 5) -> list[dict[str, float]]:
        out = []
        for prompt in prompts:
            top = self._next_distribution(prompt, top_k)
            out.append(dict(sorted(top.items(), key=lambda kv: -kv[1])))
        return out


def _same_distribution(a: dict[str, float], b: dict[str, float], tol: float = 1e-3) -> bool:
    """Two top-k log-prob dicts agree on their best token and on every shared token's value."""
    if max(a, key=a.__getitem__) != max(b, key=b.__getitem__):
        return False
    shared = set(a) & set(b)
    return len(shared) >= 2 and all(abs(a[t] - b[t]) <= tol for t in shared)


def public_url(url: str) -> str:
    """`url` without user:password@ and without its query (where keys sometimes travel)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


_STATUS_FIX = {
    400: "the server refused the request: a prompt over the model's context window, or a "
    "parameter it does not support (its log says which)",
    401: "give the server's key: --set api_key=... or OPENAI_API_KEY",
    403: "the key is not allowed this model: check api_key / OPENAI_API_KEY",
    404: "check the model name after #model (GET /v1/models lists what it serves) and the /v1 path",
    413: "the request is too large for the server: shorten the prompt or lower max_tokens",
    429: "the server is rate-limiting: retry later or lower --batch-size",
}


def status_fix(status: int) -> str:
    if status in _STATUS_FIX:
        return _STATUS_FIX[status]
    if status >= 500:
        return "the server failed: its log (vLLM / llama.cpp server output) has the cause"
    return "see the server's log for the reason"
