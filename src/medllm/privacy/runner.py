"""`run_deid(IN, OUT)`: de-identify text files, folders, JSONL and FHIR bundles, streaming.

- IN is a file or a folder (searched recursively for .txt, .md, .jsonl, .json); OUT is a folder
  that mirrors IN's tree, plus `deid_manifest.json` (counts only: no text, no ids, no names).
  Names are often a patient key ("smith_john_2024-03-14.txt"): every folder and file name becomes
  `doc-<12 hex>` and every JSONL record id `id-<16 hex>`, keyed with the run's key (see
  privacy/pseudonym.py), unless `keep_names` / `keep_ids`. OUT is owner-only (0700 / 0600).
- Streaming: records are read, sent to the workers in batches and written as they come back, so
  memory stays flat on large inputs; `workers > 1` uses that many processes. A text file goes in
  windows of `window_chars` (privacy/inputs.py), so one huge note streams too.
- Folders: files of other types, hidden entries and symlinks to folders or out of IN are skipped
  and counted per reason in the summary and manifest (privacy/inputs.py).
- One run per OUT: the manifest is written first with "complete": false and rewritten with true
  at the end; OUT that is not empty is refused unless `overwrite` (which clears an earlier run's
  OUT). An interrupted run (Ctrl-C) leaves "complete": false and raises DeidInterrupted (the CLI:
  "interrupted after N of M files", exit 130); resuming is not supported: rerun with overwrite.
- Atomic: each output file is written to a hidden temp file in OUT and renamed into place only
  when complete; temp files only ever hold de-identified text, and stale ones are removed.
- Fail-closed: a record that cannot be processed raises a DataError naming file, line and field
  (on_error="fail", the default: that output file is not written) or is left out and counted
  (on_error="skip"). No record is ever written in clear.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from medllm.core import (
    DataError,
    atomic_open,
    check_out_apart,
    decode_line,
    owner_only,
    parse_line,
    read_json,
    write_json,
)
from medllm.privacy.config import DeidConfig
from medllm.privacy.fhir import ATTACHMENT_DROPPED, check_bundle, patient_key
from medllm.privacy.inputs import SKIP_REASONS, list_inputs, text_windows
from medllm.privacy.pseudonym import patient_pseudonym, pseudonym, pseudonym_path, run_key

MANIFEST = "deid_manifest.json"


class DeidInterrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C) after `done` of `total` input files were written; OUT's
    manifest says "complete": false."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        super().__init__(f"interrupted after {done} of {total} files")


@dataclass(frozen=True)
class Job:
    """One unit of work: a record's fields to de-identify. `where` names it in errors."""

    kind: str  # "text" | "jsonl" | "fhir"
    payload: Any = field(repr=False)
    patient: str = field(repr=False)
    where: tuple[str, int | None]
    file_index: int = 0
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # copied to the output record
    nbytes: int = 0  # input bytes this job covers (progress, MB/s)
    part: int = 0  # window number within a text file; a record is counted at part 0


@dataclass(frozen=True)
class Result:
    job: Job = field(repr=False)
    output: Any = field(repr=False)
    counts: dict[str, int]
    error: str | None = None


@dataclass
class Summary:
    files: int = 0  # input files (all of them once the run is complete)
    records: int = 0
    skipped: int = 0
    attachments_dropped: int = 0  # FHIR attachments whose content was removed (images, binaries)
    phi: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    bytes: int = 0  # input bytes de-identified
    input_files: int = 0
    input_bytes: int = 0
    skipped_inputs: Counter[str] = field(default_factory=Counter)  # reason → entries not read
    complete: bool = False

    def manifest(self, cfg: DeidConfig) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "input": {"files": self.input_files, "bytes": self.input_bytes},
            "files": self.files,
            "records": self.records,
            "skipped_records": self.skipped,
            "skipped_inputs": {
                r: self.skipped_inputs[r] for r in SKIP_REASONS if self.skipped_inputs[r]
            },
            "attachments_dropped": self.attachments_dropped,
            "phi_spans": sum(self.phi.values()),
            "phi_by_type": dict(sorted(self.phi.items())),
            "transform": cfg.transform,
            "names": "kept" if cfg.keep_names else "pseudonymised",
            "ids": "kept" if cfg.keep_ids else "pseudonymised",
        }


