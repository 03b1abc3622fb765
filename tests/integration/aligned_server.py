"""A small OpenAI-style completions server on 127.0.0.1 whose echoed prompt log-probs are aligned
the way vLLM's and OpenAI's are (entry i = log p(token i | tokens before i)), computed with
llama.cpp from the embedded model. It exists because llama-cpp-python's own server shifts them by
one token, so the openai backend's scoring needs an aligned server to be checked against."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np


def _log_softmax(x: np.ndarray) -> np.ndarray:  # (tokens, vocab)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def _top(row: np.ndarray, piece: Any, k: int, also: int | None = None) -> dict[str, float]:
    ids = list(np.argsort(-row)[:k]) + ([also] if also is not None else [])
    return {piece(int(i)): float(row[i]) for i in ids}


def _completion(llm: Any, prompt: str, k: int, echo: bool) -> dict[str, Any]:
    toks = llm.tokenize(prompt.encode(), add_bos=False, special=False)
    llm.reset()
    llm.eval(toks)
    ls = _log_softmax(np.array(llm.scores[: len(toks)], dtype=np.float64))

    def piece(t: int) -> str:
        return llm.detokenize([t]).decode("utf-8", "replace")

    nxt = int(np.argmax(ls[-1]))
    tokens, offsets, values, tops = [], [], [], []
    if echo:
        pos = 0
        for i, t in enumerate(toks):
            tokens.append(piece(t))
            offsets.append(pos)
            pos += len(tokens[-1])
            values.append(None if i == 0 else float(ls[i - 1][t]))
            tops.append(None if i == 0 else _top(ls[i - 1], piece, k, also=t))
    tokens.append(piece(nxt))
    offsets.append(len(prompt))
    values.append(float(ls[-1][nxt]))
    tops.append(_top(ls[-1], piece, k))
    lp = {"tokens": tokens, "text_offset": offsets, "token_logprobs": values, "top_logprobs": tops}
    text = (prompt if echo else "") + piece(nxt)
    return {"index": 0, "text": text, "finish_reason": "length", "logprobs": lp}


@contextmanager
def aligned_server(model_path: str, port: int) -> Iterator[str]:
    import uvicorn
    from fastapi import FastAPI
    from llama_cpp import Llama

    llm = Llama(model_path=model_path, n_ctx=2048, logits_all=True, verbose=False)
    lock = threading.Lock()
    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "aligned", "object": "model", "owned_by": "t"}]}

    @app.post("/v1/completions")
    def completions(body: dict[str, Any]) -> dict[str, Any]:
        with lock:
            choice = _completion(
                llm, body["prompt"], int(body.get("logprobs") or 1), bool(body.get("echo"))
            )
        return {
            "id": "c1",
            "object": "text_completion",
            "created": 0,
            "model": "aligned",
            "choices": [choice],
        }

    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        llm.close()
