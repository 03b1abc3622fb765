"""Pure ASGI middleware around the app (it sees every request, streamed ones included, until the
last body byte is sent): the body-size limit (413), and for each request its status, latency and
audit row.

Handlers put what the audit row needs (key id, model, tokens, triage, guardrail action, prompt,
answer) into `scope["state"]["audit"]`; this layer adds the status and latency once the response
is complete and hands the row to the audit log, which de-identifies the texts before writing."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from medllm.serve.audit import AuditLog, AuditRow
from medllm.serve.metrics import Metrics
from medllm.serve.openai_format import error

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Observe:
    def __init__(self, app: ASGIApp, max_body: int, metrics: Metrics, audit: AuditLog) -> None:
        self.app, self.max_body, self.metrics, self.audit = app, max_body, metrics, audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        path = str(scope.get("path", ""))
        state: dict[str, Any] = {"status": 500, "started": False}
        scope.setdefault("state", {})["audit"] = {}
        try:
            replay = await self._read_body(scope, receive)
            if replay is None:
                await _json(
                    send,
                    413,
                    error(
                        f"the request body is over the {self.max_body:,}-byte limit",
                        "invalid_request_error",
                        code="body_too_large",
                    ),
                )
                state["status"] = 413
                return
            await self.app(scope, replay, self._watched(send, state))
        finally:
            self._record(path, scope, state, time.perf_counter() - start)

    async def _read_body(self, scope: Scope, receive: Receive) -> Receive | None:
        """The body read whole (API bodies are small JSON) and handed on by a replaying
        `receive`; None when it is over the limit, declared or actually sent."""
        size = _declared_length(scope)
        if size is not None and size > self.max_body:
            return None
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # disconnected: the app sees it on its next receive
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_body:
                return None
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return body
            return await receive()

        return replay

    @staticmethod
    def _watched(send: Send, state: dict[str, Any]) -> Send:
        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = int(message["status"]), True
            await send(message)

        return watched

    def _record(self, path: str, scope: Scope, state: dict[str, Any], seconds: float) -> None:
        endpoint = path if path.startswith("/v1/") else "other"
        self.metrics.requests.labels(endpoint, str(state["status"])).inc()
        self.metrics.latency.labels(endpoint).observe(seconds)
        a: dict[str, Any] = scope["state"].get("audit", {})
        if not path.startswith("/v1/"):
            return
        self.audit.add(
            AuditRow(
                ts=time.time(),
                key_id=str(a.get("key_id", "")),
                endpoint=path,
                model=str(a.get("model", "")),
                status=int(state["status"]),
                latency_s=round(seconds, 4),
                prompt_tokens=int(a.get("prompt_tokens", 0)),
                completion_tokens=int(a.get("completion_tokens", 0)),
                triage=str(a.get("triage", "")),
                action=str(a.get("action", "")),
                prompt=str(a.get("prompt", "")),
                answer=str(a.get("answer", "")),
            )
        )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
