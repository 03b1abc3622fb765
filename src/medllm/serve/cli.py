"""`medllm serve`: the OpenAI-compatible server (registered on the root CLI)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from medllm.core import ConfigError, load_config, parse_overrides

console = Console(stderr=True)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="model spec (llamacpp:large, hf:DIR, openai:URL#name)"),
    ] = None,
    rag: Annotated[
        bool | None,
        typer.Option("--rag/--no-rag", help="also serve the grounded model id medllm-rag"),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="a serve YAML (kind: serve)")
    ] = None,
    host: Annotated[str | None, typer.Option(help="bind address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [default: 8000]")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key=value")] = None,
) -> None:
    """Serve the model over an OpenAI-compatible API (chat, completions, embeddings, models,
    /healthz, /metrics, /docs) with the grounded model id medllm-rag, API keys, rate limits,
    backpressure and a de-identified audit log. Binds 127.0.0.1 unless --host says otherwise."""
    import uvicorn

    from medllm.serve import KeyStore, ServeConfig, create_app

    given = {"model": model, "rag": rag, "host": host, "port": port}
    overrides = {k: v for k, v in given.items() if v is not None} | parse_overrides(set_)
    cfg = load_config(config, ServeConfig, overrides)
    keys = KeyStore.load(cfg.keys_file)
    if not keys and not _loopback(cfg.host):
        raise ConfigError(
            f"no API keys are configured and the server would listen on {cfg.host}",
            fix="give keys (--set keys_file=FILE or $MEDLLM_API_KEYS), or bind 127.0.0.1",
        )
    app = create_app(cfg, keys=keys)
    ids = ", ".join(app.state.served.model_ids())
    console.print(f"serving {ids} on http://{cfg.host}:{cfg.port} (docs at /docs)")
    uvicorn.run(app, host=cfg.host, port=cfg.port, log_level="warning", access_log=False)
