"""JSONL reading with file:line errors, and atomic writing (nothing half-written survives a crash)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from medllm.core.errors import DataError


def read_jsonl(
    path: str | Path, *, required: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line; malformed lines raise DataError."""
    p = Path(path)
    if not p.is_file():
        raise DataError("file not found", path=p, fix="check the path")
    with p.open("rb") as f:
        for lineno, raw in enumerate(f, start=1):
            line = decode_line(p, lineno, raw)
            if not line.strip():
                continue
            obj = parse_line(p, lineno, line)
            for key in required:
                if key not in obj:
                    raise DataError(
                        f"missing (expected {{{', '.join(required)}}})",
                        path=p,
                        line=lineno,
                        field=key,
                        fix=f'give every record a "{key}" field (or name the field that holds '
                        "it, where the command has an option for it)",
                    )
            yield lineno, obj


def decode_line(path: str | Path, lineno: int, raw: bytes) -> str:
    """One line's bytes as UTF-8 text (a byte-order mark on line 1 is dropped), or a DataError that
    names the line and the byte where the encoding breaks."""
    try:
        return raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
    except UnicodeDecodeError as e:
        raise DataError(
            f"not UTF-8 text (byte {e.start + 1} of the line)",
            path=path,
            line=lineno,
            fix="save the file as UTF-8",
        ) from None


def parse_json(path: str | Path, text: str, *, line: int | None = None) -> Any:
    """`json.loads`, or a DataError naming the file and line: for a syntax error, and for what the
    json module raises past its limits (RecursionError on deep nesting, ValueError on an integer of
    more than 4,300 digits). `line`: the line `text` is (a JSONL record); else the error's line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        where = line if line is not None else e.lineno
        raise DataError(
            # the json module's "Invalid control character at" already ends in "at"
            f"invalid JSON ({e.msg.removesuffix(' at')} at column {e.colno})",
            path=path,
            line=where,
            fix="repair the JSON there",
        ) from None
    except RecursionError:
        problem, fix = "nested too deeply to read", "flatten the record (at most ~900 levels)"
    except ValueError:  # int() of a number past sys.get_int_max_str_digits()
        problem, fix = "a number too long to read", "write long numbers as strings"
    raise DataError(f"invalid JSON ({problem})", path=path, line=line, fix=fix)


def read_json(path: str | Path) -> Any:
    """A JSON file (UTF-8, a byte-order mark allowed), or a DataError naming the file and line."""
    p = Path(path)
    if not p.is_file():
        raise DataError("file not found", path=p, fix="check the path")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError("not UTF-8 text", path=p, line=line, fix="save the file as UTF-8") from None
    return parse_json(p, text)


def parse_line(path: str | Path, lineno: int, line: str) -> dict[str, Any]:
    """One JSONL line → object, or a DataError naming file and line (for readers that skip bad
    lines and go on, as well as for `read_jsonl`)."""
    obj = parse_json(path, line, line=lineno)
    if not isinstance(obj, dict):
        raise DataError(
            f"expected a JSON object, got {type(obj).__name__}",
            path=path,
            line=lineno,
            fix='write one {"field": value, ...} object per line',
        )
    return obj


def check_out_file(path: str | Path) -> Path:
    """`path` can be written as a file (its folder is created), or a DataError in one line; the CLI
    calls it before any work."""
    fd, probe = _temp_beside(Path(path))
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
    return Path(path)


def _temp_beside(p: Path) -> tuple[int, str]:
    """A temp file in `p`'s folder (created), or a DataError saying why `p` cannot be written."""
    if p.is_dir():
        raise DataError(
            "output file is an existing folder", path=p, fix="give a file path, e.g. out.json"
        )
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    except OSError as e:
        raise DataError(
            f"output file cannot be written ({e.strerror})",
            path=p,
            fix="choose a path in a folder you can write to",
        ) from None


@contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temp file beside `path` and rename it into place only if the block succeeds."""
    p = Path(path)
    fd, tmp = _temp_beside(p)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path) as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_json(path: str | Path, obj: Any) -> None:
    with atomic_open(path) as f:
        json.dump(obj, f, indent=2, ensure_ascii=False, default=str)
        f.write("\n")


def append_jsonl(f: IO[str], row: dict[str, Any]) -> None:
    """Append one row and flush+fsync so a SIGKILL never leaves a torn line behind."""
    f.write(json.dumps(row, ensure_ascii=False) + "\n")
    f.flush()
    os.fsync(f.fileno())
