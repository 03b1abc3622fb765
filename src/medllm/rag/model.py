"""A retrieval-augmented `Model`: delegates to an inner model after putting retrieved, numbered,
quarantined sources in front of the question. The evaluation harness uses it as its `rag` axis:
every scoring mode (option log-likelihood, letters, generation) then sees the sources.

Retrieval uses the question only, never the answer options (as MIRAGE does): from a prompt
the question is the text after the last "Question:" (or the whole prompt) up to the first option
line ("A. ..."). Retrieval results are cached per question, so the four option requests of one
item retrieve once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from medllm.core import ChatMessage
from medllm.models import GenerationParams, LoglikRequest, LoglikResult, Messages, Model
from medllm.rag.grounded import RagSettings, gather_sources
from medllm.rag.prompt import HEADER, Source, sources_block

_OPTION_LINE = re.compile(r"\n\s*\(?[A-J][.)]\s")
_QUESTION = re.compile(r"(?:Question|Q)\s*:\s*", re.IGNORECASE)


def question_of(prompt: str) -> str:
    """The question inside a task prompt (no options, no template tokens)."""
    parts = _QUESTION.split(prompt)
    # With a "Question:" marker take the last one; otherwise the last blank-line-separated block
    # (task preambles and few-shot examples come before it).
    text = parts[-1] if len(parts) > 1 else prompt.strip().split("\n\n")[-1]
    text = _OPTION_LINE.split(text, maxsplit=1)[0]
    text = re.sub(r"<\|[^|>]+\|>", " ", text)  # chat-template markers
    return " ".join(text.split()[:200])


class RagModel(Model):
    backend = "rag"

    def __init__(
        self,
        inner: Model,
        retriever: Any,
        k: int = 3,
        max_source_chars: int = 500,
        tools: bool = False,
        router: str = "rules",
    ) -> None:
        self.inner = inner
        self.retriever = retriever
        self.k = k
        self.max_source_chars = max_source_chars
        self.settings = RagSettings(
            k=k, max_source_chars=max_source_chars, tools=tools, router=router
        )
        with_tools = f",tools={router}" if tools else ""
        self.id = f"{inner.id}+rag({retriever.name},k={k}{with_tools})"
        self._cache: dict[str, list[Source]] = {}

    @property
    def context_length(self) -> int:
        return self.inner.context_length

    def sources_for(self, question: str) -> list[Source]:
        if question not in self._cache:
            self._cache[question] = gather_sources(question, self.retriever, self.settings).sources
        return self._cache[question]

    def augment(self, text: str) -> str:
        """`text` with the sources for its question in front (unchanged if already augmented)."""
        if HEADER in text:
            return text
        return f"{sources_block(self.sources_for(question_of(text)))}\n\n{text}"

    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]:
        return self.inner.tokenize(text, add_special=add_special)

    def augment_messages(self, messages: Messages) -> list[ChatMessage]:
        """`messages` with the sources put in front of the last user message."""
        msgs = list(messages)
        last_user = max((i for i, m in enumerate(msgs) if m.role == "user"), default=None)
        if last_user is not None:
            msgs[last_user] = ChatMessage("user", self.augment(msgs[last_user].content))
        return msgs

    def apply_chat_template(self, messages: Messages, *, add_generation_prompt: bool = True) -> str:
        return self.inner.apply_chat_template(
            self.augment_messages(messages), add_generation_prompt=add_generation_prompt
        )

    def stream_chat(
        self, messages: Messages, params: GenerationParams = GenerationParams()
    ) -> Iterator[str]:
        return self.inner.stream_chat(self.augment_messages(messages), params)

    def chat_batch(
        self, conversations: Sequence[Messages], params: GenerationParams = GenerationParams()
    ) -> list[str]:
        return self.inner.chat_batch([self.augment_messages(m) for m in conversations], params)

    def state_digest(self) -> str:
        """Retriever, k, source length and the knowledge base's manifest (it carries the build
        time, so any rebuild gives a new digest): cached answers never outlive the sources."""
        kb = getattr(self.retriever, "kb", None)
        manifest = getattr(kb, "manifest", None)
        parts: list[Any] = [self.retriever.name, self.k, self.max_source_chars, manifest]
        if self.settings.tools:  # digests of runs without tools stay what they were
            parts.append(["tools", self.settings.router, self.settings.tool_k])
        raw = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def _prompt(self, prompt: str) -> str:
        """Raw prompts are augmented; prompts already built by `apply_chat_template` are not."""
        return self.augment(prompt)

    def stream(self, prompt: str, params: GenerationParams = GenerationParams()) -> Iterator[str]:
        return self.inner.stream(self._prompt(prompt), params)

    def generate_batch(
        self, prompts: Sequence[str], params: GenerationParams = GenerationParams()
    ) -> list[str]:
        return self.inner.generate_batch([self._prompt(p) for p in prompts], params)

    def loglikelihood(self, requests: Sequence[LoglikRequest]) -> list[LoglikResult]:
        return self.inner.loglikelihood(
            [LoglikRequest(self._prompt(r.context), r.continuation) for r in requests]
        )

    def next_token_logprobs(self, prompts: Sequence[str], top_k: int = 5) -> list[dict[str, float]]:
        return self.inner.next_token_logprobs([self._prompt(p) for p in prompts], top_k)

    def close(self) -> None:
        self.inner.close()


def load(spec: Any, cfg: Any) -> RagModel:
    """Backend factory for specs `rag:<inner spec>` (e.g. `rag:llamacpp:default`,
    `rag:hf:./model`, `rag:llamacpp:default?tools=true`): the inner model over the default
    knowledge base, top-3 sources, retriever "auto" (hybrid when the knowledge base has vectors,
    else BM25), with the knowledge-base tools first when `tools` is set. Builds the lexical
    default knowledge base on first use. This is the evaluation harness's `rag` axis by spec."""
    from medllm.knowledge import KbConfig, build_index, default_folder, exists, get_retriever
    from medllm.models import load_model

    inner_spec = spec.target + (f"#{spec.name}" if spec.name else "")
    inner = load_model(cfg.model_copy(update={"spec": inner_spec}))
    if not exists(default_folder()):
        build_index(KbConfig(dense=False))
    return RagModel(inner, get_retriever("auto", default_folder()), k=3, tools=cfg.tools)
