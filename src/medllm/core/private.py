"""Owner-only folders for anything that holds clinical text (knowledge bases, de-identified output).

One place sets the modes: `owner_only(folder)` runs its block under umask 077, so every file and
folder written there (by us, SQLite, bm25s or faiss) is created 0600 / 0700, then tightens what an
earlier run or an older version left group- or world-readable.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from medllm.core.errors import DataError

DIR_MODE = 0o700
FILE_MODE = 0o600


@contextmanager
def owner_only(folder: Path) -> Iterator[Path]:
    """Create `folder` and write into it owner-only; on exit every entry under it is owner-only.
    The umask is process-wide: meant for the CLI's one build or run at a time."""
    old = os.umask(0o077)
    try:
        _make_writable(folder)
        yield folder
    finally:
        os.umask(old)
        restrict(folder)


def _make_writable(folder: Path) -> None:
    """Create `folder` or say in one line why it cannot be written, before any work is done."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataError(
            "output folder is an existing file",
            path=folder,
            fix="give a folder path (new or existing), not a file",
        ) from None
    except NotADirectoryError:
        raise DataError(
            "output folder's parent is a file",
            path=folder,
            fix="give a folder path whose parents are folders",
        ) from None
    except OSError as e:
        raise DataError(
            f"output folder cannot be created ({e.strerror})",
            path=folder,
            fix="choose a folder you can write to",
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(
            "output folder is not writable", path=folder, fix="choose a folder you can write to"
        ) from None


def check_out_folder(folder: Path) -> None:
    """Say in one line why `folder` could not be created or written, and leave nothing behind: the
    folders it creates to find out are removed again (a run that then fails on bad input leaves
    the disk as it was). A probe, not os.access: root passes os.access where /sys refuses."""
    missing = []
    parent = folder
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    try:
        _make_writable(folder)
    finally:
        for created in missing:  # deepest first
            with contextlib.suppress(OSError):
                created.rmdir()


def restrict(folder: Path) -> None:
    """chmod 0700 / 0600 every folder / file under `folder` (and itself) that is not already so;
    symbolic links are left alone (their mode is not theirs)."""
    if not folder.is_dir():
        return
    _chmod(folder, DIR_MODE)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            _chmod(Path(root, name), DIR_MODE)
        for name in files:
            _chmod(Path(root, name), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    st = path.lstat()
    if not stat.S_ISLNK(st.st_mode) and stat.S_IMODE(st.st_mode) != mode:
        path.chmod(mode)


def check_out_apart(inp: Path, out: Path) -> None:
    """OUT may not overwrite IN, be IN's own folder, nor sit inside IN (a later run would read its
    own output): the check every IN → OUT runner (text and DICOM de-identification) makes first."""
    src, dst = inp.resolve(), out.resolve()
    overlaps = dst == src.parent if inp.is_file() else (dst == src or src in dst.parents)
    if overlaps:
        raise DataError(
            "output folder overlaps the input", path=out, fix="choose an OUT outside IN"
        )
