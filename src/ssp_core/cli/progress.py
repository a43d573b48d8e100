"""Progress bars of the long commands: drawn on standard error, only on a terminal.

The library reports how far a long pass got through a plain
:data:`~ssp_core.progress.Progress` callable; :func:`progress_bar` makes one that
draws a rich bar on standard error. Nothing is drawn when standard error is not a
terminal (a pipe, a log file, a test) or under ``--json``, and standard output is
never touched, so machine output stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ssp_core.cli.render import inert

__all__ = ["progress_bar", "stderr_is_terminal"]


def stderr_is_terminal() -> bool:
    """Tell whether standard error is a terminal (where a progress bar may be drawn)."""
    return sys.stderr is not None and sys.stderr.isatty()


@contextmanager
def progress_bar(label: str, *, show: bool) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``progress(done, total)`` callback drawing a bar on standard error if ``show``.

    The bar goes away when the block ends; without ``show`` the callback does nothing.
    """
    if not show:
        yield lambda _done, _total: None
        return
    from rich.console import Console  # noqa: PLC0415 (only when a bar is drawn)
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(inert(label)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True, force_terminal=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
