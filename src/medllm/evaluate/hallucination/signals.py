"""What the S7 arms are computed from, one row per item on disk (`<out>/signals/<name>.jsonl`,
appended and fsynced as each batch is done, so a rerun resumes):

- `evidence`: the top `evidence` retrieved sources of the question, which every arm's claims are
  checked against (the same for every arm);
- `plain`: the model's greedy answer alone, with its mean token entropy and log-prob margin;
- `samples`: `samples` answers sampled at `temperature` (self-consistency);
- `rag`: the greedy answer over the top `sources` sources (the rag arm shows it as it is) and what
  `rag.answer`'s gates make of it (the rag_abstention arm);
- `medhalt`: per Med-HALT item, each option's log-likelihood without and with sources.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medllm.core import ChatMessage, MedllmError, append_jsonl, read_jsonl
from medllm.evaluate.hallucination.config import HallucinationConfig
from medllm.evaluate.hallucination.generate import generate
from medllm.evaluate.trained_arms import claim, previous_settings
from medllm.models import HFModel
from medllm.rag import RagSettings, Source, decide, prepare

SYSTEM = (
    "You are a careful medical assistant. Answer in one or two short factual sentences. "
    "If you do not know, say that you do not know."
)
Row = dict[str, Any]


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    group: str  # "answerable" | "unanswerable" | "fake"
    keys: tuple[str, ...] = ()


def _read(path: str, what: str) -> list[Row]:
    p = Path(path)
    if not p.is_file():
        raise MedllmError(f"{path}: {what} file not found", fix=f"set {what}= to an existing JSONL")
    return [r for _, r in read_jsonl(p)]


def _sample(rows: list[Row], n: int, seed: int) -> list[Row]:
    if n >= len(rows):
        return rows
    keep = sorted(random.Random(seed).sample(range(len(rows)), n))
    return [rows[i] for i in keep]


def load_items(cfg: HallucinationConfig) -> list[Item]:
    """The free-text items: answerable, unanswerable (questions' half), then fake questions."""
    rows = [r for r in _read(cfg.questions, "questions") if r.get("half") == cfg.half]
    for i, r in enumerate(rows):
        if not {"id", "question", "answerable"} <= set(r):
            raise MedllmError(
                f"{cfg.questions}: row {i + 1} of half {cfg.half} lacks id, question or answerable",
                fix='each row needs {"id", "half", "question", "answerable", "keys"}',
            )
    ok = [r for r in rows if r["answerable"] and r.get("kind") != "injection"]
    no = [r for r in rows if not r["answerable"] and r.get("kind") == "unanswerable"]
    items = [
        Item(r["id"], r["question"], "answerable", tuple(r.get("keys", ())))
        for r in _sample(ok, cfg.n_answerable, cfg.seed)
    ]
    items += [
        Item(r["id"], r["question"], "unanswerable")
        for r in _sample(no, cfg.n_unanswerable, cfg.seed)
    ]
    if cfg.fake_questions:
        items += [
            Item(r["id"], r["question"], "fake")
            for r in _read(cfg.fake_questions, "fake_questions")
        ]
    if not any(i.group == "answerable" for i in items):
        raise MedllmError(
            f"{cfg.questions}: no answerable question in half {cfg.half}",
            fix="give a questions file with answerable rows in that half",
        )
    return items


def done_rows(path: Path) -> dict[str, Row]:
    return {r["id"]: r for _, r in read_jsonl(path)} if path.is_file() else {}


def fill(
    path: Path,
    items: list[Any],
    compute: Callable[[list[Any]], Iterable[Row]],
    batch: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Row]:
    """Rows of every item, computing (in batches) those not on disk yet."""
    have = done_rows(path)
    todo = [i for i in items if i.id not in have]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        for b in range(0, len(todo), batch):
            for row in compute(todo[b : b + batch]):
                append_jsonl(f, row)
                have[row["id"]] = row
            if progress:
                progress(len(items) - len(todo) + min(b + batch, len(todo)), len(items))
    return have


def source_row(s: Source) -> Row:
    return {"n": s.n, "id": s.chunk_id, "title": s.title, "text": s.text}


def sources_of(row: list[Row]) -> list[Source]:
    return [Source(s["n"], s["id"], s["id"], s["title"], "", "", 0.0, s["text"]) for s in row]


def _open(k: int) -> RagSettings:
    # no gate: the sources are gathered and the prompt built for every question
    return RagSettings(k=k, scope=False, min_relevance=0.0)


def evidence_rows(cfg: HallucinationConfig, retriever: Any, items: list[Item]) -> list[Row]:
    st = _open(cfg.evidence)
    preps = [prepare(i.question, "evidence", retriever, st) for i in items]
    return [
        {"id": i.id, "sources": [source_row(s) for s in p.base.sources]}
        for i, p in zip(items, preps, strict=True)
    ]


def plain_rows(cfg: HallucinationConfig, hf: HFModel, items: list[Item]) -> list[Row]:
    chats = [[ChatMessage("system", SYSTEM), ChatMessage("user", i.question)] for i in items]
    gens = generate(hf, chats, cfg.max_tokens, batch_size=cfg.batch_size)
    return [
        {"id": i.id, "text": g[0].text, "entropy": g[0].entropy, "margin": g[0].margin}
        for i, g in zip(items, gens, strict=True)
    ]


def sample_rows(cfg: HallucinationConfig, hf: HFModel, items: list[Item]) -> list[Row]:
    chats = [[ChatMessage("system", SYSTEM), ChatMessage("user", i.question)] for i in items]
    seed = cfg.seed + sum(ord(c) for c in items[0].id)  # per batch, stable across resumes
    gens = generate(
        hf,
        chats,
        cfg.max_tokens,
        temperature=cfg.temperature,
        k=cfg.samples,
        seed=seed,
        batch_size=cfg.batch_size,
    )
    return [{"id": i.id, "texts": [x.text for x in g]} for i, g in zip(items, gens, strict=True)]


def rag_rows(cfg: HallucinationConfig, hf: HFModel, retriever: Any, items: list[Item]) -> list[Row]:
    gated = RagSettings(k=cfg.sources, max_tokens=cfg.max_tokens)
    preps = [prepare(i.question, hf.id, retriever, _open(cfg.sources)) for i in items]
    gens = generate(hf, [p.chat for p in preps], cfg.max_tokens, batch_size=cfg.batch_size)
    rows = []
    for i, p, g in zip(items, preps, gens, strict=True):
        shown = decide(prepare(i.question, hf.id, retriever, gated), g[0].text, gated)
        rows.append(
            {
                "id": i.id,
                "text": g[0].text,
                "entropy": g[0].entropy,
                "margin": g[0].margin,
                "relevance": p.base.relevance,
                "abstained": shown.abstained,
                "reason": shown.reason,
                "shown": "" if shown.abstained else shown.text,
                "support": shown.support,
            }
        )
    return rows


def settings_record(cfg: HallucinationConfig) -> dict[str, Any]:
    """What decides the rows: rows made with other values are refused, not mixed."""
    keep = ("model", "seed", "samples", "temperature", "max_tokens", "sources", "evidence")
    return {k: getattr(cfg, k) for k in keep} | {"batch_size": cfg.batch_size}


def claim_folder(cfg: HallucinationConfig, out: Path) -> None:
    """Refuse a folder whose signals were made with other settings, else record these
    (the folder claim the trained-arm studies use)."""
    out.mkdir(parents=True, exist_ok=True)
    now = settings_record(cfg)
    before = previous_settings(out)
    claim(out, now, [k for k in now if before.get(k) != now[k]] if before is not None else [])
