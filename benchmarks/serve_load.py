"""`medllm serve` under load: 16 concurrent clients for 60 s against a real server process
(small tier, no RAG, triage and PHI scan on), mixing streaming and non-streaming chat, requests
with bad keys, oversize bodies and malformed JSON, and prompts carrying synthetic PHI canaries.
medllm only (no peer: llama_cpp.server has no keys, limits or audit log to compare).

Reports: requests, unexpected 5xx (every 5xx except deliberate 503 backpressure), wrong 4xx (a bad
request not answered with its 4xx: 401 bad key, 413 oversize, 400 malformed JSON), p99 latency,
the server's RSS at the start and the end, and then the PHI-canary check: no canary value sent in
a prompt appears in the audit DB, the server's log output or /metrics.

    python benchmarks/serve_load.py                 # 16 clients, 60 s
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
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
from serve_throughput import KEY, free_port, medllm_serve, wait_ready

# Synthetic PHI (made-up names, numbers): must never be stored or logged as sent.
CANARIES = [
    ("Oriella Vantablack", "MRN 77120934", "(617) 555-0199"),
    ("Tobiah Quillfeather", "MRN 55031872", "(212) 555-0142"),
    ("Marguerite Osterhagen", "MRN 90417735", "(415) 555-0178"),
]
QUESTIONS = ["What is anemia?", "Name a symptom of diabetes.", "What does the liver do?"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def request(url: str, model: str, rng: random.Random) -> tuple[str, int, float]:
    """One request of a random kind: (kind, status, seconds)."""
    kind = rng.choice(
        ["chat", "chat", "stream", "stream", "phi", "bad_key", "oversize", "bad_json"]
    )
    auth = {"Authorization": f"Bearer {KEY}"}
    body: Any = {
        "model": model,
        "max_tokens": 24,
        "messages": [{"role": "user", "content": rng.choice(QUESTIONS)}],
    }
    t0 = time.perf_counter()
    with httpx.Client(timeout=300) as c:
        if kind == "bad_key":
            r = c.post(
                f"{url}/v1/chat/completions",
                json=body,
                headers={"Authorization": "Bearer wrong-key-123"},
            )
        elif kind == "oversize":
            r = c.post(
                f"{url}/v1/chat/completions",
                content=b'{"model": "' + b"x" * 1_100_000 + b'"}',
                headers={**auth, "Content-Type": "application/json"},
            )
        elif kind == "bad_json":
            r = c.post(
                f"{url}/v1/chat/completions",
                content=b'{"model": "m", "messages": [',
                headers={**auth, "Content-Type": "application/json"},
            )
        elif kind == "stream":
            with c.stream(
                "POST", f"{url}/v1/chat/completions", json={**body, "stream": True}, headers=auth
            ) as s:
                last = ""
                try:
                    for line in s.iter_lines():
                        last = line or last
                except httpx.TransportError:  # cut off mid-stream: counted as broken
                    return kind, BROKEN, time.perf_counter() - t0
                if s.status_code == 200 and last != "data: [DONE]":
                    return kind, BROKEN, time.perf_counter() - t0
                r = s
        else:
            if kind == "phi":
                name, mrn, phone = rng.choice(CANARIES)
                body["messages"][0]["content"] = (
                    f"Patient {name}, {mrn}, phone {phone}: what is anemia?"
                )
            r = c.post(f"{url}/v1/chat/completions", json=body, headers=auth)
    return kind, r.status_code, time.perf_counter() - t0


EXPECTED = {"bad_key": 401, "oversize": 413, "bad_json": 400}
BROKEN = -1  # the status recorded for a 200 stream that ended without `data: [DONE]`


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--clients", type=at_least_one, default=16)
    ap.add_argument("--seconds", type=at_least_one, default=60)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="medllm-serve-load-"))
    audit, log = work / "audit.sqlite", work / "server.log"
    port = free_port()
    env = {**os.environ, "MEDLLM_API_KEYS": f"bench:{KEY}"}
    cmd = medllm_serve("llamacpp:small", port, audit, 8)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, {"Authorization": f"Bearer {KEY}"})
        model = httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {KEY}"}).json()[
            "data"
        ][0]["id"]
        request(url, model, random.Random(0))  # warm-up
        rss_start = rss_mb(proc.pid)
        rows: list[tuple[str, int, float]] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def client(i: int) -> None:
            rng = random.Random(i)
            while time.monotonic() < stop:
                got = request(url, model, rng)
                with lock:
                    rows.append(got)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rss_end = rss_mb(proc.pid)
        metrics = httpx.get(f"{url}/metrics").text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    unexpected = [r for r in rows if r[1] >= 500 and r[1] != 503]
    wrong = [r for r in rows if r[0] in EXPECTED and r[1] != EXPECTED[r[0]]]
    lat = sorted(r[2] for r in rows)
    stored = json.dumps(sqlite3.connect(audit).execute("SELECT * FROM requests").fetchall())
    logged = log.read_text(errors="replace")
    values = [
        v for c in CANARIES for v in (c[0].split()[0], c[0].split()[1], c[1].split()[1], c[2][-8:])
    ]
    found = [v for v in values for where in (stored, logged, metrics) if v in where]
    counts: dict[str, int] = {}
    for k, s, _ in rows:
        counts[f"{k} {s}"] = counts.get(f"{k} {s}", 0) + 1
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "requests": len(rows),
        "unexpected_5xx": len(unexpected),
        "broken_streams": sum(1 for r in rows if r[1] == BROKEN),
        "wrong_4xx": len(wrong),
        "backpressure_503": sum(1 for r in rows if r[1] == 503),
        "p50_latency_s": round(lat[len(lat) // 2], 3),
        "p99_latency_s": round(lat[int(0.99 * (len(lat) - 1))], 3),
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "phi_canaries_sent": sum(1 for r in rows if r[0] == "phi"),
        "phi_canaries_found": len(found),
        "audit_rows": stored.count("/v1/"),
        "by_kind_and_status": dict(sorted(counts.items())),
        "machine": machine(),
        "versions": versions("medllm", "fastapi", "uvicorn"),
    }
    line = (
        f"{args.clients} clients × {args.seconds} s: {len(rows)} requests, {len(unexpected)} unexpected 5xx, "
        f"{len(wrong)} wrong 4xx, {result['broken_streams']} broken streams, p99 {result['p99_latency_s']} s, RSS {rss_start} → {rss_end} MB, "
        f"{len(found)} PHI canary values found in audit/log/metrics (medllm only)"
    )
    write_result(
        "serve_load",
        result,
        line,
        f"python benchmarks/serve_load.py --clients {args.clients} --seconds {args.seconds}",
    )
    print(line)


if __name__ == "__main__":
    main()
