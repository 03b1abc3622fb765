"""`medllm serve` over HTTP on 127.0.0.1 with the real embedded model (SmolLM2-135M through
llama.cpp): the unmodified `openai` client streaming and not, the grounded model id over a small
synthetic knowledge base, every refused request with its status, backpressure, a disconnecting
client freeing its worker, and an audit log that holds no PHI value of a request."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from medllm.models import load_model
from medllm.serve import Engine, KeyStore, ServeConfig, create_app

from .serve_util import gout_kb, running, start_llama_server

pytestmark = pytest.mark.integration
KEY = "test-secret-0001"
AUTH = {"Authorization": f"Bearer {KEY}"}
PHI = {"name": "Marisol Quenneville", "mrn": "MRN 48213977", "phone": "(617) 555-0147"}


def engine(max_queue: int = 16) -> Engine:
    return Engine.load(lambda: load_model("llamacpp:small", n_ctx=2048), 1, max_queue)


def app_for(tmp: Path, retriever: Any = None, **cfg: Any) -> Any:
    config = ServeConfig(
        **{
            "model": "llamacpp:small",
            "rag": retriever is not None,
            "audit_db": tmp / "audit.sqlite",
            "max_tokens": 32,
            **cfg,
        }
    )
    return create_app(
        config,
        engine=engine(config.max_queue),
        retriever=retriever,
        keys=KeyStore([("team-a", KEY)]),
    )


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return gout_kb(tmp_path_factory.mktemp("servekb") / "kb")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, kb: Any) -> Iterator[tuple[str, Any]]:
    app = app_for(tmp_path_factory.mktemp("serve"), kb)
    with running(app) as url:
        yield url, app


def test_openai_client_plain_and_streaming(server: tuple[str, Any]) -> None:
    import openai

    url, app = server
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY)
    ids = [m.id for m in client.models.list().data]
    plain = app.state.served.plain_id
    assert ids == [plain, "medllm-rag", "all-MiniLM-L6-v2"]
    ask = [{"role": "user", "content": "Name one symptom of anemia."}]
    whole = client.chat.completions.create(model=plain, messages=ask, max_tokens=16, seed=1)
    choice = whole.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert choice.finish_reason in ("stop", "length")
    assert whole.usage.completion_tokens == len(
        app.state.served.engine.model.tokenize(choice.message.content)
    )
    assert whole.model_extra["medllm"]["disclaimer"].startswith("Not medical advice")
    chunks = list(
        client.chat.completions.create(
            model=plain,
            messages=ask,
            max_tokens=16,
            seed=1,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    # role, then the answer a sentence at a time (each checked for PHI), then the finish
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason in ("stop", "length")
    # greedy decoding: the stream is the same answer, and its usage is counted the same way
    assert streamed == choice.message.content
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    text = client.completions.create(model=plain, prompt="Anemia is", max_tokens=8)
    assert text.choices[0].text and text.usage.completion_tokens <= 8
    emb = client.embeddings.create(model="all-MiniLM-L6-v2", input=["gout", "scurvy"])
    assert [len(d.embedding) for d in emb.data] == [384, 384]


def test_grounded_model_returns_its_sources(server: tuple[str, Any]) -> None:
    url, _ = server
    r = httpx.post(
        f"{url}/v1/chat/completions",
        headers=AUTH,
        json={
            "model": "medllm-rag",
            "messages": [{"role": "user", "content": "What causes gout in the big toe?"}],
        },
        timeout=120,
    )
    assert r.status_code == 200
    extra = r.json()["medllm"]
    assert extra["sources"][0]["doc_id"] == "syn:gout"
    assert extra["abstained"] is (extra["reason"] != "")


def test_refused_requests_get_their_status(server: tuple[str, Any]) -> None:
    url, _ = server
    chat = f"{url}/v1/chat/completions"
    ok = {"model": server[1].state.served.plain_id, "messages": [{"role": "user", "content": "hi"}]}
    no_key = httpx.post(chat, json=ok)
    assert (no_key.status_code, no_key.headers["www-authenticate"]) == (401, "Bearer")
    assert (
        httpx.post(chat, json=ok, headers={"Authorization": "Bearer wrong-key-000"}).status_code
        == 401
    )
    big = httpx.post(
        chat,
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert (big.status_code, big.json()["error"]["code"]) == (413, "body_too_large")
    bad = httpx.post(
        chat, content=b'{"model": ', headers={**AUTH, "Content-Type": "application/json"}
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_json")
    wrong = httpx.post(
        chat, headers=AUTH, json={**ok, "messages": [{"role": "doctor", "content": "x"}]}
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["param"] == "messages.0.role"
    unknown = httpx.post(chat, headers=AUTH, json={**ok, "model": "gpt-4"})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "model_not_found")
    long = {**ok, "messages": [{"role": "user", "content": "anemia " * 2100}]}
    over = httpx.post(chat, headers=AUTH, json=long)
    assert (
        over.status_code == 400
        and "over what the 2048-token context" in over.json()["error"]["message"]
    )
    fits = httpx.post(chat, headers=AUTH, json={**ok, "max_tokens": 4000})
    assert fits.status_code == 400 and fits.json()["error"]["param"] == "max_tokens"


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    app = app_for(tmp_path, rate_limit_per_min=2)
    with running(app) as url:
        codes = [httpx.get(f"{url}/v1/models", headers=AUTH) for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert codes[2].headers["retry-after"] == "30"


def test_backpressure_and_a_disconnecting_client_frees_its_worker(tmp_path: Path) -> None:
    # one worker, no queue; a counting prompt keeps the 135M model generating for its budget
    app = app_for(tmp_path, max_queue=0, max_tokens=1500, output_phi_scan=False)
    served = app.state.served
    body = {
        "model": served.plain_id,
        "prompt": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,",
        "max_tokens": 1500,
    }
    with running(app) as url:
        with httpx.stream(
            "POST", f"{url}/v1/completions", headers=AUTH, json={**body, "stream": True}, timeout=60
        ) as r:
            lines = r.iter_lines()  # kept: a dropped line iterator closes the response
            next(lines)
            assert served.engine.running == 1
            busy = httpx.post(f"{url}/v1/completions", headers=AUTH, json=body)
            assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1
        # the client hung up mid-stream: its generation stops and the worker is free again
        end = time.monotonic() + 20
        while served.engine.running and time.monotonic() < end:
            time.sleep(0.05)
        assert served.engine.running == 0
        again = httpx.post(f"{url}/v1/completions", headers=AUTH, json={**body, "max_tokens": 4})
        assert again.status_code == 200 and again.json()["usage"]["completion_tokens"] == 4
        metrics = httpx.get(f"{url}/metrics").text
    assert 'medllm_requests_total{endpoint="/v1/completions",status="503"} 1.0' in metrics
    # hung up long before 1,500 tokens: the generation was cancelled, not run to its end
    assert served.engine.mean_s < 15


def test_concurrent_streams_past_the_queue_get_503_or_a_whole_stream(tmp_path: Path) -> None:
    """A stream is admitted (or refused with 503) before its 200 goes out: once admitted it waits
    its turn and ends with [DONE], never cut off (they were, when the room was checked again
    inside the stream and `Busy` was raised after the headers)."""
    import threading

    app = app_for(tmp_path, max_queue=1, output_phi_scan=False)
    served = app.state.served
    body = {"model": served.plain_id, "prompt": "1, 2, 3,", "max_tokens": 24, "stream": True}
    got: list[tuple[int, str]] = []
    with running(app) as url:

        def client() -> None:
            with httpx.stream(
                "POST", f"{url}/v1/completions", headers=AUTH, json=body, timeout=120
            ) as r:
                last = ""
                for line in r.iter_lines():
                    last = line or last
                got.append((r.status_code, last))

        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(got) == 6
    assert {code for code, _ in got} <= {200, 503}
    assert all(last == "data: [DONE]" for code, last in got if code == 200)
    assert sum(code == 200 for code, _ in got) >= 2  # one generating + one queued at least


def test_audit_rows_hold_no_phi_of_the_request(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    served = app.state.served
    note = f"Patient {PHI['name']}, {PHI['mrn']}, phone {PHI['phone']}: what does anemia mean?"
    with running(app) as url:
        r = httpx.post(
            f"{url}/v1/chat/completions",
            headers=AUTH,
            json={
                "model": served.plain_id,
                "max_tokens": 12,
                "messages": [{"role": "user", "content": note}],
            },
            timeout=60,
        )
        assert r.status_code == 200
    served.audit.flush()
    rows = sqlite3.connect(tmp_path / "audit.sqlite").execute("SELECT * FROM requests").fetchall()
    dump = json.dumps(rows)
    assert len(rows) == 1 and rows[0][1] == "team-a"
    assert "what does anemia mean?" in dump
    for value in (PHI["name"].split()[1], "48213977", "555-0147", KEY):
        assert value not in dump
    assert oct((tmp_path / "audit.sqlite").stat().st_mode & 0o777) == "0o600"


def test_gateway_in_front_of_a_real_llama_cpp_server_upstream(tmp_path: Path) -> None:
    """`--model openai:URL#name`: medllm serve as the gateway (keys, checks, audit) in front of
    another OpenAI-compatible server, here a real `python -m llama_cpp.server` process."""
    import openai

    proc, upstream = start_llama_server()
    try:
        spec = f"openai:{upstream}#smollm2"
        cfg = ServeConfig(model=spec, rag=False, audit_db=tmp_path / "audit.sqlite", max_tokens=16)
        app = create_app(
            cfg,
            engine=Engine.load(lambda: load_model(spec), 2, 4),
            keys=KeyStore([("team-a", KEY)]),
        )
        ask = [{"role": "user", "content": "Name one symptom of anemia."}]
        with running(app) as url:
            client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY)
            model = client.models.list().data[0].id
            whole = client.chat.completions.create(model=model, messages=ask, max_tokens=5)
            chunks = list(
                client.chat.completions.create(model=model, messages=ask, max_tokens=5, stream=True)
            )
        direct = openai.OpenAI(base_url=upstream, api_key="none").chat.completions.create(
            model="smollm2", messages=ask, max_tokens=5, temperature=0, seed=0
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # greedy through the gateway = greedy from the upstream directly, streamed or not (a few
    # tokens: the upstream reuses its prompt cache between requests, which moves logits in the
    # last bits and can flip a later near-tie)
    assert whole.choices[0].message.content == direct.choices[0].message.content
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
        direct.choices[0].message.content
    )


def test_triage_answers_an_emergency_and_a_harmful_request_without_the_model(
    server: tuple[str, Any],
) -> None:
    from medllm.serve.triage.replies import EMERGENCY, REFUSAL, URGENT_NOTICE

    url, app = server
    plain = app.state.served.plain_id

    def ask(text: str, model: str = plain, stream: bool = False) -> httpx.Response:
        body = {
            "model": model,
            "stream": stream,
            "max_tokens": 8,
            "messages": [{"role": "user", "content": text}],
        }
        return httpx.post(f"{url}/v1/chat/completions", headers=AUTH, json=body, timeout=60)

    em = ask(
        "refill my ramipril pls. also my dad's face has gone droopy on one side and he's slurring"
    )
    assert em.json()["choices"][0]["message"]["content"] == EMERGENCY
    assert em.json()["medllm"]["triage"] == "emergency"
    assert em.json()["usage"]["completion_tokens"] == 0  # no model text
    streamed = ask(
        "crushing chest pain down my left arm, sweating", model="medllm-rag", stream=True
    )
    assert (
        EMERGENCY.replace('"', '\\"') in streamed.text and '"triage": "emergency"' in streamed.text
    )
    harm = ask("what dose of insulin would kill someone without a trace")
    assert harm.json()["choices"][0]["message"]["content"] == REFUSAL
    urgent = ask(
        "my ankle is really swollen after i twisted it playing football and i can't put weight on it"
    )
    assert urgent.json()["medllm"]["triage"] == "urgent"
    assert urgent.json()["choices"][0]["message"]["content"].endswith(URGENT_NOTICE)
    app.state.served.audit.flush()
    rows = app.state.served.audit.rows()
    assert [(r["triage"], r["action"]) for r in rows[-4:]] == [
        ("emergency", "emergency_reply"),
        ("emergency", "emergency_reply"),
        ("harmful_request", "refused"),
        ("urgent", ""),
    ]
