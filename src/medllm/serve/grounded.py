"""The grounded model id `medllm-rag`: the last user message answered by `rag.answer` (tools on,
sources numbered, abstention as the CLI's), the sources returned in the response's `medllm` field
and as `[n]` markers in the text. The answer is generated whole and checked against its sources
before any of it is sent (as `medllm ask --rag` does), so a stream carries it in one piece."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from medllm.core import ChatMessage
from medllm.serve import openai_format as fmt
from medllm.serve.app import ApiError, Served
from medllm.serve.checks import run_check
from medllm.serve.guard import Verdict
from medllm.serve.output import Scan, extra
from medllm.serve.schemas import ChatRequest


def _question(messages: list[ChatMessage]) -> str:
    for m in reversed(messages):
        if m.role == "user" and m.content.strip():
            return m.content
    raise ApiError(400, "the grounded model needs a user message with text", param="messages")


async def grounded_chat(
    s: Served,
    body: ChatRequest,
    messages: list[ChatMessage],
    request: Request,
    audit: dict[str, Any],
    verdict: Verdict,
) -> Any:
    from medllm.rag import RagSettings, answer

    question = _question(messages)
    asked = body.max_completion_tokens or body.max_tokens
    settings = RagSettings(
        tools=True, max_tokens=min(asked or 256, s.cfg.max_tokens), temperature=body.temperature
    )
    if body.stream:
        s.engine.check_room()
    worker = await s.engine.acquire(s.cfg.timeout_s)
    result = await s.engine.run(worker, lambda: answer(question, worker, s.retriever, settings))
    scan = Scan()
    text = await run_check(scan.check, result.text) if s.cfg.output_phi_scan else result.text
    if verdict.notice:
        text = f"{text}\n\n{verdict.notice}"
    d = result.to_dict()
    info = extra(
        scan,
        sources=d["sources"],
        citations=d["citations"],
        abstained=result.abstained,
        reason=result.reason,
        relevance=d["relevance"],
        support=d["support"],
        **({"triage": verdict.label} if verdict.label else {}),
    )
    # in a thread, as in handlers.py: an upstream backend tokenizes over HTTP
    n_prompt = len(await asyncio.to_thread(worker.tokenize, question))
    n_out = len(await asyncio.to_thread(worker.tokenize, text)) if text else 0
    audit.update(
        prompt_tokens=n_prompt,
        completion_tokens=n_out,
        answer=text,
        action="abstained" if result.abstained else scan.action,
    )
    use = fmt.usage(n_prompt, n_out)
    rid = fmt.new_id("chatcmpl")
    if not body.stream:
        return fmt.chat_completion(rid, body.model, text, "stop", use, info)
    include = bool((body.stream_options or {}).get("include_usage"))
    return StreamingResponse(
        _frames(rid, body.model, text, info, use if include else None),
        media_type="text/event-stream",
    )


async def _frames(
    rid: str, model: str, text: str, info: dict[str, Any], use: dict[str, int] | None
) -> AsyncIterator[bytes]:
    yield fmt.sse(fmt.chat_chunk(rid, model, {"role": "assistant", "content": ""}, extra=info))
    yield fmt.sse(fmt.chat_chunk(rid, model, {"content": text}))
    yield fmt.sse(fmt.chat_chunk(rid, model, {}, "stop"))
    if use is not None:
        yield fmt.sse(fmt.chat_chunk(rid, model, None, use=use))
    yield fmt.sse("[DONE]")
