"""One thread for the CPU-bound checks around generation (triage, PHI scans, embeddings): run one
at a time, they take one core's worth beside the model's threads instead of several threads each
running the embedder at once (which on 2 cores starved decoding and grew the process by glibc
arenas: 0.4 → 1.8 GB RSS in a 60 s load run before this)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medllm-checks")


async def run_check(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_POOL, partial(fn, *args, **kwargs))
