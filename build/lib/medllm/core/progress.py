"""Progress reporting: one callback type for every long job, and one rich bar that shows it.

Library functions take `progress: Progress | None` and call it as `progress(phase, done, total)`;
CLIs pass the bar's update function. Counts only, never text (no PHI in a progress line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

Progress = Callable[[str, int, int], None]


@contextmanager
def progress_bar(console: Console | None = None, *, transient: bool = False) -> Iterator[Progress]:
    """A rich bar per phase, fed by a `(phase, done, total)` callback; total 0 = unknown."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=console, transient=transient) as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        yield update
