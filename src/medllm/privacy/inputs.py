"""What `run_deid` reads: the input files of a folder (and why others were skipped), and plain
text read in windows, so that a note of any size is de-identified in flat memory.

- A folder is walked in sorted order; skipped, and counted per reason (never named, as names
  may be PHI): other file types, hidden entries (a dotfile or dot-folder counts once), symlinks
  to folders (their target is walked in its own place, or is outside), symlinks that lead out
  of the input folder (never followed), broken symlinks, and special files (sockets, FIFOs).
  A symlink to a file inside the input folder is read like the file.
- Text is decoded as strict UTF-8 incrementally; bad bytes raise a DataError naming the line and
  the byte offset. It is cut into windows of about `window` characters, preferably just after a
  newline, else after a space; each window goes out with up to CONTEXT characters before and
  after it, so recognizers see the same neighbourhood as in the whole text.
"""

from __future__ import annotations

import codecs
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medllm.core import DataError

SUFFIXES = (".txt", ".md", ".jsonl", ".json")
CONTEXT = 2000  # characters each side of a window: far longer than any PHI value and its cues
SKIP_REASONS = {
    "other_type": "other file types",
    "hidden": "hidden (dot) entries",
    "folder_symlink": "symlinks to folders",
    "outside_symlink": "symlinks out of the input folder",
    "broken_symlink": "broken symlinks",
    "special": "special files",
}


def list_inputs(inp: Path, skipped: Counter[str] | None = None) -> list[tuple[Path, Path]]:
    """(source, relative output path) for every supported file under `inp`; what was left out
    is counted in `skipped` by reason (keys of SKIP_REASONS)."""
    if inp.is_file():
        return [(inp, Path(inp.name))]
    if not inp.is_dir():
        raise DataError("input not found", path=inp, fix="give a file or a folder")
    counts = skipped if skipped is not None else Counter()
    files = sorted(_walk(inp, inp.resolve(), counts))
    if not files:  # an empty OUT and "done 0 records" would look like a finished run
        n = sum(counts.values())
        raise DataError(
            "no file to de-identify in the input folder"
            + (f" ({n} entries skipped: other types, dot files or symlinks)" if n else ""),
            path=inp,
            fix="give a folder holding .txt, .md, .jsonl or FHIR .json files (docs/privacy.md)",
        )
    return [(p, p.relative_to(inp)) for p in files]


def _walk(folder: Path, root: Path, skipped: Counter[str]) -> Iterator[Path]:
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        reason = _skip_reason(entry, path, root)
        if reason:
            skipped[reason] += 1
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(path, root, skipped)
        else:
            yield path


def _skip_reason(entry: os.DirEntry[str], path: Path, root: Path) -> str | None:
    if entry.name.startswith("."):
        return "hidden"
    if entry.is_symlink():
        target = path.resolve()
        if not target.exists():
            return "broken_symlink"
        if target != root and root not in target.parents:
            return "outside_symlink"
        if target.is_dir():
            return "folder_symlink"
    elif entry.is_dir(follow_symlinks=False):
        return None
    if not entry.is_file():
        return "special"
    return None if path.suffix in SUFFIXES else "other_type"


@dataclass(frozen=True)
class Window:
    before: str  # context only: read, not written
    body: str  # the text this window writes
    after: str  # context only
    nbytes: int  # UTF-8 bytes of `body`, for progress


def text_windows(src: Path, window: int) -> Iterator[Window]:
    """`src` as consecutive windows whose bodies join to the whole text (at least one window,
    empty for an empty file)."""
    buf, before, first = "", "", True
    chunks = _decoded(src, max(window, 1 << 16))
    done = False
    while True:
        while not done and len(buf) < window + CONTEXT:
            piece = next(chunks, None)
            done = piece is None
            buf += piece or ""
        cut = len(buf) if done and len(buf) <= window else _cut(buf, window)
        body, buf = buf[:cut], buf[cut:]
        if body or first:
            yield Window(before, body, buf[:CONTEXT], len(body.encode("utf-8")))
        first = False
        before = (before + body)[-CONTEXT:]
        if done and not buf:
            return


def _cut(text: str, window: int) -> int:
    """Where a window ends: just after the last newline, else the last space, in its final
    CONTEXT characters (a PHI value rarely spans a line break), else at `window`."""
    low = max(1, window - CONTEXT)
    for sep in ("\n", " "):
        i = text.rfind(sep, low, window)
        if i >= 0:
            return i + 1
    return window


def _decoded(src: Path, size: int) -> Iterator[str]:
    """The file decoded as UTF-8, `size` bytes at a time; bad bytes: a DataError with the line
    and the byte offset (0-based, from the start of the file)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = lines = 0
    with src.open("rb") as f:
        while True:
            raw = f.read(size)
            pending = decoder.getstate()[0]
            try:
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as e:
                data = pending + raw
                at = offset - len(pending) + e.start
                line = lines + data[: e.start].count(b"\n") + 1
                raise DataError(
                    f"not UTF-8 text (byte offset {at})",
                    path=src,
                    line=line,
                    fix="convert it to UTF-8, e.g. iconv -f latin1 -t utf-8",
                ) from None
            if not raw:
                return
            offset += len(raw)
            lines += raw.count(b"\n")
            yield text