def output_paths(inputs: list[tuple[Path, Path]], cfg: DeidConfig) -> list[Path]:
    """Where each input goes in OUT: its relative path, or (default) that path pseudonymised."""
    if cfg.keep_names:
        return [rel for _, rel in inputs]
    key = cfg.secret or ""
    targets = [pseudonym_path(key, rel) for _, rel in inputs]
    if len(set(targets)) < len(targets):  # 48-bit names: ~1 in 10^6 for a million files
        raise DataError(
            "two input names got the same pseudonym", fix="run again with another secret"
        )
    return targets


# worker side --------------------------------------------------------------------------------
_WORKER: Any = None


def _init_worker(cfg_json: str) -> None:
    global _WORKER
    from medllm.privacy.deid import Deidentifier

    _WORKER = Deidentifier(DeidConfig.model_validate_json(cfg_json))


def _init_pool_worker(cfg_json: str) -> None:
    """A pool worker leaves Ctrl-C to the parent, which stops the pool and reports how far the run
    got (otherwise every worker prints its own KeyboardInterrupt traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(cfg_json)


def _process(job: Job) -> Result:
    """De-identified output and PHI counts, or the error's type name (never its text)."""
    light = Job(job.kind, None, "", job.where, job.file_index, job.extra, job.nbytes, job.part)
    try:
        output, counts = _process_unsafe(job)
        json.dumps(output, ensure_ascii=False).encode("utf-8")  # unwritable output fails here
    except Exception as e:
        return Result(light, None, {}, type(e).__name__)
    return Result(light, output, counts)


def _process_unsafe(job: Job) -> tuple[Any, dict[str, int]]:
    deid = _WORKER
    if job.kind == "unreadable":
        raise DataError("unreadable record")
    if job.kind == "fhir":
        from medllm.privacy.fhir import FhirDeidentifier

        walker = FhirDeidentifier(deid, job.patient)
        return walker.bundle(job.payload), dict(walker.counts)
    if job.kind == "text":
        result = deid.window(*job.payload, patient=job.patient)
        return {"text": result.text}, dict(result.counts())
    counts: Counter[str] = Counter()
    out = {}
    for name, text in job.payload.items():
        result = deid(text, patient=job.patient)
        counts.update(result.counts())
        out[name] = result.text
    return out, dict(counts)


# reading ------------------------------------------------------------------------------------
def _all_jobs(inputs: list[tuple[Path, Path]], cfg: DeidConfig) -> Iterator[Job]:
    for i, (src, rel) in enumerate(inputs):
        for job in _jobs(src, rel, cfg):
            yield Job(
                job.kind, job.payload, job.patient, job.where, i, job.extra, job.nbytes, job.part
            )


def _jobs(src: Path, rel: Path, cfg: DeidConfig) -> Iterator[Job]:
    if src.suffix == ".jsonl":
        yield from _jsonl_jobs(src, cfg)
    elif src.suffix == ".json":
        yield _fhir_job(src)
    else:
        patient = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for part, w in enumerate(text_windows(src, cfg.window_chars)):
            payload = (w.before, w.body, w.after)
            yield Job("text", payload, patient, (str(src), None), nbytes=w.nbytes, part=part)


def _jsonl_jobs(src: Path, cfg: DeidConfig) -> Iterator[Job]:
    """A job per record; with on_error=skip a line that is not UTF-8, not JSON or lacks a text
    field becomes an "unreadable" job, skipped and counted like a record that failed."""
    with src.open("rb") as f:
        for lineno, raw in enumerate(f, start=1):
            try:
                line = decode_line(src, lineno, raw)
                if not line.strip():
                    continue
                job = _jsonl_job(parse_line(src, lineno, line), cfg, (str(src), lineno))
            except DataError:
                if cfg.on_error != "skip":
                    raise
                job = Job("unreadable", None, "", (str(src), lineno))
            yield Job(job.kind, job.payload, job.patient, job.where, 0, job.extra, len(raw))


def _jsonl_job(obj: dict[str, Any], cfg: DeidConfig, where: tuple[str, int]) -> Job:
    fields = {}
    for name in cfg.text_fields:
        value = obj.get(name)
        if not isinstance(value, str):
            problem = "missing" if name not in obj else f"not a string ({type(value).__name__})"
            raise DataError(
                problem,
                path=where[0],
                line=where[1],
                field=name,
                fix=f"every record needs string fields {cfg.text_fields}; choose them with --field",
            )
        fields[name] = value
    patient = str(obj.get(cfg.patient_field or "", "") or obj.get(cfg.id_field) or where[1])
    extra = {k: obj[k] for k in (cfg.id_field, *cfg.keep_fields) if k in obj}
    if cfg.patient_field and cfg.patient_field in obj:
        extra[cfg.patient_field] = patient
    return Job("jsonl", fields, patient, where, 0, extra)


