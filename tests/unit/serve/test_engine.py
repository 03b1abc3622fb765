"""The engine's scheduling: each worker's model always generates on its own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

from medllm.serve.engine import Cancel, Engine


class Worker:
    """Only what the engine reads of a model: its id (the engine never calls the model itself)."""

    def __init__(self, name: str) -> None:
        self.id = name


def test_each_worker_generates_on_one_thread_of_its_own() -> None:
    workers = [Worker("a"), Worker("b")]
    engine = Engine(workers, max_queue=16)  # type: ignore[arg-type]
    seen: dict[str, set[str]] = {"a": set(), "b": set()}

    async def one(i: int) -> str:
        model = await engine.acquire(5)

        def pieces() -> Iterator[str]:
            seen[model.id].add(threading.current_thread().name)
            yield f"{i}"

        out = [p async for p in engine.generate(model, pieces, Cancel())]
        await asyncio.sleep(0)  # the release is scheduled from the worker's thread
        return "".join(out)

    async def main() -> list[str]:
        got = list(await asyncio.gather(*(one(i) for i in range(8))))
        got += [await one(i) for i in range(8, 12)]
        return got

    assert asyncio.run(main()) == [str(i) for i in range(12)]
    assert len(seen["a"]) == 1 and len(seen["b"]) == 1
    assert seen["a"] != seen["b"]
    assert engine.running == 0 and engine.waiting == 0
