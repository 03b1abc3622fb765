"""Bad inputs across the CLI, as a new user would try them: does each end in one clear error?

Every case of the table (`bad_input_cases.py`) runs `python -m medllm ...` as a real subprocess in a
fresh temp folder holding the files the case sets up, with the embedded tiny model only. A case is
good when it exits with the expected code, its message (the first `error:` line, else click's usage
error, else the first line) matches the expected regex, and nothing is wrong besides:

- bad: a traceback; exit 0 on bad input; another exit code; an `error:` line without `(fix: ...)`;
  the message misses the file / field the regex asks for; a planted synthetic PHI value in stdout,
  stderr or the case's output files (names included); past the case's time or memory bound; a hang
  (killed at the per-case timeout).

Writes results/bad_inputs.json and results/bad_inputs.md (one row per case).

    python benchmarks/bad_inputs.py [--only AREA[,AREA]] [--jobs 1] [--ids ID,ID]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import RESULTS, cores, load_avg, load_note, machine
from bad_input_cases import CASES, ROOT, Case, Link

TRACEBACK = "Traceback (most recent call last)"
ERROR_LINE = re.compile(r"^\s*error:", re.IGNORECASE)
BOX_SIDE = re.compile(r"^[│|]\s?(.*?)\s*[│|]?$")


def setup(case: Case, tmp: Path) -> None:
    """Write the case's files (str: UTF-8 text, bytes: as they are, "DIR/": a folder, Link: a
    symlink), run its `pre` commands, then its `chmod`s."""
    for rel, content in case.files.items():
        path = tmp / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(sub(content.target, tmp))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(sub(content, tmp), "utf-8")
    for argv in case.pre:
        # a setup command past the timeout: the case itself then shows what it left
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                _command([sub(a, tmp) for a in argv]),
                cwd=tmp,
                env=_env(case),
                capture_output=True,
                timeout=case.timeout,
            )


def sub(text: str, tmp: Path) -> str:
    """{tmp} → the case's folder, {repo} → this checkout (plain replace: JSON braces stay)."""
    return text.replace("{tmp}", str(tmp)).replace("{repo}", str(ROOT))


def _command(argv: list[str]) -> list[str]:
    """`python -m medllm ARGV`, or `python ARGV[1:]` for a case that starts with "python"."""
    if argv and argv[0] == "python":
        return [sys.executable, *argv[1:]]
    return [sys.executable, "-m", "medllm", *argv]


def _env(case: Case) -> dict[str, str]:
    env = dict(os.environ)
    # this checkout's code, whatever is installed; wide lines so messages are not wrapped
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", **case.env})
    return env


def _default_sigint() -> None:
    """A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT:
    restore the default so that the SIGINT case gets a KeyboardInterrupt as at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_process(case: Case, tmp: Path) -> dict[str, Any]:
    """Run the case with stdout/stderr in files; wait4 gives its own peak RSS."""
    argv = _command([sub(a, tmp) for a in case.argv])
    out_f, err_f = (tmp.parent / f"{tmp.name}.{s}" for s in ("out", "err"))
    start = time.perf_counter()
    with out_f.open("wb") as so, err_f.open("wb") as se:
        proc = subprocess.Popen(
            argv,
            cwd=tmp,
            env=_env(case),
            stdout=so,
            stderr=se,
            stdin=subprocess.DEVNULL,
            preexec_fn=_default_sigint,
        )
        code, rss_kb, hung = None, 0, False
        interrupted = False
        while code is None:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            elapsed = time.perf_counter() - start
            if pid:
                code, rss_kb = os.waitstatus_to_exitcode(status), usage.ru_maxrss
                break
            if case.sigint_after and not interrupted and elapsed > case.sigint_after:
                proc.send_signal(signal.SIGINT)
                interrupted = True
            if elapsed > case.timeout:
                proc.kill()
                hung = True
            time.sleep(0.05)
        proc.returncode = code  # reaped by wait4: keep Popen from waiting again
    seconds = time.perf_counter() - start
    stdout = out_f.read_text("utf-8", errors="replace")
    stderr = err_f.read_text("utf-8", errors="replace")
    out_f.unlink()
    err_f.unlink()
    return {
        "code": code,
        "stdout": stdout,
        "stderr": stderr,
        "seconds": round(seconds, 2),
        "rss_mb": round(rss_kb / 1024, 1),
        "hung": hung,
    }


def message(stdout: str, stderr: str, code: int | None) -> str:
    """The line a user reads first: an `error:` line, else click's boxed usage error, else a
    traceback's last line, else (exit 0) the last line of stdout, else the first non-blank line."""
    for text in (stderr, stdout):
        for line in text.splitlines():
            if ERROR_LINE.match(line):
                return line.strip()
    for text in (stderr, stdout):
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.lstrip().startswith("╭─ Error"):
                body = []
                for inner in lines[i + 1 :]:
                    if inner.lstrip().startswith("╰"):
                        break
                    m = BOX_SIDE.match(inner.strip())
                    body.append((m.group(1) if m else inner).strip())
                return " ".join(b for b in body if b)
    for text in (stderr, stdout):
        if TRACEBACK in text:
            return "Traceback: " + _last_line(text.split(TRACEBACK)[-1])
    if code == 0 and stdout.strip():
        return _last_line(stdout)
    for text in (stderr, stdout):
        for line in text.splitlines():
            if line.strip():
                return line.strip()
    return ""