def _fhir_job(src: Path) -> Job:
    bundle = read_json(src)  # not UTF-8, not JSON: a DataError naming the line
    check_bundle(bundle, src)  # malformed structure: a DataError naming the JSON path
    patient = patient_key(bundle) or src.stem
    return Job("fhir", bundle, patient, (str(src), None), nbytes=src.stat().st_size)


# running ------------------------------------------------------------------------------------
class _Writer:
    """One output file at a time, each written to a temp file and renamed when complete."""

    def __init__(self, out: Path, targets: list[Path], cfg: DeidConfig) -> None:
        self.out = out
        self.targets = targets
        self.cfg = cfg
        key = cfg.secret or ""
        self.pseudonym: Callable[[str], str] = lambda p: patient_pseudonym(key, p)
        self.index = -1
        self.ctx: Any = None
        self.f: IO[str] | None = None
        self.done: set[int] = set()

    def write(self, r: Result) -> None:
        if r.job.file_index != self.index:
            self.commit()
            self.index = r.job.file_index
            self.ctx = atomic_open(self.out / self.targets[self.index])
            self.f = self.ctx.__enter__()
        assert self.f is not None
        if r.job.kind == "jsonl":
            self.f.write(json.dumps(self._row(r), ensure_ascii=False) + "\n")
        elif r.job.kind == "fhir":
            self.f.write(json.dumps(r.output, indent=2, ensure_ascii=False) + "\n")
        else:
            self.f.write(r.output["text"])

    def _row(self, r: Result) -> dict[str, Any]:
        row = dict(r.job.extra)
        patient, ident = self.cfg.patient_field, self.cfg.id_field
        if patient and patient in row:
            row[patient] = self.pseudonym(str(row[patient]))
        if not self.cfg.keep_ids and ident in row and ident != patient:
            row[ident] = pseudonym(self.cfg.secret or "", str(row[ident]), "id")
        row.update(r.output)
        return row

    def commit(self) -> None:
        if self.ctx is not None:
            self.ctx.__exit__(None, None, None)
            self.done.add(self.index)
            self.ctx = self.f = None

    def abort(self, exc: BaseException) -> None:
        if self.ctx is not None:
            self.ctx.__exit__(type(exc), exc, exc.__traceback__)
            self.ctx = self.f = None

    def finish_empty(self) -> None:
        """Inputs that held no record (blank JSONL) still get their (empty) output."""
        for i, target in enumerate(self.targets):
            if i not in self.done:
                with atomic_open(self.out / target):
                    pass


def _remove_stale(out: Path) -> None:
    """Temp files a killed run left behind (they hold only de-identified text)."""
    for p in out.rglob(".*.tmp"):
        p.unlink(missing_ok=True)


def _with_secret(cfg: DeidConfig) -> DeidConfig:
    """One key for all workers of this run, so surrogates and pseudonyms agree across processes:
    the config's, else $MEDLLM_DEID_KEY, else a random one (never written)."""
    if cfg.secret:
        return cfg
    return cfg.model_copy(update={"secret": run_key()})


def _check_out(out: Path, inputs: list[tuple[Path, Path]], overwrite: bool) -> None:
    """One run per OUT: a non-empty OUT is refused (two runs would mix and the manifest would
    describe only the last) unless `overwrite`, which clears an earlier deid run's OUT."""
    if not out.is_dir():
        return  # missing (created later) or a file (owner_only says so)
    entries = [p for p in out.iterdir() if not (p.name.startswith(".") and p.name.endswith(".tmp"))]
    if not entries:
        return
    old = _read_manifest(out)
    if not overwrite:
        raise DataError("output folder is not empty", path=out, fix=_refusal_fix(old, inputs))
    if old is None:
        raise DataError(
            "output folder is not empty and holds no deid_manifest.json, so --overwrite would "
            "delete files no deid run wrote",
            path=out,
            fix="choose a new or empty output folder",
        )
    for p in entries:
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _refusal_fix(old: dict[str, Any] | None, inputs: list[tuple[Path, Path]]) -> str:
    """Says what OUT holds (an earlier complete run, an interrupted run of this same input by
    file count and size, or other files) and the two ways on: --overwrite or a new folder."""
    ways = "rerun with --overwrite to replace it, or choose a new output folder"
    if old is None:
        return "choose a new or empty output folder (it holds files no deid run wrote)"
    if old.get("complete") is not False:
        return f"it holds an earlier deid run; {ways}"
    done, total = old.get("files", 0), old.get("input", {}).get("files", "?")
    same = old.get("input") == {"files": len(inputs), "bytes": _size(inputs)}
    what = "this same input" if same else "another input"
    return (
        f"it holds an interrupted run of {what} ({done} of {total} files written); a run "
        f"cannot be resumed, {ways}"
    )


