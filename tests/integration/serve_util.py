"""A real uvicorn server for a medllm app in a background thread, on 127.0.0.1 and a free port,
stopped when the block ends (tests and benchmarks talk to it over HTTP, never to the app
object)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


def gout_kb(folder: Path) -> Any:
    """A two-document synthetic knowledge base (hybrid retriever) for the grounded model id."""
    from medllm.core.records import Document
    from medllm.knowledge.config import KbConfig
    from medllm.knowledge.index import build_index
    from medllm.knowledge.retrievers import get_retriever

    docs = [
        Document(
            id="syn:gout",
            text="Gout is arthritis caused by uric acid crystals; the big toe becomes red and swollen.",
            title="gout",
            source="synthetic",
            url="https://example.org/gout",
        ),
        Document(
            id="syn:scurvy",
            text="Scurvy results from vitamin C deficiency and causes bleeding gums.",
            title="scurvy",
            source="synthetic",
        ),
    ]
    build_index(KbConfig(folder=folder, sources=[]), docs=docs)
    return get_retriever("hybrid", folder)


@contextmanager
def running(app: Any, timeout_s: float = 180.0) -> Iterator[str]:
    """Yields the base URL ("http://127.0.0.1:PORT")."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + timeout_s
    while not server.started:
        if time.monotonic() > end or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_llama_server(*extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m llama_cpp.server` over the embedded model on 127.0.0.1 (alias "smollm2"), as a
    real peer process; the caller terminates it."""
    from medllm.models.assets import default_gguf

    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(default_gguf()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--model_alias",
        "smollm2",
        *extra,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("llama_cpp.server did not start within 60 s")
