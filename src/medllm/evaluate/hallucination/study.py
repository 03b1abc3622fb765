"""The S7 hallucination-mitigation study (`kind: hallucination`, `medllm study run`).

Computes the signals the chosen arms need (signals.py; each resumes per item), then scores every
arm from them: free-text groundedness at the operating point and the coverage / risk curve
(score.py), abstention on unanswerable and fake questions, the Med-HALT-style tests (mc.py), and
the claim checker against the hand-labelled claims. `only` runs some arms; an arm name that is not
an S7 arm is refused before anything runs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import MedllmError, Progress
from medllm.evaluate.hallucination.config import NEEDS, HallucinationConfig, unknown_arms
from medllm.evaluate.hallucination.signals import (
    Item,
    Row,
    claim_folder,
    done_rows,
    evidence_rows,
    fill,
    load_items,
    plain_rows,
    rag_rows,
    sample_rows,
)
from medllm.evaluate.trained_arms import set_threads


class Embed:
    """all-MiniLM-L6-v2 vectors, each text embedded once (source passages recur across claims)."""

    def __init__(self) -> None:
        self.seen: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        from medllm.knowledge import embed_texts

        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, embed_texts(new), strict=True))
        return np.stack([self.seen[t] for t in texts])


def make_checker() -> Any:
    """rag.check_answer with the embedder, results cached per (answer, sources)."""
    from medllm.rag import check_answer

    embed = Embed()
    done: dict[tuple[str, tuple[str, ...]], Any] = {}

    def check(text: str, sources: list[Any]) -> Any:
        key = (text, tuple(s.chunk_id for s in sources))
        if key not in done:
            done[key] = check_answer(text, sources, embed)
        return done[key]

    return check, embed


def select(cfg: HallucinationConfig, only: Sequence[str] | None) -> list[str]:
    if not only:
        return list(cfg.arms)
    if wrong := unknown_arms(list(only)):
        raise MedllmError(f"study {cfg.name}: {wrong}", fix=f"--only takes: {', '.join(cfg.arms)}")
    if missing := [a for a in only if a not in cfg.arms]:
        raise MedllmError(
            f"study {cfg.name}: arm {', '.join(missing)} is not in the config's arms",
            fix=f"--only takes: {', '.join(cfg.arms)}",
        )
    return [a for a in cfg.arms if a in only]


def _bar(progress: Progress | None, what: str) -> Any:
    return (lambda done, total: progress(f"S7: {what}", done, total)) if progress else None


def gather(
    cfg: HallucinationConfig, arms: list[str], out: Path, progress: Progress | None
) -> tuple[list[Item], dict[str, dict[str, Row]], list[Row], str]:
    """Every signal the arms need (computed where missing), the free-text items, the MC rows."""
    from medllm.evaluate.explain.target import hf_of
    from medllm.evaluate.hallucination.mc import mc_items, mc_rows
    from medllm.knowledge import default_folder, get_retriever
    from medllm.models import load_model

    items = load_items(cfg)
    retriever = get_retriever("auto", default_folder())
    needs = {n for a in arms for n in NEEDS[a]}
    sig = out / "signals"
    signals = {
        "evidence": fill(sig / "evidence.jsonl", items, partial(evidence_rows, cfg, retriever), 64)
    }
    with load_model(cfg.model) as loaded:
        hf = hf_of(loaded)
        b = cfg.batch_size
        if "plain" in needs:
            fn = partial(plain_rows, cfg, hf)
            signals["plain"] = fill(sig / "plain.jsonl", items, fn, b, _bar(progress, "plain"))
        if "samples" in needs:
            fn = partial(sample_rows, cfg, hf)
            per = max(1, b // cfg.samples)
            signals["samples"] = fill(
                sig / "samples.jsonl", items, fn, per, _bar(progress, "samples")
            )
        if "rag" in needs:
            fn = partial(rag_rows, cfg, hf, retriever)
            signals["rag"] = fill(sig / "rag.jsonl", items, fn, b, _bar(progress, "rag"))
        entries = mc_items(cfg)
        fn = partial(mc_rows, hf, retriever, cfg)
        mc = fill(sig / "medhalt.jsonl", entries, fn, 8, _bar(progress, "Med-HALT"))
        model_id = hf.id
    for name in {n for a in NEEDS.values() for n in a} - needs:  # arms of an earlier --only run
        if rows := done_rows(sig / f"{name}.jsonl"):
            signals[name] = rows
    return items, signals, [mc[e.id] for e in entries], model_id


def _complete(arm: str, items: list[Item], signals: dict[str, dict[str, Row]]) -> bool:
    return all(n in signals and all(i.id in signals[n] for i in items) for n in NEEDS[arm])


def checker_accuracy(cfg: HallucinationConfig, embed: Any) -> dict[str, Any]:
    """The claim checker against the hand-labelled claims (precision / recall of "supported")."""
    from medllm.core import read_jsonl
    from medllm.rag import Source, check_claim

    path = Path(cfg.claims_file)
    if not path.is_file():
        raise MedllmError(
            f"{path}: claims file not found", fix="set claims_file= to the labelled JSONL"
        )
    rows = [r for _, r in read_jsonl(path, required=("claim", "source", "supported"))]
    got = []
    for r in rows:
        src = Source(1, "labelled", "labelled", "", "", "", 0.0, r["source"])
        got.append(check_claim(r["claim"], [src], embed).supported)
    gold = [bool(r["supported"]) for r in rows]
    tp = sum(g and p for g, p in zip(gold, got, strict=True))
    fp = sum(p and not g for g, p in zip(gold, got, strict=True))
    fn = sum(g and not p for g, p in zip(gold, got, strict=True))
    tn = len(rows) - tp - fp - fn
    return {
        "file": str(path),
        "n": len(rows),
        "n_supported": sum(gold),
        "accuracy": (tp + tn) / len(rows) if rows else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "unsupported_recall": tn / (tn + fp) if tn + fp else 0.0,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def run_hallucination(
    cfg: HallucinationConfig, progress: Progress | None = None, only: Sequence[str] | None = None
) -> Path:
    """Compute what is missing, score the arms, write the report; returns report.md's path."""
    from medllm.evaluate.hallucination.mc import mc_metrics
    from medllm.evaluate.hallucination.report import write_report
    from medllm.evaluate.hallucination.score import arm_metrics

    arms = select(cfg, only)
    set_threads(cfg.threads)
    out = Path(cfg.output_dir) / cfg.name
    claim_folder(cfg, out)
    t0 = time.perf_counter()
    items, signals, mc, model_id = gather(cfg, arms, out, progress)
    check, embed = make_checker()
    results = []
    # the arms run now, and those an earlier run left every signal of (the report keeps them)
    for arm in [a for a in cfg.arms if a in arms or _complete(a, items, signals)]:
        row = arm_metrics(arm, cfg, items, signals, check)
        row["medhalt"] = {
            task: mc_metrics(arm, [r for r in mc if r["task"] == task], cfg.target_coverage)
            for task in cfg.medhalt_tasks
        }
        results.append(row)
    checker = checker_accuracy(cfg, embed)
    return write_report(cfg, out, results, checker, model_id, time.perf_counter() - t0)
