"""The ``ssp`` command line: plugins, workflows, cases, the demo.

:func:`run` is the console script. It runs the command through a running
``ssp server`` when there is one to trust (:mod:`ssp_core.cli.served`), and in its
own process otherwise (:func:`ssp_core.cli.entry.main`). Importing this package
loads neither click nor the library: :data:`cli` and :func:`main` are imported on
first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ssp_core.lazy import lazy_names

if TYPE_CHECKING:
    from ssp_core.cli.app import cli
    from ssp_core.cli.entry import EXIT_ERROR, EXIT_USAGE, PRIVATE_UMASK, main

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "PRIVATE_UMASK", "cli", "main", "run"]

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "cli": "ssp_core.cli.app",
        "main": "ssp_core.cli.entry",
        "EXIT_ERROR": "ssp_core.cli.entry",
        "EXIT_USAGE": "ssp_core.cli.entry",
        "PRIVATE_UMASK": "ssp_core.cli.entry",
    },
    globals(),
    __all__,
)


def run() -> None:
    """Entry point of the ``ssp`` console script: served if a server runs, else in-process."""
    from ssp_core.cli.served import auto_start, run_served  # noqa: PLC0415

    code = run_served(sys.argv[1:])
    if code is None:
        from ssp_core.cli.entry import main  # noqa: PLC0415

        code = main()
        auto_start(sys.argv[1:])
    sys.exit(code)
