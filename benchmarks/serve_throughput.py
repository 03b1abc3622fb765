"""`medllm serve` against `python -m llama_cpp.server` on the same GGUF, the same prompts and the
same client load (1, 4 and 16 concurrent streaming clients), in one run.

Both servers are real processes on 127.0.0.1 with one llama.cpp context each (llama_cpp.server
serves one request at a time, here with all cores and `--interrupt_requests False`, its strongest
setting: by default a new request interrupts the one streaming; `medllm serve` runs with
workers=1). medllm runs twice: as shipped
(triage of every message and the sentence-by-sentence PHI scan of every answer on) and with both
off (`--set triage=false --set output_phi_scan=false`), so the cost of the guardrails is visible.
Completion tokens are counted by tokenizing each streamed answer with the model's own tokenizer
(the same count for every server). The three servers are up together and take turns, `--rounds`
rounds per concurrency with the order rotating. Per server and concurrency: tokens per second over
the rounds,
p50 / p99 time to first content and request latency. `tokens_per_s_ratio` = medllm as shipped ÷
llama_cpp.server (target ≥ 0.95 at every concurrency); `min_tokens_per_s_ratio` the smallest.

    python benchmarks/serve_throughput.py                    # small tier, 64 tokens per answer
    python benchmarks/serve_throughput.py --tier large --requests 2
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import at_least_one, machine, versions, write_result

PROMPTS = [
    "Name three symptoms of iron deficiency anemia.",
    "What does the pancreas do?",
    "Explain what hypertension is in two sentences.",
    "What is the difference between a virus and a bacterium?",
    "List common causes of chronic cough.",
    "What is a normal resting heart rate for adults?",
    "How does insulin lower blood sugar?",
    "What are the main functions of the kidneys?",
]
CONCURRENCY = (1, 4, 16)
KEY = "bench-secret-0001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def medllm_serve(model: str, port: int, audit: Path, max_queue: int) -> list[str]:
    """The `medllm serve` command of a benchmark: no RAG, its own audit DB, no rate limit."""
    return [
        *(sys.executable, "-m", "medllm", "serve", "--model", model, "--no-rag"),
        *("--port", str(port), "--set", f"audit_db={audit}", "--set", f"max_queue={max_queue}"),
        *("--set", "rate_limit_per_min=100000"),
    ]


def wait_ready(url: str, proc: subprocess.Popen[bytes], headers: dict[str, str]) -> None:
    end = time.monotonic() + 180
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/v1/models", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not start within 180 s")


def start(
    kind: str, gguf: Path, n_ctx: int, workdir: Path
) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    env = {
        **os.environ,
        "MEDLLM_API_KEYS": f"bench:{KEY}",
        "MEDLLM_CACHE": os.environ.get("MEDLLM_CACHE", str(Path.home() / ".cache" / "medllm")),
    }
    if kind == "llama_cpp.server":
        cmd = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(n_ctx),
            "--model_alias",
            "m",
            # its strongest configuration here: both cores, and a new request queues instead of
            # interrupting the one streaming (the default interrupts it)
            "--n_threads",
            str(os.cpu_count() or 1),
            "--n_threads_batch",
            str(os.cpu_count() or 1),
            "--interrupt_requests",
            "False",
        ]
        model = "m"
    else:
        cmd = medllm_serve(f"llamacpp:{gguf}?n_ctx={n_ctx}", port, workdir / f"{kind}.sqlite", 64)
        if kind == "medllm (guardrails off)":
            cmd += ["--set", "triage=false", "--set", "output_phi_scan=false"]
        model = ""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {KEY}"}
    wait_ready(url, proc, headers)
    if not model:
        model = httpx.get(f"{url}/v1/models", headers=headers).json()["data"][0]["id"]
    return proc, url, model


def one_request(url: str, model: str, prompt: str, max_tokens: int) -> dict[str, Any]:
    body = {
        "model": model,
        "stream": True,
        "max_tokens": max_tokens,
        "temperature": 0,
        "seed": 0,
        "messages": [{"role": "user", "content": prompt}],
    }
    t0 = time.perf_counter()
    first = None
    text = []
    with httpx.stream(
        "POST",
        f"{url}/v1/chat/completions",
        json=body,
        timeout=600,
        headers={"Authorization": f"Bearer {KEY}"},
    ) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for c in chunk.get("choices", []):
                piece = (c.get("delta") or {}).get("content")
                if piece:
                    first = first or time.perf_counter()
                    text.append(piece)
    end = time.perf_counter()
    return {"ttft": (first or end) - t0, "latency": end - t0, "text": "".join(text)}


def load(
    url: str, model: str, clients: int, per_client: int, max_tokens: int, count: Any
) -> dict[str, Any]:
    """`clients` threads, each sending `per_client` requests one after another: the wall time,
    and each request's time to first content, latency and completion tokens."""
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        for j in range(per_client):
            r = one_request(url, model, PROMPTS[(i + j) % len(PROMPTS)], max_tokens)
            r["tokens"] = count(r.pop("text"))
            with lock:
                results.append(r)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"wall": time.perf_counter() - t0, "results": results}


