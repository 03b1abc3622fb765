"""The routes: health, metrics, models, chat completions (plain and grounded, streamed or not),
completions, embeddings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from medllm.core import CapabilityError, ChatMessage
from medllm.models import GenerationParams, Model
from medllm.serve import guard
from medllm.serve import openai_format as fmt
from medllm.serve.app import RAG_MODEL, STATIC, ApiError, Served, authorize, served
from medllm.serve.checks import run_check
from medllm.serve.engine import Cancel
from medllm.serve.output import Scan, extra, scanned
from medllm.serve.schemas import ChatRequest, CompletionRequest, EmbeddingRequest

router = APIRouter()
ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "user",
}
EMBEDDER = "all-MiniLM-L6-v2"


@router.get("/", include_in_schema=False)
async def web_chat() -> Response:
    """The web chat: one static page; its API calls carry the key the user types into it."""
    from fastapi.responses import FileResponse

    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/healthz")
async def healthz(s: Served = Depends(served)) -> dict[str, Any]:
    e = s.engine
    return {"status": "ok", "models": s.model_ids(), "queue": e.waiting, "generating": e.running}


@router.get("/metrics")
async def metrics(s: Served = Depends(served)) -> Response:
    return Response(s.metrics.text(), media_type="text/plain; version=0.0.4")


@router.get("/v1/models")
async def models(s: Served = Depends(served), _: str = Depends(authorize)) -> dict[str, Any]:
    ids = [*s.model_ids(), EMBEDDER]
    return {
        "object": "list",
        "data": [{"id": i, "object": "model", "owned_by": "medllm"} for i in ids],
    }


def _model_id(s: Served, asked: str, audit: dict[str, Any]) -> str:
    if asked not in s.model_ids():
        raise ApiError(
            404,
            f"model {asked!r} is not served here (served: {', '.join(s.model_ids())})",
            param="model",
            code="model_not_found",
        )
    audit["model"] = asked
    return asked


def _budget(s: Served, n_prompt: int, asked: int | None) -> int:
    """max_tokens for a prompt of `n_prompt` tokens: as asked (400 when prompt + asked is over
    the context), else the configured default clipped to the room left."""
    n_ctx = s.engine.model.context_length
    if n_prompt >= n_ctx:
        raise ApiError(
            400,
            f"the prompt is {n_prompt} tokens, {n_prompt - n_ctx + 1} over what the "
            f"{n_ctx}-token context window of {s.plain_id} leaves room for (1 token to generate)",
            code="context_length_exceeded",
        )
    if asked is not None and n_prompt + asked > n_ctx:
        raise ApiError(
            400,
            f"the prompt is {n_prompt} tokens and max_tokens is {asked}: {n_prompt + asked - n_ctx} "
            f"over the {n_ctx}-token context window (lower max_tokens to {n_ctx - n_prompt} or less)",
            param="max_tokens",
            code="context_length_exceeded",
        )
    return min(asked or s.cfg.max_tokens, s.cfg.max_tokens, n_ctx - n_prompt)


def _messages(body: ChatRequest) -> list[ChatMessage]:
    return [ChatMessage(ROLES[m.role], m.text()) for m in body.messages]  # type: ignore[arg-type]


@router.post("/v1/chat/completions", response_model=None)
async def chat(
    body: ChatRequest, request: Request, s: Served = Depends(served), _: str = Depends(authorize)
) -> Any:
    audit: dict[str, Any] = request.scope["state"]["audit"]
    model_id = _model_id(s, body.model, audit)
    messages = _messages(body)
    audit["prompt"] = "\n".join(m.content for m in messages)
    s.engine.check_room()  # a full queue refuses at once, before any check is paid for
    n_prompt = max_tokens = 0
    if model_id != RAG_MODEL:
        model = s.engine.model

        def count() -> int:
            try:
                return len(model.tokenize(model.apply_chat_template(messages), add_special=True))
            except CapabilityError:  # an upstream server renders its own template: count text
                return len(model.tokenize("\n".join(m.content for m in messages)))

        # in a thread: an upstream backend tokenizes over HTTP; checked (400) before triage
        n_prompt = await asyncio.to_thread(count)
        max_tokens = _budget(s, n_prompt, body.max_completion_tokens or body.max_tokens)
    verdict = await guard.check(s, messages, audit)
    if verdict.fixed is not None:
        return guard.fixed_reply(model_id, verdict, body.stream)
    if model_id == RAG_MODEL:
        from medllm.serve.grounded import grounded_chat

        return await grounded_chat(s, body, messages, request, audit, verdict)
    job = Job(s, lambda w, p: w.stream_chat(messages, p), audit, verdict)
    return await _generate(s, body, job, n_prompt, max_tokens, request, chat=True)


@router.post("/v1/completions", response_model=None)
async def completions(
    body: CompletionRequest,
    request: Request,
    s: Served = Depends(served),
    _: str = Depends(authorize),
) -> Any:
    audit: dict[str, Any] = request.scope["state"]["audit"]
    if _model_id(s, body.model, audit) == RAG_MODEL:
        raise ApiError(400, f"{RAG_MODEL} answers chat requests only", param="model")
    prompts = [body.prompt] if isinstance(body.prompt, str) else body.prompt
    if len(prompts) != 1:
        raise ApiError(400, "one prompt per request", param="prompt")
    prompt = audit["prompt"] = prompts[0]
    s.engine.check_room()  # a full queue refuses at once (503), before the prompt is tokenized
    n_prompt = len(await asyncio.to_thread(s.engine.model.tokenize, prompt, add_special=True))
    max_tokens = _budget(s, n_prompt, body.max_tokens)
    job = Job(s, lambda w, p: w.stream(prompt, p), audit)
    return await _generate(s, body, job, n_prompt, max_tokens, request, chat=False)


async def _generate(
    s: Served, body: Any, job: Job, n_prompt: int, max_tokens: int, request: Request, *, chat: bool
) -> Any:
    """The job's generation as a response; both callers have checked the queue's room (503) and
    the context budget (400) already. A stream takes its worker inside the stream, so a client
    gone before it starts holds none."""
    job.params = GenerationParams(
        max_tokens=max_tokens,
        temperature=body.temperature,
        top_p=body.top_p,
        seed=body.seed if body.seed is not None else 0,
        stop=body.stops(),
    )
    job.n_prompt = job.audit["prompt_tokens"] = n_prompt
    if body.stream:
        include = bool((body.stream_options or {}).get("include_usage"))
        frames = job.chat_frames(include) if chat else job.completion_frames(include)
        return StreamingResponse(frames, media_type="text/event-stream")
    return await job.whole(request, chat)


class Job:
    """One generation: a worker taken from the engine, its checked pieces, the response."""

    def __init__(
        self,
        s: Served,
        pieces: Callable[[Model, GenerationParams], Iterator[str]],
        audit: dict[str, Any],
        verdict: guard.Verdict | None = None,
    ) -> None:
        self.s, self.make, self.audit = s, pieces, audit
        self.verdict = verdict or guard.Verdict("", None, "", "")
        self.params = GenerationParams()  # set by `_generate`
        self.n_prompt = 0
        self.worker: Model = s.engine.model  # until `_start` takes one
        self.cancel = Cancel()
        self.scan = Scan()
        self.rid = fmt.new_id("chatcmpl")
        self.model_id = audit["model"]
        self._t0 = 0.0

    def _pieces(self) -> Callable[[], Iterator[str]]:
        worker, params = self.worker, self.params
        return lambda: self.make(worker, params)

    async def _start(self, *, admitted: bool = False) -> AsyncGenerator[str, None]:
        """Take a worker and start generating on it at once (the engine's thread gives the
        worker back when the generation ends, however the request ends). `admitted`: a stream,
        whose handler checked the queue's room before its 200 went out; it waits its turn."""
        try:
            self.worker = await self.s.engine.acquire(self.s.cfg.timeout_s, admitted=admitted)
        except TimeoutError:
            raise ApiError(
                503,
                "no worker became free in time; retry",
                "server_busy",
                code="queue_timeout",
                headers={"Retry-After": "5"},
            ) from None
        self._t0 = asyncio.get_running_loop().time()
        return self.s.engine.generate(self.worker, self._pieces(), self.cancel)

    async def _text(self, raw: AsyncGenerator[str, None]) -> AsyncIterator[str]:
        """The checked pieces, within the request's time limit."""
        loop = asyncio.get_running_loop()
        deadline = self._t0 + self.s.cfg.timeout_s
        first = True
        try:
            async for piece in scanned(raw, self.scan, self.s.cfg.output_phi_scan):
                if first:
                    self.s.metrics.ttft.labels(self.model_id).observe(loop.time() - self._t0)
                    first = False
                yield piece
                if loop.time() > deadline:
                    self.audit["action"] = "timeout"
                    break
        finally:
            self.cancel.set()
            await raw.aclose()

    def _extra(self) -> dict[str, object]:
        more = {"triage": self.verdict.label} if self.verdict.label else {}
        return extra(self.scan, **more)

    async def _finish(self, text: str) -> tuple[str, dict[str, int]]:
        n = len(await asyncio.to_thread(self.worker.tokenize, text)) if text else 0
        self.audit.update(completion_tokens=n, answer=text)
        if self.scan.action:
            self.audit["action"] = self.scan.action
            self.s.metrics.guardrail.labels(self.scan.action).inc()
        self.s.metrics.tokens.labels(self.model_id, "prompt").inc(self.n_prompt)
        self.s.metrics.tokens.labels(self.model_id, "completion").inc(n)
        finish = (
            "length"
            if n >= self.params.max_tokens or self.audit.get("action") == "timeout"
            else "stop"
        )
        return finish, fmt.usage(self.n_prompt, n)

    async def whole(self, request: Request, chat: bool) -> dict[str, Any]:
        raw = await self._start()
        watch = asyncio.create_task(_cancel_on_disconnect(request, self.cancel))
        try:
            text = "".join([p async for p in self._text(raw)])
        finally:
            watch.cancel()
        finish, use = await self._finish(text)
        if chat:
            if self.verdict.notice:
                text = f"{text}\n\n{self.verdict.notice}"
            return fmt.chat_completion(self.rid, self.model_id, text, finish, use, self._extra())
        return fmt.text_completion(
            self.rid.replace("chatcmpl", "cmpl"), self.model_id, text, finish, use, False
        )

    async def chat_frames(self, include_usage: bool) -> AsyncIterator[bytes]:
        pieces: list[str] = []
        try:
            raw = await self._start(admitted=True)
        except ApiError as e:  # the 200 is out: the error goes in the stream, as OpenAI's does
            for frame in _error_frames(e):
                yield frame
            return
        yield fmt.sse(fmt.chat_chunk(self.rid, self.model_id, {"role": "assistant", "content": ""}))
        async for piece in self._text(raw):
            pieces.append(piece)
            yield fmt.sse(fmt.chat_chunk(self.rid, self.model_id, {"content": piece}))
        finish, use = await self._finish("".join(pieces))
        if self.verdict.notice:
            notice = {"content": f"\n\n{self.verdict.notice}"}
            yield fmt.sse(fmt.chat_chunk(self.rid, self.model_id, notice))
        yield fmt.sse(fmt.chat_chunk(self.rid, self.model_id, {}, finish, self._extra()))
        if include_usage:
            yield fmt.sse(fmt.chat_chunk(self.rid, self.model_id, None, use=use))
        yield fmt.sse("[DONE]")

    async def completion_frames(self, include_usage: bool) -> AsyncIterator[bytes]:
        rid = self.rid.replace("chatcmpl", "cmpl")
        pieces: list[str] = []
        try:
            raw = await self._start(admitted=True)
        except ApiError as e:
            for frame in _error_frames(e):
                yield frame
            return
        async for piece in self._text(raw):
            pieces.append(piece)
            yield fmt.sse(fmt.text_completion(rid, self.model_id, piece, None, None, True))
        finish, use = await self._finish("".join(pieces))
        yield fmt.sse(
            fmt.text_completion(
                rid, self.model_id, "", finish, use if include_usage else None, True
            )
        )
        yield fmt.sse("[DONE]")


