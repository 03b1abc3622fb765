"""Where `medllm deid` spends its time: ms per note of each default recognizer, of the merge
(whole-word widening + overlap resolution) and of the fail-safe (`balanced`), and of the whole
`Analyzer.analyze`, over the dev half of the independent set (`tests/fixtures/deid_independent/dev`;
never the held-out test half) and 300 generator notes (seed 2024).

With `--compare REF` the same profile is also taken of the code at git REF (its `src/` exported to
a temporary folder): the two run in alternating subprocesses, round by round on the same notes, so
that load from other processes hits both alike; the ratio after/before is what compares.

    python benchmarks/deid_profile.py --compare main --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
DEV = ROOT / "tests" / "fixtures" / "deid_independent" / "dev"
SEED = 2024


def _notes(n_synthetic: int) -> list[str]:
    from medllm.privacy.gold.i2b2 import read_i2b2_xml
    from medllm.privacy.gold.synthetic import generate_notes

    dev = [read_i2b2_xml(p).text for p in sorted(DEV.glob("*.xml"))]
    return dev + [n.text for n in generate_notes(n_synthetic, seed=SEED)]


def _ms_per_note(fn: Any, args: list[tuple[Any, ...]]) -> float:
    start = time.perf_counter()
    for a in args:
        fn(*a)
    return (time.perf_counter() - start) * 1000 / len(args)


def profile_once(n_synthetic: int) -> dict[str, float]:
    """One pass of each part over all notes (after a warm-up pass): part → ms per note."""
    from medllm.privacy import detect

    notes = _notes(n_synthetic)
    analyzer = detect.build_analyzer()
    for text in notes:  # warm-up: lexicons, vocabularies, lazy imports, caches
        analyzer.analyze(text)
    out: dict[str, float] = {}
    found: list[list[Any]] = [[] for _ in notes]
    for rec in analyzer.recognizers:
        out[rec.name] = _ms_per_note(rec.analyze, [(t,) for t in notes])
        for i, text in enumerate(notes):
            found[i].extend(rec.analyze(text))
    merge = [(t, f) for t, f in zip(notes, found, strict=True)]
    out["merge"] = _ms_per_note(
        lambda t, f: detect.resolve_overlaps(detect._whole_words(t, f)), merge
    )
    merged = [(t, detect.resolve_overlaps(detect._whole_words(t, f))) for t, f in merge]
    out["fail_safe"] = _ms_per_note(analyzer.fail_safe.spans, merged)
    out["total"] = _ms_per_note(analyzer.analyze, [(t,) for t in notes])
    return out


def _worker(src: Path, n_synthetic: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, __file__, "--worker", "--n", str(n_synthetic)]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(done.stdout.splitlines()[-1]))


def _export(ref: str, folder: Path) -> Path:
    """`src/` as it is at git `ref`, written under `folder`."""
    archive = folder / "src.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True, stdout=f)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def _summary(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Median over rounds, part by part (ms per note)."""
    return {k: round(statistics.median(r[k] for r in rounds), 4) for k in rounds[0]}


def run(compare: str | None, n_rounds: int, n_synthetic: int) -> dict[str, Any]:
    arms = {"after": ROOT / "src"}
    with tempfile.TemporaryDirectory() as tmp:
        if compare:
            arms = {"before": _export(compare, Path(tmp)), **arms}
        got: dict[str, list[dict[str, float]]] = {a: [] for a in arms}
        loads = [os.getloadavg()[0]]
        for _ in range(n_rounds):
            for arm, src in arms.items():
                got[arm].append(_worker(src, n_synthetic))
            loads.append(os.getloadavg()[0])
    ms = {arm: _summary(rounds) for arm, rounds in got.items()}
    result: dict[str, Any] = {"ms_per_note": ms, "rounds": got, "load_avg_1min": loads}
    if compare:
        before, after = ms["before"], ms["after"]
        result["compare_ref"] = compare
        result["ratio_after_before"] = {k: round(after[k] / before[k], 3) for k in after}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", help="git ref to profile too, back to back (e.g. main)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per arm")
    ap.add_argument("--n", type=int, default=300, help="generator notes (seed 2024)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "deid_profile.json")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(profile_once(args.n)))
        return 0
    result = run(args.compare, args.rounds, args.n)
    n_dev = len(list(DEV.glob("*.xml")))
    result.update(
        {"notes": {"dev": n_dev, "generator": args.n, "seed": SEED}, "cores": os.cpu_count()}
    )
    result["command"] = "python benchmarks/deid_profile.py " + " ".join(argv or sys.argv[1:])
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for arm, ms in result["ms_per_note"].items():
        top = sorted(((v, k) for k, v in ms.items() if k != "total"), reverse=True)
        print(arm, f"total {ms['total']:.2f} ms/note;", ", ".join(f"{k} {v:.2f}" for v, k in top))
    if compare := result.get("ratio_after_before"):
        print("after/before:", ", ".join(f"{k} {v:.2f}" for k, v in compare.items()))
    print("load (1 min):", result["load_avg_1min"], "→", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