def summary(*runs: dict[str, Any]) -> dict[str, Any]:
    """Tokens per second over the runs' summed wall time; percentiles over all their requests."""
    results = [r for run in runs for r in run["results"]]
    wall = sum(run["wall"] for run in runs)
    tokens = sum(r["tokens"] for r in results)

    def pct(key: str, q: float) -> float:
        xs = sorted(r[key] for r in results)
        return round(xs[min(len(xs) - 1, int(q * len(xs)))], 3)

    return {
        "rounds": len(runs),
        "requests": len(results),
        "completion_tokens": tokens,
        "wall_s": round(wall, 2),
        "tokens_per_s": round(tokens / wall, 2),
        "ttft_p50_s": pct("ttft", 0.5),
        "ttft_p99_s": pct("ttft", 0.99),
        "latency_p50_s": pct("latency", 0.5),
        "latency_p99_s": pct("latency", 0.99),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--tier", default="small", choices=("small", "medium", "large"))
    ap.add_argument(
        "--requests",
        type=at_least_one,
        default=4,
        help="requests per client at concurrency 1 and 4; half as many at 16",
    )
    ap.add_argument(
        "--rounds", type=at_least_one, default=3, help="rounds per concurrency (servers rotate)"
    )
    ap.add_argument("--max-tokens", type=at_least_one, default=64)
    args = ap.parse_args()
    import llama_cpp

    from medllm.models.tiers import TIERS, tier_gguf

    gguf = tier_gguf(TIERS[args.tier])
    vocab = llama_cpp.Llama(model_path=str(gguf), vocab_only=True, verbose=False)

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode(), add_bos=False, special=False)) if text else 0

    servers = ("llama_cpp.server", "medllm", "medllm (guardrails off)")
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {s: {} for s in servers}
    workdir = Path(tempfile.mkdtemp(prefix="medllm-serve-bench-"))
    # All three servers are up for the whole run and take turns, the order rotating round by
    # round: a slow spell of the shared machine hits every server alike (run one after another,
    # the ratios moved by ±20% between identical runs).
    procs = {}
    try:
        for name in servers:
            procs[name] = start(name, gguf, 2048, workdir)
            proc, url, model = procs[name]
            one_request(url, model, PROMPTS[0], 8)  # warm-up (loads the triage classifier)
        for c in CONCURRENCY:
            per = args.requests if c < 16 else max(1, args.requests // 2)
            for r in range(args.rounds):
                for name in servers[r % 3 :] + servers[: r % 3]:
                    _, url, model = procs[name]
                    got = load(url, model, c, per, args.max_tokens, count)
                    runs[name].setdefault(str(c), []).append(got)
                    print(name, c, r, json.dumps(summary(got)), file=sys.stderr, flush=True)
    finally:
        for proc, _, _ in procs.values():
            proc.terminate()
            proc.wait(timeout=30)
    out = {name: {c: summary(*rs) for c, rs in by_c.items()} for name, by_c in runs.items()}
    by = []
    for c in CONCURRENCY:
        raw, ours, off = (out[s][str(c)] for s in servers)
        by.append(
            {
                "concurrency": c,
                "tokens_per_s_ratio": round(ours["tokens_per_s"] / raw["tokens_per_s"], 3),
                "tokens_per_s_ratio_guardrails_off": round(
                    off["tokens_per_s"] / raw["tokens_per_s"], 3
                ),
                "llama_cpp_server": raw,
                "medllm": ours,
                "medllm_guardrails_off": off,
            }
        )
    ratio = min(b["tokens_per_s_ratio"] for b in by)
    result = {
        "tier": args.tier,
        "gguf": gguf.name,
        "max_tokens": args.max_tokens,
        "rounds": args.rounds,
        "prompts": PROMPTS,
        "by_concurrency": by,
        "min_tokens_per_s_ratio": ratio,
        "machine": machine(),
        "versions": versions("medllm", "llama-cpp-python", "fastapi", "uvicorn"),
    }
    line = (
        f"{args.tier} tier, streaming chat, {args.max_tokens} tokens: medllm ÷ llama_cpp.server "
        f"tokens/s "
        + ", ".join(f"{b['concurrency']} clients {b['tokens_per_s_ratio']}" for b in by)
        + " (guardrails off: "
        + ", ".join(str(b["tokens_per_s_ratio_guardrails_off"]) for b in by)
        + ")"
    )
    cmd = f"python benchmarks/serve_throughput.py --tier {args.tier} --requests {args.requests} --max-tokens {args.max_tokens} --rounds {args.rounds}"
    name = "serve_throughput" + ("" if args.tier == "small" else f"_{args.tier}")
    write_result(name, result, line, cmd)
    print(line)


if __name__ == "__main__":
    main()
