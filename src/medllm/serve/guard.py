"""The input guardrail of a chat request: the last user message is triaged (serve/triage/);
an emergency or a harmful request is answered with its fixed reply and never reaches the model,
an urgent one gets the same-day-care notice after the model's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.responses import StreamingResponse

from medllm.core import DISCLAIMER, ChatMessage
from medllm.serve import openai_format as fmt
from medllm.serve.app import Served
from medllm.serve.checks import run_check

ACTIONS = {"emergency": "emergency_reply", "harmful_request": "refused"}


@dataclass(frozen=True)
class Verdict:
    label: str  # "" when triage is off
    fixed: str | None  # the reply that replaces the model's, if any
    notice: str  # appended to the model's answer ("" for none)
    by: str


def last_user_text(messages: list[ChatMessage]) -> str:
    return next((m.content for m in reversed(messages) if m.role == "user"), "")


async def check(s: Served, messages: list[ChatMessage], audit: dict[str, Any]) -> Verdict:
    if not s.cfg.triage:
        return Verdict("", None, "", "")
    from medllm.serve.triage import assess, reply_for
    from medllm.serve.triage.replies import URGENT_NOTICE

    text = last_user_text(messages)
    if not text.strip():
        return Verdict("", None, "", "")
    a = await run_check(assess, text)
    rule = a.by.removeprefix("rule:") if a.by.startswith("rule:") else ""
    fixed = reply_for(a.label, text, rule)
    audit["triage"] = a.label
    if fixed is not None:
        audit["action"] = ACTIONS[a.label]
        audit["answer"] = fixed
        s.metrics.guardrail.labels(ACTIONS[a.label]).inc()
    notice = URGENT_NOTICE if a.label == "urgent" else ""
    if notice:
        s.metrics.guardrail.labels("urgent_notice").inc()
    return Verdict(a.label, fixed, notice, a.by)


def fixed_reply(model_id: str, v: Verdict, stream: bool) -> Any:
    """The fixed reply as a chat completion (or its stream): no model text in it."""
    assert v.fixed is not None
    rid = fmt.new_id("chatcmpl")
    info = {"disclaimer": DISCLAIMER, "triage": v.label, "guardrail": ACTIONS[v.label]}
    if not stream:
        return fmt.chat_completion(rid, model_id, v.fixed, "stop", fmt.usage(0, 0), info)

    async def frames() -> Any:
        yield fmt.sse(
            fmt.chat_chunk(rid, model_id, {"role": "assistant", "content": ""}, extra=info)
        )
        yield fmt.sse(fmt.chat_chunk(rid, model_id, {"content": v.fixed}))
        yield fmt.sse(fmt.chat_chunk(rid, model_id, {}, "stop"))
        yield fmt.sse("[DONE]")

    return StreamingResponse(frames(), media_type="text/event-stream")
