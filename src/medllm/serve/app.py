"""`create_app(cfg)`: the FastAPI app of `medllm serve` — OpenAI-compatible routes over one
`Engine`, the grounded model id `medllm-rag` through `rag.answer`, API keys and rate limits, the
audit log, Prometheus metrics. Request handling is in serve/handlers.py."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response

from medllm.core import MedllmError, cache_dir
from medllm.serve.audit import AuditLog
from medllm.serve.checks import pin_torch_to_one_thread, run_check
from medllm.serve.config import ServeConfig
from medllm.serve.engine import Busy, Engine
from medllm.serve.metrics import Metrics
from medllm.serve.middleware import Observe
from medllm.serve.openai_format import error
from medllm.serve.security import KeyStore, RateLimiter, retry_after

RAG_MODEL = "medllm-rag"
STATIC = Path(__file__).parent / "static"


class ApiError(Exception):
    """An error answered in OpenAI's error format with its HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind
        self.param, self.code, self.headers = param, code, headers


@dataclass
class Served:
    """What the handlers work with, built once by `create_app`."""

    cfg: ServeConfig
    engine: Engine
    plain_id: str
    retriever: Any | None  # None: no grounded model
    keys: KeyStore
    limiter: RateLimiter
    metrics: Metrics
    audit: AuditLog

    def model_ids(self) -> list[str]:
        return [self.plain_id, *([RAG_MODEL] if self.retriever is not None else [])]


def _default_engine(cfg: ServeConfig) -> Engine:
    from medllm.models import answer_spec, load_model

    spec = cfg.model or answer_spec()[0]
    # llama.cpp keeps the KV cache of the prefix shared with the previous request (the chat
    # template's system prompt), as llama_cpp.server does; the other backends ignore the option
    return Engine.load(lambda: load_model(spec, prefix_cache=True), cfg.workers, cfg.max_queue)


def _default_retriever() -> Any:
    from medllm.knowledge import KnowledgeBase, default_folder, exists, get_retriever

    if not exists(default_folder()):
        raise MedllmError(
            "no default knowledge base for the grounded model",
            fix="build it with `medllm kb build` (or `medllm run` once), or serve with --no-rag",
        )
    return get_retriever("auto", KnowledgeBase())


def create_app(
    cfg: ServeConfig | None = None,
    *,
    engine: Engine | None = None,
    retriever: Any | None = None,
    keys: KeyStore | None = None,
) -> FastAPI:
    """The app; `engine`, `retriever` and `keys` default to what `cfg` names (tests pass their own)."""
    from medllm.serve import handlers

    cfg = cfg or ServeConfig()
    engine = engine or _default_engine(cfg)
    if engine.model.backend != "hf":  # torch runs only the checks then: one thread (checks.py)
        pin_torch_to_one_thread()
    if cfg.rag and retriever is None:
        retriever = _default_retriever()
    audit = AuditLog(cfg.audit_db or cache_dir() / "serve" / "audit.sqlite")
    metrics = Metrics(lambda: engine.waiting, lambda: engine.running)
    served = Served(
        cfg=cfg,
        engine=engine,
        plain_id=cfg.model_name or engine.id,
        retriever=retriever if cfg.rag else None,
        keys=keys if keys is not None else KeyStore.load(cfg.keys_file),
        limiter=RateLimiter(cfg.rate_limit_per_min),
        metrics=metrics,
        audit=audit,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        # load the PHI detectors and the triage classifier now, not on the first request
        from medllm.serve.output import Scan

        await run_check(Scan().check, "Warm-up note for Jane Roe, 555-0100.")
        if cfg.triage:  # the embedder and the classifier (about 0.7 GB, 5 s) load now too
            from medllm.serve.triage import assess

            await run_check(assess, "warm-up: what is anemia?")
        yield
        audit.close()

    app = FastAPI(
        title="medllm",
        summary="OpenAI-compatible medical assistant: grounded answers, audit log, keys, limits",
        lifespan=lifespan,
    )
    app.state.served = served
    _errors(app)
    if cfg.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=cfg.cors_origins, allow_headers=["*"], allow_methods=["*"]
        )
    app.add_middleware(Observe, max_body=cfg.max_body_bytes, metrics=metrics, audit=audit)
    app.include_router(handlers.router)
    return app


def served(request: Request) -> Served:
    return request.app.state.served  # type: ignore[no-any-return]


def authorize(request: Request, s: Served = Depends(served)) -> str:
    """The key id of the request's bearer key (401 without a valid one), rate-limited (429)."""
    key_id = "open"
    if s.keys:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        found = s.keys.check(token.strip()) if scheme.lower() == "bearer" and token else None
        if found is None:
            raise ApiError(
                401,
                "a valid API key is required (Authorization: Bearer <key>)",
                "authentication_error",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        key_id = found
    request.scope["state"]["audit"]["key_id"] = key_id
    wait = s.limiter.take(key_id)
    if wait:
        raise ApiError(
            429,
            f"rate limit of {s.cfg.rate_limit_per_min} requests per minute reached",
            "rate_limit_error",
            code="rate_limit_exceeded",
            headers={"Retry-After": retry_after(wait)},
        )
    return key_id


def _errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, e: ApiError) -> Response:
        return JSONResponse(
            error(e.message, e.kind, e.param, e.code), status_code=e.status, headers=e.headers
        )

    @app.exception_handler(Busy)
    async def busy(_: Request, e: Busy) -> Response:
        return JSONResponse(
            error(
                "the server is busy: every worker is generating and the queue is full; retry",
                "server_busy",
                code="queue_full",
            ),
            status_code=503,
            headers={"Retry-After": retry_after(e.retry_after_s)},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> Response:
        errs = e.errors()
        bad_json = next((x for x in errs if x.get("type") == "json_invalid"), None)
        if bad_json is not None:
            where = bad_json.get("ctx", {}).get("error", "")
            return JSONResponse(
                error(
                    f"the body is not valid JSON: {where}".rstrip(": "),
                    "invalid_request_error",
                    code="invalid_json",
                ),
                status_code=400,
            )
        first = errs[0] if errs else {}
        loc = [str(p) for p in first.get("loc", ()) if p != "body"]
        if not loc and first.get("type") in ("model_attributes_type", "dict_type", "missing"):
            return JSONResponse(
                error(
                    "the body must be a JSON object (Content-Type: application/json)",
                    "invalid_request_error",
                    code="invalid_json",
                ),
                status_code=400,
            )
        field = ".".join(loc) or "body"
        return JSONResponse(
            error(
                f"{field}: {first.get('msg', 'invalid')}",
                "invalid_request_error",
                field,
                "invalid_field",
            ),
            status_code=422,
        )

    @app.exception_handler(MedllmError)
    async def medllm_error(_: Request, e: MedllmError) -> Response:
        return JSONResponse(error(str(e), "invalid_request_error"), status_code=400)
