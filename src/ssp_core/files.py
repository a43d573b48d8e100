"""Files the library writes (reports, maps, exports, survey data) are readable by their owner only.

The command line runs with the file-creation mask 077, but a system that embeds the
library runs with its own. Every file the library creates goes through
:func:`private_file` (created ``0600``, or emptied keeping its mode if it exists
already) and every folder through :func:`private_folder` (``0700``), so reports and
exports about cases are not readable by other local users whatever the mask. Files
made by other libraries (matplotlib, pyarrow) are created here first, then written.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "open_private",
    "private_file",
    "private_folder",
    "staged_file",
]

FILE_MODE = 0o600
"""The mode of a file the library creates: its owner may read and write it."""

FOLDER_MODE = 0o700
"""The mode of a folder the library creates: its owner's only."""


def private_folder(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and its missing parents for their owner only; return it.

    A folder that exists already keeps its mode (it may be shared on purpose).
    """
    folder = Path(path)
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for created in reversed(missing):
        created.mkdir(mode=FOLDER_MODE, exist_ok=True)
        created.chmod(FOLDER_MODE)  # mkdir's mode is masked by the umask
    return folder


def private_file(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` empty, readable and writable by its owner only, before it is written.

    An existing file is emptied and keeps its mode; a new one is ``0600`` whatever
    the process's file-creation mask.
    """
    file = Path(path)
    existed = file.exists()
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        if not existed:
            os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return file


def open_private(path: str | os.PathLike[str], mode: str = "w", **options: Any) -> IO[Any]:
    """Open ``path`` for writing as the built-in ``open`` does, creating it for its owner only."""
    private_file(path)
    return open(path, mode, **options)  # noqa: PTH123 (the caller closes it)


@contextlib.contextmanager
def staged_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a private temporary file beside ``path``; move it onto ``path`` if all went well.

    The file appears whole or not at all (a rename on the same file system); on an
    error the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
    private_file(partial)
    try:
        yield partial
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
