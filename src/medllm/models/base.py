"""The one interface every backend implements.

Scoring follows lm-eval-harness conventions so numbers are comparable: the log-likelihood of a
continuation is the sum of its tokens' log-probs given the context, where the continuation tokens are
`tokens(context + continuation)[len(tokens(context)):]` and a trailing space of the context is moved
to the continuation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from medllm.core import ChatMessage, ContextLengthError


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = 0
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoglikRequest:
    context: str
    continuation: str


@dataclass(frozen=True)
class LoglikResult:
    logprob: float  # sum over continuation tokens, natural log
    is_greedy: bool  # every continuation token was the argmax
    n_tokens: int
    token_logprobs: tuple[float, ...] = field(default=(), repr=False)


Messages = Sequence[ChatMessage]


def split_context(context: str, continuation: str) -> tuple[str, str]:
    """Move trailing whitespace of the context onto the continuation (lm-eval's rule)."""
    n = len(context) - len(context.rstrip())
    if n:
        return context[:-n], context[-n:] + continuation
    return context, continuation


class Model(ABC):
    """A loaded model. `id` names it in reports and cache keys (backend + weights identity)."""

    id: str
    backend: str

    @property
    @abstractmethod
    def context_length(self) -> int: ...

    @abstractmethod
    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]: ...

    @abstractmethod
    def apply_chat_template(self, messages: Messages, *, add_generation_prompt: bool = True) -> str:
        """Render messages with the model's own chat template into a prompt string."""

    @abstractmethod
    def stream(self, prompt: str, params: GenerationParams = GenerationParams()) -> Iterator[str]:
        """Yield text pieces of a raw completion of `prompt`."""

    @abstractmethod
    def loglikelihood(self, requests: Sequence[LoglikRequest]) -> list[LoglikResult]: ...

    @abstractmethod
    def next_token_logprobs(self, prompts: Sequence[str], top_k: int = 5) -> list[dict[str, float]]:
        """For each prompt, the top-k next tokens (decoded text) with their log-probs."""

    # Everything below is derived from the primitives above; backends may override for speed.
    def generate(self, prompt: str, params: GenerationParams = GenerationParams()) -> str:
        return "".join(self.stream(prompt, params))

    def stream_chat(
        self, messages: Messages, params: GenerationParams = GenerationParams()
    ) -> Iterator[str]:
        return self.stream(self.apply_chat_template(messages), params)

    def chat(self, messages: Messages, params: GenerationParams = GenerationParams()) -> str:
        return "".join(self.stream_chat(messages, params))

    def generate_batch(
        self, prompts: Sequence[str], params: GenerationParams = GenerationParams()
    ) -> list[str]:
        return [self.generate(p, params) for p in prompts]

    def chat_batch(
        self, conversations: Sequence[Messages], params: GenerationParams = GenerationParams()
    ) -> list[str]:
        """One reply per conversation: rendered with the model's chat template, completed as one
        batch. Backends whose server applies the template (openai) send the messages instead."""
        return self.generate_batch([self.apply_chat_template(m) for m in conversations], params)

    def state_digest(self) -> str:
        """What besides its weights decides this model's outputs (a RagModel's knowledge base,
        retriever and k), for cache keys; "" when nothing does."""
        return ""

    def check_fits(self, n_prompt_tokens: int, max_new: int = 0) -> None:
        """Refuse a prompt that, with `max_new` tokens to generate (0 when scoring, 1 when the
        backend clips the budget to the room left), does not fit the context window."""
        n, n_ctx = n_prompt_tokens, self.context_length
        if n + max_new <= n_ctx:
            return
        larger = 'load the model with a larger context, e.g. --model "llamacpp:default?n_ctx=4096"'
        if max_new <= 1 or n >= n_ctx:
            room = "which leaves no room to generate in" if n == n_ctx else "over"
            raise ContextLengthError(
                f"the prompt is {n} tokens, {room} the {n_ctx}-token context of {self.id}",
                fix=f"shorten the prompt, or {larger}",
            )
        raise ContextLengthError(
            f"the prompt is {n} tokens and max tokens is {max_new}: {n + max_new} in all, over "
            f"the {n_ctx}-token context of {self.id}",
            fix=f"lower max tokens to {n_ctx - n} or less (--max-tokens {n_ctx - n}), shorten "
            f"the prompt, or {larger}",
        )

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing to free
        """Free backend resources (servers, memory)."""

    def __enter__(self) -> Model:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