def _last_line(text: str) -> str:
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    return lines[-1] if lines else ""


def scanned_text(case: Case, tmp: Path, proc: dict[str, Any]) -> dict[str, str]:
    """Where a planted PHI value must not appear: stdout, stderr, and every file (name and
    bytes) under the case's `scan` paths."""
    where = {"stdout": proc["stdout"], "stderr": proc["stderr"]}
    for rel in case.scan:
        root = tmp / rel
        paths = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        for p in paths:
            name = str(p.relative_to(tmp))
            where[f"name {name}"] = name
            if p.is_file() and not p.is_symlink():
                where[name] = p.read_bytes().decode("utf-8", errors="replace")
    return where


def verdict(case: Case, tmp: Path, proc: dict[str, Any]) -> tuple[str, str, str]:
    """("good" | "bad", why, message)."""
    both = proc["stderr"] + "\n" + proc["stdout"]
    msg = message(proc["stdout"], proc["stderr"], proc["code"])
    problems: list[str] = []
    if proc["hung"]:
        problems.append(f"hang: killed after {case.timeout} s")
    if TRACEBACK in both:
        problems.append("traceback")
    if not proc["hung"] and proc["code"] != case.code:
        problems.append(
            "exit 0 on bad input" if proc["code"] == 0 else f"exit {proc['code']}, not {case.code}"
        )
    # a run that should succeed is judged on all it printed; an error on its message line
    if case.expect and not re.search(case.expect, both if case.code == 0 else msg, re.M):
        problems.append("message does not match")
    if ERROR_LINE.match(msg) and "(fix:" not in msg and case.code != 0:
        problems.append("no (fix: ...)")
    problems += [f"output lacks /{r}/" for r in case.need if not re.search(r, both, re.M)]
    problems += [f"output has /{r}/" for r in case.forbid if re.search(r, both, re.M)]
    if case.phi:
        texts = scanned_text(case, tmp, proc)
        leaks = sorted({w for w, t in texts.items() for v in case.phi if v.lower() in t.lower()})
        if leaks:
            problems.append("PHI leaked in " + ", ".join(leaks[:3]))
    if case.max_seconds and proc["seconds"] > case.max_seconds:
        problems.append(f"slow: {proc['seconds']} s > {case.max_seconds} s")
    if case.max_rss_mb and proc["rss_mb"] > case.max_rss_mb:
        problems.append(f"peak RSS {proc['rss_mb']} MB > {case.max_rss_mb} MB")
    if case.check is not None and (why := case.check(tmp)):
        problems.append(why)
    return ("bad" if problems else "good"), "; ".join(problems), msg


def run_case(case: Case) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"badin-{case.id}-") as d:
        tmp = Path(d) / "case"
        tmp.mkdir()
        setup(case, tmp)
        proc = run_process(case, tmp)
        good, why, msg = verdict(case, tmp, proc)
        _make_removable(tmp)
        tail = (proc["stderr"] + proc["stdout"])[-600:]
    return {
        "id": case.id,
        "area": case.area,
        "argv": case.argv,
        "issue": case.issue,
        "expected_code": case.code,
        "expected": case.expect,
        "code": proc["code"],
        "message": msg.replace(str(tmp), "$TMP").replace(d, "$TMP"),
        "seconds": proc["seconds"],
        "rss_mb": proc["rss_mb"],
        "verdict": good,
        "why": why,
        "output_tail": tail.replace(str(tmp), "$TMP").replace(d, "$TMP"),
    }


def _make_removable(tmp: Path) -> None:
    for p in [tmp, *tmp.rglob("*")]:
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o700)


