"""OpenAI response objects (chat.completion, chat.completion.chunk, text_completion, embeddings,
errors) as plain dicts, and the SSE framing of a stream."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def chat_completion(
    rid: str, model: str, text: str, finish: str, use: dict[str, int], extra: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": use,
    }
    if extra:
        out["medllm"] = extra
    return out


def chat_chunk(
    rid: str,
    model: str,
    delta: dict[str, Any] | None,
    finish: str | None = None,
    extra: dict[str, Any] | None = None,
    use: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A stream chunk; `delta=None` makes OpenAI's last chunk of `include_usage`: no choices,
    only the usage."""
    choices = (
        []
        if delta is None
        else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
    )
    out: dict[str, Any] = {
        "id": rid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
    }
    if use is not None:
        out["usage"] = use
    if extra:
        out["medllm"] = extra
    return out


def text_completion(
    rid: str, model: str, text: str, finish: str | None, use: dict[str, int] | None, stream: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rid,
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
    }
    if use is not None or not stream:
        out["usage"] = use
    return out


def embeddings(model: str, vectors: Any, tokens: int, encoding: str) -> dict[str, Any]:
    """`vectors` a float32 array; base64 = its little-endian bytes (what the openai client asks
    for by default and decodes)."""
    import base64

    import numpy as np

    def one(v: Any) -> Any:
        if encoding == "base64":
            return base64.b64encode(np.asarray(v, dtype="<f4").tobytes()).decode()
        return [float(x) for x in v]

    return {
        "object": "list",
        "model": model,
        "data": [
            {"object": "embedding", "index": i, "embedding": one(v)} for i, v in enumerate(vectors)
        ],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def error(
    message: str, kind: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def sse(obj: dict[str, Any] | str) -> bytes:
    data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return f"data: {data}\n\n".encode()
