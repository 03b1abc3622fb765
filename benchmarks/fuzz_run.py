"""The fuzz run: every parser's property tests (tests/fuzz/test_fuzz_<parser>.py) under the `slow`
Hypothesis profile (10,000 cases per test), one pytest process per parser; cases run and failures
per parser, with wall and CPU time, into results/fuzz.json (parsers run earlier are kept).

    nice -n 10 python benchmarks/fuzz_run.py                       # every parser, 10,000 cases a test
    python benchmarks/fuzz_run.py --parsers jsonl,pubmed --profile default
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

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, cores, load_avg, load_note, versions, write_result

ROOT = Path(__file__).parents[1]
FUZZ = ROOT / "tests" / "fuzz"


def parsers() -> list[str]:
    return sorted(p.stem.removeprefix("test_fuzz_") for p in FUZZ.glob("test_fuzz_*.py"))


def run_parser(name: str, profile: str) -> dict[str, Any]:
    """One parser's tests in their own pytest process: the rows its fuzz fixture reported."""
    marker = "slow" if profile == "slow" else "not slow"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "fuzz.jsonl"
        env = {**os.environ, "MEDLLM_FUZZ_REPORT": str(report), "MEDLLM_FUZZ": profile}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", marker]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            [*cmd, str(FUZZ / f"test_fuzz_{name}.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = (
            [json.loads(line) for line in report.read_text().splitlines()]
            if report.exists()
            else []
        )
    failed = [r["test"] for r in rows if r["outcome"] != "passed"]
    return {
        "tests": len(rows),
        "cases": sum(r["cases"] for r in rows),
        "cases_per_test": {r["test"].split("::")[1]: r["cases"] for r in rows},
        "failures": len(failed) + (0 if rows or done.returncode == 0 else 1),
        "failed_tests": failed,
        "pytest_exit": done.returncode,
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "last_line": (done.stdout.strip().splitlines() or [""])[-1],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--parsers", default="", help="comma-separated (default: every tests/fuzz module)"
    )
    ap.add_argument("--profile", choices=["slow", "default"], default="slow")
    args = ap.parse_args()
    names = [n for n in args.parsers.split(",") if n] or parsers()
    path = RESULTS / "fuzz.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    results: dict[str, Any] = old.get("parsers", {}) if old.get("profile") == args.profile else {}
    for name in names:
        print(f"== {name}", flush=True)
        results[name] = {**run_parser(name, args.profile), "load_average": load_avg()}
        print(json.dumps(results[name]), flush=True)
        total = sum(r["cases"] for r in results.values())
        fails = sum(r["failures"] for r in results.values())
        write_result(
            "fuzz",
            {
                "profile": args.profile,
                "parsers": results,
                "total_cases": total,
                "total_failures": fails,
                "note": load_note(load_avg(), cores()),
                "versions": versions("hypothesis"),
            },
            f"{total:,} fuzz cases over {len(results)} parsers ({args.profile} profile), {fails} failing",
            "nice -n 10 python benchmarks/fuzz_run.py"
            + (f" --profile {args.profile}" if args.profile != "slow" else ""),
        )


if __name__ == "__main__":
    main()