def markdown(rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    lines = [
        "# Bad inputs across the CLI",
        "",
        f"`{summary['command']}` — {summary['good']} good, {summary['bad']} bad of "
        f"{summary['cases']} cases run (of {summary['planned']}), {summary['seconds']:.0f} s, "
        f"measured {summary['measured_at']}; {load_note(load_avg(), cores())}.",
        "",
        "| area | cases | good | bad |",
        "|---|---|---|---|",
    ]
    for area, c in summary["areas"].items():
        lines.append(f"| {area} | {c['cases']} | {c['good']} | {c['bad']} |")
    lines += ["", "| id | area | verdict | exit (expected) | s | first line | why bad |"]
    lines.append("|---|---|---|---|---|---|---|")
    for r in rows:
        first = r["message"][:160].replace("|", "\\|")
        lines.append(
            f"| {r['id']} | {r['area']} | {r['verdict']} | {r['code']} ({r['expected_code']}) "
            f"| {r['seconds']} | `{first}` | {r['why'].replace('|', '/')} |"
        )
    issue = [r for r in rows if r["issue"]]
    lines += ["", "## Cases listed in issue #24", ""]
    lines += [f"- `{r['id']}` ({r['verdict']}): {r['issue']}" for r in issue]
    return "\n".join(lines) + "\n"


def summarise(rows: list[dict[str, Any]], command: str, seconds: float) -> dict[str, Any]:
    areas: dict[str, Counter[str]] = {}
    for r in rows:
        areas.setdefault(r["area"], Counter())[r["verdict"]] += 1
    verdicts = Counter(r["verdict"] for r in rows)
    return {
        "command": command,
        "cases": len(rows),
        "good": verdicts["good"],
        "bad": verdicts["bad"],
        "seconds": round(seconds, 1),
        "areas": {
            a: {"cases": sum(c.values()), "good": c["good"], "bad": c["bad"]}
            for a, c in sorted(areas.items())
        },
        "bad_ids": [r["id"] for r in rows if r["verdict"] == "bad"],
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def select(only: str | None, ids: str | None) -> list[Case]:
    areas = {a.strip() for a in only.split(",")} if only else None
    wanted = {i.strip() for i in ids.split(",")} if ids else None
    known = {c.area for c in CASES}
    if areas and (unknown := areas - known):
        raise SystemExit(f"error: unknown area {sorted(unknown)} (fix: one of {sorted(known)})")
    return [
        c
        for c in CASES
        if (areas is None or c.area in areas) and (wanted is None or c.id in wanted)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated areas (e.g. deid_run,eval)")
    parser.add_argument("--ids", help="comma-separated case ids")
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once (CPU is shared)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the two results")
    parser.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        help="instead of running: join bad_inputs.json files of runs over disjoint cases into --out",
    )
    args = parser.parse_args()
    if args.merge:
        merge(args.merge, args.out)
        return
    cases = select(args.only, args.ids)
    command = "python benchmarks/bad_inputs.py" + "".join(
        f" --{k} {v}" for k, v in (("only", args.only), ("ids", args.ids)) if v
    )
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for row in pool.map(run_case, cases):
            rows.append(row)
            print(_line(row), flush=True)
            # rewritten after every case: a run stopped midway leaves what it measured
            summary = write(args.out, rows, len(cases), command, time.perf_counter() - start)
    print(
        f"{summary['good']} good, {summary['bad']} bad of {summary['cases']} cases "
        f"in {summary['seconds']:.0f} s -> {args.out / 'bad_inputs.md'}"
    )


def merge(paths: list[Path], out: Path) -> None:
    """One table from runs over parts of it (e.g. two --only runs at once), in table order."""
    parts = [json.loads(p.read_text()) for p in paths]
    by_id = {r["id"]: r for part in parts for r in part["rows"]}
    rows = [by_id[c.id] for c in CASES if c.id in by_id]
    commands = " + ".join(part["command"] for part in parts)
    write(out, rows, len(CASES), commands, max(part["seconds"] for part in parts))


def _line(row: dict[str, Any]) -> str:
    why = f"  <- {row['why']}" if row["why"] else ""
    return (
        f"{row['verdict']:4} {row['id']:40} {row['code']!s:>4} {row['seconds']:6.1f}s "
        f"{row['message'][:100]}{why}"
    )


def write(
    out: Path, rows: list[dict[str, Any]], planned: int, command: str, seconds: float
) -> dict[str, Any]:
    summary = {**summarise(rows, command, seconds), "planned": planned}
    out.mkdir(parents=True, exist_ok=True)
    result = {**summary, "machine": machine(), "rows": rows}
    (out / "bad_inputs.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "bad_inputs.md").write_text(markdown(rows, summary))
    return summary


if __name__ == "__main__":
    main()
