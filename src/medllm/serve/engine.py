"""The model behind the server: a pool of model instances, a bounded queue in front of it, and
generation in worker threads that a disconnecting client or the request timeout cancels.

One llama.cpp context generates for one request at a time, so each worker owns one loaded model
(`workers` in the config). A request waits for a free worker; when `max_queue` requests already
wait, it is refused at once (`Busy` → 503 with Retry-After) instead of piling up. Generation runs
in a thread so the event loop keeps serving; between text pieces the thread checks a cancel flag,
and closing the backend's stream generator stops llama.cpp's decoding.

Each worker's model always runs on the same thread (one single-thread executor per worker), not
on whichever thread of a shared pool is free: llama.cpp's OpenMP build starts a team of compute
threads for each thread that calls it, and a team left idle spins on the cores the next one
decodes on. With the shared pool, 4 concurrent streaming clients got 0.60 of llama_cpp.server's
tokens/s on 2 cores (benchmarks/serve_throughput.py); with one thread per worker, see docs/serve.md.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from medllm.models import Model

T = TypeVar("T")
_DONE = object()


class Busy(Exception):
    """Every worker is generating and the queue is full."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__("the server is busy")
        self.retry_after_s = retry_after_s


@dataclass
class Cancel:
    """Set by the request side (client gone, timeout); read by the generating thread."""

    event: threading.Event = field(default_factory=threading.Event)

    def set(self) -> None:
        self.event.set()

    def __bool__(self) -> bool:
        return self.event.is_set()


class Engine:
    def __init__(self, models: list[Model], max_queue: int) -> None:
        if not models:
            raise ValueError("an engine needs at least one model")
        self.models = models
        self.id = models[0].id
        self.max_queue = max_queue
        self.waiting = 0
        self.running = 0
        self._idle: asyncio.Queue[Model] | None = None
        self.mean_s = 5.0  # a running estimate of a request's duration, for Retry-After
        self._started: dict[int, float] = {}
        self._threads = {
            id(m): ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"medllm-worker{i}")
            for i, m in enumerate(models)
        }

    @classmethod
    def load(cls, load: Callable[[], Model], workers: int, max_queue: int) -> Engine:
        return cls([load() for _ in range(workers)], max_queue)

    @property
    def model(self) -> Model:
        """A model to read properties from (tokenizer, context length); never to generate with."""
        return self.models[0]

    def _queue(self) -> asyncio.Queue[Model]:
        if self._idle is None:  # made in the running loop
            self._idle = asyncio.Queue()
            for m in self.models:
                self._idle.put_nowait(m)
        return self._idle

    async def acquire(self, timeout_s: float | None = None, *, admitted: bool = False) -> Model:
        """A worker's model (give it back with `release`); `Busy` at once when the queue is full,
        `TimeoutError` when none is free within `timeout_s`. `admitted`: the request passed
        `check_room` already and must now wait its turn, not be refused (a stream whose 200 and
        headers are sent can no longer become a 503)."""
        if not admitted:
            self.check_room()
        idle = self._queue()
        self.waiting += 1
        try:
            model = await asyncio.wait_for(idle.get(), timeout_s)
        finally:
            self.waiting -= 1
        self.running += 1
        self._started[id(model)] = asyncio.get_running_loop().time()
        return model

    def check_room(self) -> None:
        """`Busy` when no worker is free and `max_queue` requests already wait."""
        if self._queue().empty() and self.waiting >= self.max_queue:
            ahead = self.waiting + self.running
            raise Busy(self.mean_s * max(1, ahead) / len(self.models))

    def release(self, model: Model) -> None:
        self.running -= 1
        took = asyncio.get_running_loop().time() - self._started.pop(id(model))
        self.mean_s = 0.8 * self.mean_s + 0.2 * took
        self._queue().put_nowait(model)

    async def run(self, model: Model, fn: Callable[[], T]) -> T:
        """`fn()` (a whole RAG answer on the acquired `model`) in a thread; the thread gives the
        model back when `fn` returns, also when the awaiting request is cancelled first."""
        loop = asyncio.get_running_loop()

        def job() -> T:
            try:
                return fn()
            finally:
                loop.call_soon_threadsafe(self.release, model)

        return await loop.run_in_executor(self._threads[id(model)], job)

    def generate(
        self, model: Model, pieces: Callable[[], Iterator[str]], cancel: Cancel
    ) -> AsyncGenerator[str, None]:
        """Start `pieces()` (a backend stream on the acquired `model`) in a thread now, and
        return its pieces as they come. The thread gives the model back when it ends, never
        before: setting `cancel` (or closing the returned iterator) stops it at the next piece,
        and a request cancelled mid-await cannot hand out a model that is still decoding."""
        loop = asyncio.get_running_loop()
        out: asyncio.Queue[Any] = asyncio.Queue()

        def produce() -> None:
            try:
                gen = pieces()
                try:
                    for piece in gen:
                        if cancel:
                            break
                        loop.call_soon_threadsafe(out.put_nowait, piece)
                finally:
                    close = getattr(gen, "close", None)
                    if close is not None:
                        close()  # stops llama.cpp decoding
            except BaseException as e:  # handed to the request side to raise
                loop.call_soon_threadsafe(out.put_nowait, e)
            finally:
                loop.call_soon_threadsafe(self.release, model)
                loop.call_soon_threadsafe(out.put_nowait, _DONE)

        loop.run_in_executor(self._threads[id(model)], produce)
        return _drain(out, cancel)


async def _drain(out: asyncio.Queue[Any], cancel: Cancel) -> AsyncGenerator[str, None]:
    try:
        while (item := await out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancel.set()