def _error_frames(e: ApiError) -> list[bytes]:
    """An error after a stream's 200: one `data: {"error": ...}` frame, then `[DONE]`."""
    error = {"message": e.message, "type": e.kind, "param": e.param, "code": e.code}
    return [fmt.sse({"error": error}), fmt.sse("[DONE]")]


async def _cancel_on_disconnect(request: Request, cancel: Cancel) -> None:
    while not cancel:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            cancel.set()
            return


@router.post("/v1/embeddings")
async def embeddings(
    body: EmbeddingRequest,
    request: Request,
    s: Served = Depends(served),
    _: str = Depends(authorize),
) -> dict[str, Any]:
    from medllm.knowledge import embed_texts

    request.scope["state"]["audit"]["model"] = EMBEDDER
    if body.model != EMBEDDER:
        raise ApiError(
            404,
            f"embedding model {body.model!r} is not served here (use {EMBEDDER})",
            param="model",
            code="model_not_found",
        )
    texts = body.texts()
    if not texts or len(texts) > 256:
        raise ApiError(400, "input: give 1 to 256 texts", param="input")
    vectors = await run_check(embed_texts, texts)
    tokens = sum(len(t.split()) for t in texts)  # words: the embedder's tokenizer is not exposed
    return fmt.embeddings(EMBEDDER, vectors, tokens, body.encoding_format)
