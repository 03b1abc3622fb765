"""The runner: tasks × one model × one scoring mode → a result folder.

Resumable by construction: each finished item is appended (flushed and fsynced) to
`samples_<task>.jsonl` before the next batch starts, and model calls are cached on disk, so a run
killed at any point (SIGKILL included) continues where it stopped, with no item scored twice.
"""

from __future__ import annotations

import json
import platform
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medllm.core import (
    ConfigError,
    DataError,
    Progress,
    Question,
    append_jsonl,
    cache_dir,
    check_out_folder,
    validate,
    write_json,
)
from medllm.evaluate import metrics
from medllm.evaluate.cache import SCORING_VERSION, CallCache, model_fingerprint
from medllm.evaluate.config import EvalConfig
from medllm.evaluate.loaders.mmlu import slug
from medllm.evaluate.registry import modes
from medllm.evaluate.scoring import Scorer
from medllm.evaluate.spec import TaskSpec
from medllm.evaluate.tasks import get_spec, load_items
from medllm.models import Model

PACKAGES = (
    "medllm",
    "torch",
    "transformers",
    "llama-cpp-python",
    "numpy",
    "scipy",
    "sacrebleu",
    "rouge-score",
    "lm-eval",
)


def run_eval(
    model: Model | str | None = None,
    tasks: str | list[str] | None = None,
    cfg: EvalConfig | None = None,
    *,
    progress: Progress | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Evaluate `model` on `tasks`; returns the summary (`summary["results"][task][metric]`).

    Settings come from `cfg` (an `EvalConfig`), with any of its fields given as keywords on top
    (`run_eval("llamacpp:default", "mmlu_medical", mode="loglik", limit=50, out_dir="runs/a")`);
    `model` may also be a loaded `Model`. `out_dir` makes the run resumable and writes the result
    folder; `cache=False` skips the on-disk call cache (its key includes a digest of in-memory
    weights, so a model trained in this process never reads its former self's answers).
    """
    from medllm.models import load_model

    if isinstance(tasks, str):
        fields["tasks"] = [t.strip() for t in tasks.split(",") if t.strip()]
    elif tasks is not None:
        fields["tasks"] = list(tasks)
    if isinstance(model, str):
        fields["model"] = model
    # None never overrides (it is every optional field's default); paths are kept as text
    given = {k: str(v) if isinstance(v, Path) else v for k, v in fields.items() if v is not None}
    cfg = validate({**(cfg.model_dump() if cfg else {}), **given}, EvalConfig, origin="run_eval")
    if not cfg.tasks:
        raise ConfigError('field "tasks": no task to evaluate', fix="give --tasks NAME[,NAME]")
    if cfg.out_dir:
        check_out_folder(Path(cfg.out_dir))  # before any model is loaded or item scored
    if isinstance(model, Model):
        return _run(model, cfg, progress)
    with load_model(cfg.model) as m:
        return _run(m, cfg, progress)


@dataclass
class _Run:
    """One evaluation in progress: what every task of it shares."""

    model: Model
    cfg: EvalConfig
    cache: CallCache
    fingerprint: str
    out: Path | None
    progress: Progress | None
    summary: dict[str, Any] = field(default_factory=dict)


def _run(m: Model, cfg: EvalConfig, progress: Progress | None) -> dict[str, Any]:
    call_cache = CallCache(_cache_path(cfg.cache))
    out = Path(cfg.out_dir) if cfg.out_dir is not None else None
    try:
        fp = model_fingerprint(m) if call_cache.path is not None else str(m.id)
        run = {
            "model": m.id,
            "fingerprint": fp,
            "scoring_version": SCORING_VERSION,
            "mode": cfg.mode,
            "limit": cfg.limit,
            "seed": cfg.seed,
            "num_fewshot": cfg.num_fewshot,
            "k": cfg.k,
            "tasks": cfg.tasks,
            "overrides": cfg.overrides,
        }
        # every task's items are read before the folder is claimed: a bad or empty file stops the
        # run with nothing written, so the corrected command starts clean
        loaded = [_load_task(get_spec(name, cfg.overrides)) for name in cfg.tasks]
        if out is not None:
            _claim(out, run)
        state = _Run(m, cfg, call_cache, fp, out, progress, _empty_summary(m, run))
        t0 = time.perf_counter()
        for spec, items, pool in loaded:
            _run_task(state, spec, items, pool)
        if out is not None:
            write_json(out / "summary.json", state.summary)
            _write_run_info(out, run, time.perf_counter() - t0, call_cache)
        return state.summary
    finally:
        call_cache.close()


def _cache_path(cache: bool | str | Path | None) -> Path | None:
    if cache is True:
        return cache_dir() / "eval-cache.sqlite"
    if not cache:
        return None
    return Path(cache)


def _claim(out: Path, run: dict[str, Any]) -> None:
    """Refuse to mix two different runs in one folder (resume only the same run). A folder whose
    run stopped before it scored an item is taken over by the next run."""
    path = out / "run.json"
    if out.is_dir() and not path.is_file() and any(out.iterdir()):
        raise ConfigError(
            f"{out}: the folder is not empty and holds no eval run (run.json)",
            fix="give a new or empty --out folder",
        )
    out.mkdir(parents=True, exist_ok=True)
    if path.is_file():
        before = json.loads(path.read_text(encoding="utf-8")).get("run", {})
        if before == run:
            return
        if _scored_any(out):
            raise ConfigError(
                f"{out} holds another eval run ({_differences(before, run)})",
                fix="give another --out folder, or repeat that run's command to resume it",
            )
        _forget_samples(out)
    write_json(path, {"run": run})


def _scored_any(out: Path) -> bool:
    return (out / "summary.json").is_file() or any(
        p.stat().st_size > 0 for p in out.glob("samples_*.jsonl")
    )


def _forget_samples(out: Path) -> None:
    for p in out.glob("samples_*.jsonl"):  # empty files of the run that scored nothing
        p.unlink()


def _differences(before: dict[str, Any], run: dict[str, Any]) -> str:
    """`limit: 2 there, 1 here; mode: ...` for the fields in which two runs differ."""
    keys = [k for k in run if k != "fingerprint" and before.get(k) != run[k]]
    if not keys:
        return "the model's weights differ"
    return "; ".join(f"{k}: {before.get(k)} there, {run[k]} here" for k in keys)


def _write_run_info(out: Path, run: dict[str, Any], seconds: float, cache: CallCache) -> None:
    import importlib.metadata as md

    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            continue
    write_json(
        out / "run.json",
        {
            "run": run,
            "versions": versions,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "last_wall_s": round(seconds, 3),
            "cache_hits": cache.hits,
            "cache_misses": cache.misses,
        },
    )


def _empty_summary(m: Model, run: dict[str, Any]) -> dict[str, Any]:
    return {
        "results": {},
        "groups": {},
        "configs": {},
        "versions": {},
        "n-samples": {},
        "config": {
            "model": m.id,
            "backend": m.backend,
            **{k: v for k, v in run.items() if k != "fingerprint"},
        },
    }


def select(items: list[Question], limit: int | None, seed: int) -> list[Question]:
    """The first `limit` items of a seeded shuffle, kept in their original order."""
    if limit is None or limit >= len(items):
        return items
    keep = set(random.Random(seed).sample(range(len(items)), limit))
    return [q for i, q in enumerate(items) if i in keep]


def effective_mode(spec: TaskSpec, mode: str | None) -> str:
    chosen = mode or spec.mode
    modes.get(chosen)  # unknown → "did you mean"
    if spec.output == "generate" and chosen in (
        "loglik",
        "loglik_options",
        "fewshot",
        "cot",
        "self_consistency",
    ):
        return "generate"  # free-text tasks are generated whatever the multiple-choice mode
    return chosen


def _load_task(spec: TaskSpec) -> tuple[TaskSpec, list[Question], list[Question]]:
    """A task's spec, items and few-shot pool; a task with no item is refused, naming its file."""
    items, pool = load_items(spec)
    if not items:
        if spec.path:
            raise DataError(
                f"task {spec.name} found no item to score in this file",
                path=spec.path,
                fix="give a file that holds the task's items in its official format",
            )
        raise ConfigError(
            f"task {spec.name}: no item to score", fix="check the task's options and split"
        )
    return spec, items, pool


def _run_task(run: _Run, spec: TaskSpec, items: list[Question], pool: list[Question]) -> None:
    cfg = run.cfg
    chosen = select(items, cfg.limit, cfg.seed)
    eff = effective_mode(spec, cfg.mode)
    scorer = Scorer(
        run.model,
        spec,
        run.cache,
        run.fingerprint,
        pool=pool,
        seed=cfg.seed,
        num_fewshot=cfg.num_fewshot,
        k=cfg.k,
    )
    score = modes.get(eff)
    path = run.out / f"samples_{spec.name}.jsonl" if run.out is not None else None
    done = read_samples(path) if path is not None else {}
    rows = dict(done)
    # Longest prompts first (as lm-eval orders its requests): each batch then holds prompts of
    # similar length, so little padding is computed, and an out-of-memory shows at once.
    todo = sorted((q for q in chosen if q.id not in done), key=_prompt_size, reverse=True)
    tick = _ticker(run.progress, spec.name, len(chosen))
    tick(len(chosen) - len(todo))
    with path.open("a", encoding="utf-8") if path is not None else _Null() as f:
        for b in range(0, len(todo), cfg.batch_size):
            batch = todo[b : b + cfg.batch_size]
            for q, r in zip(batch, score(scorer, batch), strict=True):  # type: ignore[operator]
                row = {"id": q.id, "subject": q.subject, "target": q.answer, "mode": eff, **r}
                if path is not None:
                    append_jsonl(f, row)  # type: ignore[arg-type]
                rows[q.id] = row
            tick(len(chosen) - len(todo) + b + len(batch))
    ordered = [rows[q.id] for q in chosen]
    _summarise(spec, eff, ordered, chosen, len(items), cfg.seed, run.summary)


def _ticker(progress: Progress | None, name: str, total: int) -> Callable[[int], None]:
    return (lambda done: progress(name, done, total)) if progress else (lambda done: None)


def _prompt_size(q: Question) -> int:
    return len(q.question) + sum(map(len, q.choices)) + len(str(q.meta.get("context", "")))


class _Null:
    def __enter__(self) -> _Null:
        return self

    def __exit__(self, *a: object) -> None:
        return None


def read_samples(path: Path) -> dict[str, dict[str, Any]]:
    """Rows already written; a line torn by a kill mid-write is dropped (and rewritten later)."""
    if not path.is_file():
        return {}
    rows: dict[str, dict[str, Any]] = {}
    good = 0
    raw = path.read_bytes()
    for line in raw.splitlines(keepends=True):
        try:
            row = json.loads(line)
        except ValueError:
            break
        if not line.endswith(b"\n"):
            break
        if row["id"] in rows:
            raise DataError(f"item {row['id']} appears twice", path=path, field="id")
        rows[row["id"]] = row
        good += len(line)
    if good < len(raw):
        with path.open("r+b") as f:
            f.truncate(good)
    return rows


def _summarise(
    spec: TaskSpec,
    eff: str,
    rows: list[dict[str, Any]],
    items: list[Question],
    n_original: int,
    seed: int,
    summary: dict[str, Any],
) -> None:
    summary["configs"][spec.name] = {**spec.model_dump(), "effective_mode": eff}
    summary["versions"][spec.name] = spec.version
    summary["n-samples"][spec.name] = {"original": n_original, "effective": len(rows)}
    if not rows:
        summary["results"][spec.name] = {"n": 0}
        return
    if spec.output == "generate":
        summary["results"][spec.name] = {
            "alias": spec.name,
            "mode": eff,
            **metrics.text_metrics(rows, seed),
        }
        return
    n_choices = max(len(q.choices) for q in items)
    res = {"alias": spec.name, "mode": eff, **metrics.choice_metrics(rows, n_choices, seed)}
    if spec.group_by_subject:
        subjects = sorted({r["subject"] for r in rows})
        per = {
            s: metrics.choice_metrics([r for r in rows if r["subject"] == s], n_choices, seed)
            for s in subjects
        }
        for s, sub in per.items():
            summary["results"][f"{spec.name}_{slug(s)}"] = {"alias": f" - {s}", "mode": eff, **sub}
        res["acc_macro"] = sum(p["acc"] for p in per.values()) / len(per)
        summary["groups"][spec.name] = {
            "acc": res["acc"],
            "acc_macro": res["acc_macro"],
            "subtasks": [f"{spec.name}_{slug(s)}" for s in subjects],
        }
    summary["results"][spec.name] = res