def _size(inputs: list[tuple[Path, Path]]) -> int:
    return sum(src.stat().st_size for src, _ in inputs)


def run_deid(
    inp: str | Path,
    out: str | Path,
    cfg: DeidConfig | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
) -> Summary:
    """De-identify `inp` (file or folder) into folder `out` (owner-only); returns counts (also in
    the manifest). `progress(done_bytes, total_bytes)` is called as results come back. A
    non-empty `out` is refused unless `overwrite`; Ctrl-C raises DeidInterrupted."""
    summary = Summary()
    try:
        return _deid(Path(inp), Path(out), cfg, progress, overwrite, summary)
    except DeidInterrupted:
        raise
    except KeyboardInterrupt:  # before the files were under way (reading, checking OUT)
        raise DeidInterrupted(0, summary.input_files) from None


def _deid(
    inp: Path,
    out: Path,
    cfg: DeidConfig | None,
    progress: Callable[[int, int], None] | None,
    overwrite: bool,
    summary: Summary,
) -> Summary:
    cfg = _with_secret(cfg or DeidConfig())
    cfg.recognizer_names()  # unknown recognizer names fail before any work
    check_out_apart(inp, out)
    inputs = list_inputs(inp, summary.skipped_inputs)
    summary.input_files, summary.input_bytes = len(inputs), _size(inputs)
    targets = output_paths(inputs, cfg)
    _check_out(out, inputs, overwrite)
    existed = out.exists()
    try:
        with owner_only(out):
            _remove_stale(out)
            write_json(out / MANIFEST, summary.manifest(cfg))  # "complete": false until the end
            writer = _Writer(out, targets, cfg)
            try:
                _run(inputs, writer, cfg, summary, progress)
            except KeyboardInterrupt:
                summary.files = len(writer.done)
                write_json(out / MANIFEST, summary.manifest(cfg))
                raise DeidInterrupted(len(writer.done), len(inputs)) from None
            summary.complete = True
            write_json(out / MANIFEST, summary.manifest(cfg))
    except DeidInterrupted:
        raise
    except BaseException:
        _clear(out, existed)  # a failed run leaves OUT as it found it: the fixed command runs
        raise
    return summary


def _clear(out: Path, existed: bool) -> None:
    """Remove what this run wrote into OUT (which _check_out found empty or cleared)."""
    if not out.is_dir():
        return
    if not existed:
        shutil.rmtree(out, ignore_errors=True)
        return
    for p in out.iterdir():
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() and not p.is_symlink() else p.unlink()


def _run(
    inputs: list[tuple[Path, Path]],
    writer: _Writer,
    cfg: DeidConfig,
    summary: Summary,
    progress: Callable[[int, int], None] | None,
) -> None:
    t0 = time.perf_counter()
    try:
        for r in _results(inputs, cfg):
            summary.bytes += r.job.nbytes
            if progress is not None:
                progress(summary.bytes, summary.input_bytes)
            if r.error is not None:
                if cfg.on_error == "fail":
                    raise DataError(
                        f"record could not be de-identified ({r.error}); nothing of this file was written",
                        path=r.job.where[0],
                        line=r.job.where[1],
                        fix="fix the record or use on_error=skip",
                    )
                summary.skipped += 1
                continue
            writer.write(r)
            summary.records += r.job.part == 0
            counts = dict(r.counts)
            summary.attachments_dropped += counts.pop(ATTACHMENT_DROPPED, 0)
            summary.phi.update(counts)
        writer.commit()
    except BaseException as e:
        writer.abort(e)
        summary.seconds = time.perf_counter() - t0
        raise
    writer.finish_empty()
    summary.files = len(inputs)
    summary.seconds = time.perf_counter() - t0


def _results(inputs: list[tuple[Path, Path]], cfg: DeidConfig) -> Iterator[Result]:
    jobs = _all_jobs(inputs, cfg)
    if cfg.workers == 1:
        _init_worker(cfg.model_dump_json())
        yield from map(_process, jobs)
        return
    ctx = mp.get_context("spawn")  # no fork: the parent may run threads (progress bars)
    init, args = _init_pool_worker, (cfg.model_dump_json(),)
    with ctx.Pool(cfg.workers, initializer=init, initargs=args) as pool:
        yield from pool.imap(_process, jobs, chunksize=8)
