"""medllm's dense index (IVF-PQ + exact re-rank over memory-mapped float16 vectors) against an exact
flat inner-product index (MedRAG's design: faiss IndexFlatIP held in RAM) at 1,000,000 chunks.

Corpus vectors: grown from real all-MiniLM-L6-v2 embeddings of knowledge-base documents (the
4,000 ICD-10-CM and HPO documents embedded by benchmarks/retrieval_quality.py, or `--real`
freshly embedded ones). Each synthetic vector is normalize(λ·a + (1-λ)·b + σ·ε) for two random
real vectors a, b, λ ~ U(0, 1), ε ~ N(0, I/384)·σ-scaled, σ = `--noise`: it keeps the real
embeddings' anisotropy and cluster structure at a scale we cannot embed on 2 cores (1M texts ≈ 12
hours here). Queries: real embeddings of generated held-out queries (paraphrased ICD-10-CM
descriptions, phenotype lists). Each index is loaded and queried one query at a time in its own
child process (so RAM is that index's alone), children alternate A, B, A, B; latencies are pooled.

    python benchmarks/retrieval_scale.py --chunks 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import cores, versions, write_result
from medllm.core.assets import cache_dir
from medllm.knowledge.dense import DenseIndex, DenseParams

DIM = 384
BLOCK = 100_000


def real_vectors(n_real: int) -> np.ndarray:
    saved = sorted((cache_dir() / "bench").glob("real_vectors_*.npy"))
    if saved:
        return np.concatenate([np.load(p).astype(np.float32) for p in saved])
    from medllm.knowledge.embed import embed
    from medllm.knowledge.sources import hpo, icd10cm

    docs = [d.text for d, _ in zip(icd10cm.documents(), range(n_real // 2), strict=False)]
    docs += [d.text for d, _ in zip(hpo.disease_documents(), range(n_real // 2), strict=False)]
    return embed(docs)


def query_vectors(n: int) -> np.ndarray:
    from medllm.knowledge.embed import embed
    from retrieval_quality import hpo_task, icd_task

    q1, _, _ = icd_task(n // 2, n // 2 + 1, seed=1)
    q2, _, _ = hpo_task(n - n // 2, n - n // 2 + 1, seed=1)
    return embed(q1 + q2)


def synth_block(real: np.ndarray, n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    a = real[rng.integers(0, len(real), n)]
    b = real[rng.integers(0, len(real), n)]
    lam = rng.uniform(0, 1, (n, 1)).astype(np.float32)
    x = (
        lam * a
        + (1 - lam) * b
        + noise * rng.normal(size=(n, DIM)).astype(np.float32) / np.sqrt(DIM)
    )
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def build(work: Path, real: np.ndarray, args: argparse.Namespace) -> dict[str, Any]:
    import faiss

    rng = np.random.default_rng(0)
    params = DenseParams(nlist=args.nlist, nprobe=args.nprobe, rerank=args.rerank, min_train=10**12)
    dense = DenseIndex.open(work / "medllm", params)
    flat = faiss.IndexFlatIP(DIM)
    t_medllm = t_flat = 0.0
    for start in range(0, args.chunks, BLOCK):
        x = synth_block(real, min(BLOCK, args.chunks - start), args.noise, rng)
        t0 = time.perf_counter()
        dense.add(x)
        t1 = time.perf_counter()
        flat.add(x)
        t_flat += time.perf_counter() - t1
        t_medllm += t1 - t0
    t0 = time.perf_counter()
    dense.train(sample=args.train_sample)
    t_medllm += time.perf_counter() - t0
    t0 = time.perf_counter()
    faiss.write_index(flat, str(work / "flat.faiss"))
    t_flat += time.perf_counter() - t0
    return {"medllm": t_medllm, "flat": t_flat}


def peak_rss_kb() -> int:
    """VmHWM of this process. (ru_maxrss is not used: Linux carries it over fork+exec, so a child
    would report its parent's peak.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(kind: str, work: Path, queries: Path, k: int, out: Path) -> None:
    """Load one index from disk, time single queries, write latencies, ids and peak RSS."""
    import faiss

    q = np.load(queries)
    base = peak_rss_kb()
    if kind == "medllm":
        index = DenseIndex.open(work / "medllm")

        def search(v: np.ndarray) -> np.ndarray:
            return index.search(v, k)[1]
    else:
        flat = faiss.read_index(str(work / "flat.faiss"))

        def search(v: np.ndarray) -> np.ndarray:
            return flat.search(v, k)[1]

    for v in q[:10]:  # warm-up: first touches of the memory maps and caches
        search(v[None])
    lat, ids = [], []
    for v in q:
        t0 = time.perf_counter()
        ids.append(search(v[None])[0].tolist())
        lat.append(1000 * (time.perf_counter() - t0))
    peak = peak_rss_kb()
    out.write_text(json.dumps({"lat_ms": lat, "ids": ids, "rss_kb": peak, "base_rss_kb": base}))


def omp_threads() -> str:
    """The OpenMP setting both query children inherit from this process (read, not assumed)."""
    import faiss

    policy = os.environ.get("OMP_WAIT_POLICY", "unset")
    return (
        f"faiss OpenMP {faiss.omp_get_max_threads()} threads on {cores()} cores, "
        f"OMP_WAIT_POLICY={policy}, for both indexes"
    )


def run_children(work: Path, qfile: Path, k: int, rounds: int) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {"medllm": [], "flat": []}
    for r in range(rounds):
        for kind in ("medllm", "flat"):
            out = work / f"{kind}-{r}.json"
            cmd = [sys.executable, __file__, "--child", kind, "--work", str(work)]
            subprocess.run(
                [*cmd, "--qfile", str(qfile), "--k", str(k), "--out", str(out)], check=True
            )
            runs[kind].append(json.loads(out.read_text()))
    return runs


def summarize(runs: list[dict[str, Any]], disk: int, build_s: float, n: int) -> dict[str, Any]:
    lat = np.concatenate([r["lat_ms"] for r in runs])
    return {
        "chunks": n,
        "p50_ms": round(float(np.percentile(lat, 50)), 3),
        "p95_ms": round(float(np.percentile(lat, 95)), 3),
        "ram_gb": round(max(r["rss_kb"] for r in runs) / 1024**2, 3),
        "ram_index_gb": round(max(r["rss_kb"] - r["base_rss_kb"] for r in runs) / 1024**2, 3),
        "disk_gb": round(disk / 1e9, 3),
        "build_s": round(build_s, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--chunks", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--nlist", type=int, default=1024)
    ap.add_argument("--nprobe", type=int, default=64)
    ap.add_argument("--rerank", type=int, default=400)
    ap.add_argument("--train-sample", type=int, default=50_000)
    ap.add_argument(
        "--noise", type=float, default=0.6, help="σ of the added Gaussian (unit-norm scale)"
    )
    ap.add_argument("--real", type=int, default=2000, help="documents to embed if none are cached")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the built indexes (for --reuse)")
    ap.add_argument("--reuse", type=Path, help="folder of a kept run: query it again, no rebuild")
    ap.add_argument("--child", choices=["medllm", "flat"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--qfile", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--k", type=int, default=10, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.work, args.qfile, args.k, args.out)
        return
    if args.reuse:  # re-query an index built by an earlier run (its build times are kept)
        work = args.reuse
        q = np.load(work / "queries.npy")
        qfile = work / "queries.npy"
        saved = json.loads((work / "build.json").read_text())
        build_s, n_real = saved["build_s"], saved["n_real"]
        dense = DenseIndex.open(work / "medllm")
        dense.params.nprobe, dense.params.rerank = args.nprobe, args.rerank
        dense._save_params()
    else:
        work = Path(
            tempfile.mkdtemp(prefix="medllm-scale-", dir=os.environ.get("MEDLLM_BENCH_DIR"))
        )
        real = real_vectors(args.real)
        n_real = len(real)
        q = query_vectors(args.queries)
        qfile = work / "queries.npy"
        np.save(qfile, q)
        build_s = build(work, real, args)
        (work / "build.json").write_text(json.dumps({"build_s": build_s, "n_real": n_real}))
    runs = run_children(work, qfile, 10, args.rounds)
    exact = runs["flat"][0]["ids"]
    got = runs["medllm"][0]["ids"]
    rec = float(np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)]))
    disk_medllm = sum(f.stat().st_size for f in (work / "medllm").iterdir())
    medllm = {
        **summarize(runs["medllm"], disk_medllm, build_s["medllm"], args.chunks),
        "recall_at_10": round(rec, 4),
    }
    flat = {
        **summarize(
            runs["flat"], (work / "flat.faiss").stat().st_size, build_s["flat"], args.chunks
        ),
        "recall_at_10": 1.0,
    }
    from medllm.knowledge.embed import embed_query

    embed_ms = []
    for text in ("iron deficiency anemia symptoms", "which code means type 2 diabetes") * 10:
        t0 = time.perf_counter()
        embed_query(text)
        embed_ms.append(1000 * (time.perf_counter() - t0))
    result = {
        **medllm,
        "index": f"IVF{args.nlist}-PQ48 (mmapped, nprobe {args.nprobe}) + exact re-rank of {args.rerank} float16 rows read from disk",
        "flat": {**flat, "index": "faiss IndexFlatIP, float32 in RAM"},
        "ratio_p50_flat_over_medllm": round(flat["p50_ms"] / max(medllm["p50_ms"], 1e-9), 2),
        "ratio_ram_flat_over_medllm": round(flat["ram_gb"] / max(medllm["ram_gb"], 1e-9), 2),
        "query_embed_p50_ms": round(float(np.median(embed_ms)), 1),
        "corpus": f"{args.chunks} vectors grown from {n_real} real MiniLM embeddings (noise {args.noise})",
        "queries": f"{len(q)} real embeddings of generated held-out queries, single-query latency",
        "threads": omp_threads(),
        "targets": {"p50_ms": 30, "ram_gb": 0.4, "recall_at_10": 0.95},
        "versions": versions("faiss-cpu", "numpy"),
    }
    summary = (
        f"{args.chunks:,} chunks: medllm p50 {medllm['p50_ms']} ms, p95 {medllm['p95_ms']} ms, RAM "
        f"{medllm['ram_gb']} GB, disk {medllm['disk_gb']} GB, recall@10 {medllm['recall_at_10']} vs flat "
        f"p50 {flat['p50_ms']} ms, RAM {flat['ram_gb']} GB, disk {flat['disk_gb']} GB "
        f"(p50 ×{result['ratio_p50_flat_over_medllm']} faster, RAM ×{result['ratio_ram_flat_over_medllm']} smaller)"
    )
    write_result(
        "retrieval_scale",
        result,
        summary,
        f"python benchmarks/retrieval_scale.py --chunks {args.chunks}",
    )
    print(summary)
    if not args.reuse and not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
