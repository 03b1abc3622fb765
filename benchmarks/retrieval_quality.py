"""Retrieval quality of bm25, dense and hybrid on held-out generated queries.

Queries (held-out records only, `medllm.core.splits.is_heldout`):
- icd10cm: a rule-based rewording of a billable code's description (synonyms such as
  neoplasm→tumor, unspecified→not specified; "X of Y" → "Y X"; trailing clause moved to the front)
  → the code's document;
- hpo_disease: "patient with <3–6 of the disease's most frequent phenotypes>" → the disease.
Corpus: the target documents plus random distractors of the same source (same ICD-10-CM chapter),
`--corpus` documents per task, indexed by medllm's own build (BM25 + all-MiniLM-L6-v2 vectors).
The full 109k-document default knowledge base is also searched with BM25 (its vectors take too long
to compute on a 2-core machine to be part of this run).

    python benchmarks/retrieval_quality.py --queries 200 --corpus 2000
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import versions, write_result
from medllm.core.assets import cache_dir
from medllm.core.records import Document
from medllm.core.splits import is_heldout

SYNONYMS = [
    (r"\bmalignant neoplasm\b", "cancer"),
    (r"\bbenign neoplasm\b", "benign tumor"),
    (r"\bneoplasm\b", "tumor"),
    (r"\bunspecified\b", "not specified"),
    (r"\bdisorders?\b", "problem"),
    (r"\bwithout\b", "with no"),
    (r"\bacute\b", "sudden"),
    (r"\bchronic\b", "long-standing"),
    (r"\bhypertension\b", "high blood pressure"),
    (r"\binfection\b", "infectious illness"),
    (r"\bfracture\b", "break"),
    (r"\bleft\b", "left-sided"),
    (r"\bright\b", "right-sided"),
]


def paraphrase(description: str) -> str:
    text = description.lower()
    head, sep, tail = text.partition(", ")
    if sep:  # "cholera, unspecified" → "unspecified cholera"
        text = f"{tail} {head}"
    m = re.match(r"^(.*?) of (.*)$", text)
    if m and len(m.group(2).split()) <= 4:  # "neoplasm of pancreas" → "pancreas neoplasm"
        text = f"{m.group(2)} {m.group(1)}"
    for pattern, repl in SYNONYMS:
        text = re.sub(pattern, repl, text)
    return text


def icd_task(
    n_queries: int, n_corpus: int, seed: int
) -> tuple[list[str], list[str], list[Document]]:
    from medllm.knowledge.sources import icd10cm

    codes = [c for c in icd10cm.load_codes() if c.leaf and not c.extension]
    rng = random.Random(seed)
    targets = rng.sample([c for c in codes if is_heldout(c.code, "icd10cm")], n_queries)
    chapters = {c.chapter for c in targets}
    pool = [c for c in codes if c.chapter in chapters and c not in set(targets)]
    distractors = rng.sample(pool, n_corpus - n_queries)
    queries = [paraphrase(c.description) for c in targets]
    docs = [icd10cm.to_document(c) for c in targets + distractors]
    return queries, [f"icd10cm:{c.code}#0" for c in targets], docs


def _rank(freq: str) -> float:
    named = {"Obligate": 1.0, "Very frequent": 0.9, "Frequent": 0.55, "Occasional": 0.17}
    if freq in named:
        return named[freq]
    if "/" in freq:
        a, _, b = freq.partition("/")
        return int(a) / max(int(b), 1) if a.isdigit() and b.isdigit() else 0.3
    if freq.endswith("%"):
        return float(freq[:-1]) / 100
    return 0.3


def hpo_task(
    n_queries: int, n_corpus: int, seed: int
) -> tuple[list[str], list[str], list[Document]]:
    from medllm.knowledge.sources import hpo

    diseases = [
        d for d in hpo.load_diseases().values() if sum(not a.negated for a in d.phenotypes) >= 3
    ]
    rng = random.Random(seed)
    targets = rng.sample([d for d in diseases if is_heldout(d.id, "hpo_disease")], n_queries)
    queries = []
    for d in targets:
        present = sorted(
            (a for a in d.phenotypes if not a.negated), key=lambda a: -_rank(a.frequency)
        )
        k = rng.randint(3, 6)
        picked = rng.sample(present[: max(k, 8)], min(k, len(present)))
        queries.append("patient with " + ", ".join(a.name.lower() for a in picked))
    ids = {d.id for d in targets}
    distractors = rng.sample([d for d in diseases if d.id not in ids], n_corpus - n_queries)
    docs = [hpo.disease_document(d) for d in targets + distractors]
    return queries, [f"hpo_disease:{d.id}#0" for d in targets], docs


def recall(hits: Sequence[Sequence[Any]], gold: Sequence[str]) -> dict[str, float]:
    ranks = []
    for per_query, g in zip(hits, gold, strict=True):
        ids = [h.chunk_id for h in per_query]
        ranks.append(ids.index(g) + 1 if g in ids else None)
    n = len(gold)
    return {
        "recall_at_1": sum(r == 1 for r in ranks) / n,
        "recall_at_10": sum(r is not None and r <= 10 for r in ranks) / n,
        "mrr_at_10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
    }


def evaluate(folder: Path, queries: list[str], gold: list[str]) -> dict[str, Any]:
    from medllm.knowledge.retrievers import get_retriever

    out: dict[str, Any] = {}
    for name in ("bm25", "dense", "hybrid"):
        ret = get_retriever(name, folder)
        start = time.perf_counter()
        hits = ret.search_batch(queries, k=10)
        out[name] = {
            **recall(hits, gold),
            "ms_per_query": 1000 * (time.perf_counter() - start) / len(queries),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--queries", type=int, default=200, help="held-out queries per task")
    ap.add_argument(
        "--corpus", type=int, default=2000, help="documents per task (targets + distractors)"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from medllm.knowledge.config import KbConfig
    from medllm.knowledge.index import build_index, default_folder, exists

    result: dict[str, Any] = {"queries_per_task": args.queries, "corpus_per_task": args.corpus}
    tasks = {"icd10cm": icd_task, "hpo_disease": hpo_task}
    work = Path(tempfile.mkdtemp(prefix="medllm-rq-"))
    for name, make in tasks.items():
        queries, gold, docs = make(args.queries, args.corpus, args.seed)
        folder = work / name
        report = build_index(KbConfig(folder=folder, sources=[]), docs=docs)
        result[name] = {
            "examples": [
                {"query": q, "target": g} for q, g in list(zip(queries, gold, strict=True))[:3]
            ],
            "build_s": round(report.build_s, 1),
            "embed_chunks_per_s": round(report.embedded / report.build_s, 1),
            **evaluate(folder, queries, gold),
        }
        if exists(default_folder()):
            from medllm.knowledge.retrievers import get_retriever

            full = get_retriever("bm25", default_folder())
            result[name]["bm25_full_default_kb"] = recall(full.search_batch(queries, k=10), gold)
            result["default_kb_chunks"] = len(full.kb)
        _save_real_vectors(folder, name)
    r = result
    summary = "; ".join(
        f"{t} R@1/R@10 bm25 {r[t]['bm25']['recall_at_1']:.2f}/{r[t]['bm25']['recall_at_10']:.2f}, "
        f"dense {r[t]['dense']['recall_at_1']:.2f}/{r[t]['dense']['recall_at_10']:.2f}, "
        f"hybrid {r[t]['hybrid']['recall_at_1']:.2f}/{r[t]['hybrid']['recall_at_10']:.2f}"
        for t in tasks
    )
    summary += f" ({args.queries} held-out queries, {args.corpus}-doc corpus per task)"
    cmd = f"python benchmarks/retrieval_quality.py --queries {args.queries} --corpus {args.corpus}"
    write_result(
        "retrieval_quality",
        {**result, "versions": versions("bm25s", "faiss-cpu", "sentence-transformers")},
        summary,
        cmd,
    )
    print(summary)


def _save_real_vectors(folder: Path, name: str) -> None:
    """Keep the real embeddings for benchmarks/retrieval_scale.py (it grows 1M vectors from them)."""
    from medllm.knowledge.dense import DenseIndex

    out = cache_dir() / "bench" / f"real_vectors_{name}.npy"
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, np.asarray(DenseIndex.open(folder / "dense").vectors(), dtype=np.float16))


if __name__ == "__main__":
    main()
