"""One thread for the CPU-bound checks around generation (triage, PHI scans, embeddings): run one
at a time, they take one core's worth beside the model's threads instead of several threads each
running the embedder at once (which on 2 cores starved decoding and grew the process by glibc
arenas: 0.4 → 1.8 GB RSS in a 60 s load run before this).

When the model does not run on torch (llama.cpp, an upstream server), torch's own thread pool is
cut to one thread too (`pin_torch_to_one_thread`): its OpenMP workers otherwise spin on the cores
llama.cpp's threads decode on, and each triage cost the request about 0.5 s of decoding on the
small tier (benchmarks/serve_throughput.py: 1.40 s mean latency with, 0.94 s without the checks,
on 2 cores)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medllm-checks")


def pin_torch_to_one_thread() -> None:
    """One torch intra-op thread for the checks (the embedder), when nothing else in the process
    needs torch's threads; a no-op without torch installed."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


async def run_check(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_POOL, partial(fn, *args, **kwargs))
