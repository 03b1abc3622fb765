"""One large note through `medllm deid run`: wall time, MB/s, CPU time and peak RSS, and whether
every planted PHI value is gone from the output.

    nice -n 10 .venv/bin/python benchmarks/deid_large_note.py [--mb 20] [--label after]
    nice -n 10 .venv/bin/python benchmarks/deid_large_note.py --label before --src OLD/src

The note is seeded synthetic clinical text: `--base` generated notes (privacy/gold/synthetic.py,
PHI planted at known offsets) joined and repeated until it reaches `--mb` megabytes, as one
.txt file. `medllm deid run NOTE OUT` (default transform redact, 1 worker) runs as a subprocess
with `PYTHONPATH=--src`, so code from another checkout (`--src`) can be measured the same way.
Peak RSS is `ru_maxrss` of the waited-for child (this script starts no other child); CPU time
is the child's user + sys seconds, which other jobs on a shared machine disturb less than wall
time. Each label's figures replace that label's entry in results/deid_large_note.json, so a
"before" and an "after" run sit side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, cores, load_avg, load_note, write_result

ROOT = Path(__file__).parents[1]
NAME = "deid_large_note"


def make_note(mb: float, base: int, seed: int) -> tuple[str, list[str], str, int]:
    """(note, planted PHI values, the repeated unit's non-PHI text, repeats): `base` generated
    notes joined by a blank line, repeated to `mb` MB (UTF-8 bytes)."""
    from medllm.privacy.gold.synthetic import generate_notes

    notes = generate_notes(base, seed)
    unit = "\n\n".join(n.text for n in notes) + "\n\n"
    context = unit
    values: set[str] = set()
    offset = 0
    for n in notes:
        for s in n.spans:
            values.add(n.text[s.start : s.end])
            a, b = offset + s.start, offset + s.end
            context = context[:a] + "\0" * (b - a) + context[b:]
        offset += len(n.text) + 2
    reps = max(1, round(mb * 1e6 / len(unit.encode("utf-8"))))
    return unit * reps, sorted(values), context, reps


def leaked(output: str, values: list[str], context: str, reps: int) -> list[str]:
    """Planted values found more often in the output than in the note's non-PHI text (so the
    state "CT" in "CT of the abdomen" is no leak). A one-word value counts as a whole word
    ("MA" is not in "[EMAIL]"), a longer one as a substring. Never printed, only counted."""
    words, context_words = Counter(re.findall(r"\w+", output)), Counter(re.findall(r"\w+", context))

    def found(v: str, text: str, counts: Counter[str]) -> int:
        return counts[v] if re.fullmatch(r"\w+", v) else text.count(v)

    return [v for v in values if found(v, output, words) > found(v, context, context_words) * reps]


def run_once(src: Path, note: Path, out: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "medllm", "deid", "run", str(note), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "exit_code": proc.returncode,
        "wall_s": round(wall, 2),
        "cpu_user_sys_s": round(cpu, 2),
        "peak_rss_mb": round(after.ru_maxrss / 1024, 1),  # Linux: kB
        "summary": " ".join(proc.stdout.split("manifest:")[0].split()),
        "stderr_tail": proc.stderr.strip().splitlines()[-1:] if proc.returncode else [],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0, help="note size in MB")
    ap.add_argument("--base", type=int, default=200, help="generated notes in the repeated unit")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--label", default="after", help="this run's key in the results (before/after)")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the medllm source to run")
    args = ap.parse_args()

    text, values, context, reps = make_note(args.mb, args.base, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        # first a 1-line note: the process's fixed RSS (imports, lexicons). ru_maxrss is the
        # largest child so far, so the small run goes first.
        (Path(tmp) / "small.txt").write_text(text[:1000], encoding="utf-8")
        small = run_once(args.src.resolve(), Path(tmp) / "small.txt", Path(tmp) / "small_out")
        note = Path(tmp) / "note.txt"
        note.write_text(text, encoding="utf-8")
        size_mb = note.stat().st_size / 1e6
        out = Path(tmp) / "out"
        fig = run_once(args.src.resolve(), note, out)
        outputs = [p for p in out.rglob("*") if p.is_file() and p.name != "deid_manifest.json"]
        output = "".join(p.read_text(encoding="utf-8") for p in outputs)
    bad = leaked(output, values, context, reps)
    fig.update(
        {
            "note_mb": round(size_mb, 2),
            "mb_per_s": round(size_mb / fig["wall_s"], 3),
            "mb_per_cpu_s": round(size_mb / fig["cpu_user_sys_s"], 3),
            "rss_over_input": round(fig["peak_rss_mb"] / size_mb, 1),
            "peak_rss_mb_1kb_note": small["peak_rss_mb"],
            "wall_s_1kb_note": small["wall_s"],
            "planted_values": len(values),
            "planted_values_left": len(bad),
            "src": str(args.src),
            "nice": os.nice(0),
            "load": load_note(load_avg(), cores()),
        }
    )
    print(json.dumps({args.label: fig}, indent=2))
    path = RESULTS / f"{NAME}.json"
    runs = json.loads(path.read_text()).get("runs", {}) if path.exists() else {}
    runs[args.label] = fig
    summary = "; ".join(
        f"{label}: {r['note_mb']} MB note {r['mb_per_s']} MB/s wall, {r['cpu_user_sys_s']} CPU s, "
        f"peak RSS {r['peak_rss_mb']} MB, {r['planted_values_left']}/{r['planted_values']} "
        "planted values left"
        for label, r in sorted(runs.items(), key=lambda kv: kv[0] != "before")
    )
    cmd = (
        f"nice -n 10 python benchmarks/deid_large_note.py --mb {args.mb:g} --label before "
        "--src OLD/src; then the same with --label after"
    )
    write_result(NAME, {"runs": runs, "seed": args.seed, "base_notes": args.base}, summary, cmd)


if __name__ == "__main__":
    main()
