"""Run an ``ssp`` command through a running ``ssp server``, if there is one: the client side.

A fresh Python process spends most of an ``ssp`` command importing the library and
building the plugins' registry. ``ssp server start`` keeps one process with all of
that done; each command is then a small client (this module, which imports only the
standard library) that hands the server its arguments, environment, working folder
and its standard input, output and error (the file descriptors themselves, over a
Unix socket), and waits for the exit code. The server forks a child per command,
which runs it exactly as ``ssp`` would in-process, on the client's own terminal.

The client uses the server only when every check passes, and otherwise runs the
command in its own process, as if there were no server:

* ``SSP_SERVER=off`` is not set, and the platform can pass file descriptors;
* the socket's folder is a real folder (not a link) owned by this user and closed
  to everyone else (mode ``0700``), and the process answering on the socket runs as
  this user (``SO_PEERCRED``);
* the server runs the same interpreter with the same ``sys.path``, and its code and
  plugins have not changed on disk since it started (else it restarts itself).

``ssp server ...`` itself always runs in-process.
"""

# ruff: noqa: PTH109, PTH118, PTH120
# (os.path, not pathlib: the client imports as little as it can)

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import struct
import sys
import zlib
from collections.abc import Sequence
from types import FrameType
from typing import Any

__all__ = [
    "AUTO_IDLE_MINUTES",
    "PROTOCOL",
    "SERVER_DIR_ENV",
    "SERVER_ENV",
    "auto_start",
    "connect",
    "import_path",
    "peer_is_me",
    "private_folder",
    "receive",
    "request",
    "run_served",
    "send",
    "server_folder",
    "socket_path",
    "start_code",
]

SERVER_ENV = "SSP_SERVER"
"""``off``: run every command in its own process, even with a server running; ``auto``:
start a server in the background when none runs (the command itself runs in-process)."""

SERVER_DIR_ENV = "SSP_SERVER_DIR"
"""The folder of the server's socket (default: ``$XDG_RUNTIME_DIR/ssp-core``, else
``/tmp/ssp-core-<uid>``); it must be the user's own, mode ``0700``."""

PROTOCOL = 1
"""The version of the messages between client and server."""

_LENGTH = struct.Struct("!I")
_FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


def server_folder() -> str:
    """Return the folder of the server's socket (see :data:`SERVER_DIR_ENV`)."""
    if configured := os.environ.get(SERVER_DIR_ENV):
        return configured
    if runtime := os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(runtime, "ssp-core")
    return f"/tmp/ssp-core-{os.getuid()}"  # noqa: S108 (checked: owner and mode)


def socket_path() -> str:
    """Return the server's socket: one per interpreter (each virtual environment its own)."""
    tag = zlib.crc32(os.fsencode(sys.executable)) & 0xFFFFFFFF
    return os.path.join(server_folder(), f"server-{tag:08x}.sock")


def private_folder(path: str) -> bool:
    """Tell whether ``path`` is a folder (not a link) of this user's, closed to all others."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(found.st_mode)
        and found.st_uid == os.getuid()
        and found.st_mode & (stat.S_IRWXG | stat.S_IRWXO) == 0
    )


def peer_is_me(connection: socket.socket) -> bool:
    """Tell whether the process at the other end of a Unix socket runs as this user."""
    credentials = connection.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
    )
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def send(connection: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    """Send one message (JSON, its length first), with ``fds`` passed along if any."""
    body = json.dumps(message).encode()
    data = _LENGTH.pack(len(body)) + body
    if fds:
        sent = socket.send_fds(connection, [data], list(fds))
        data = data[sent:]
    if data:
        connection.sendall(data)


def receive(connection: socket.socket, *, fds: int = 0) -> tuple[dict[str, Any], list[int]]:
    """Receive one message sent by :func:`send` and the file descriptors passed with it.

    :raises ConnectionError: the other end closed the connection before a whole message.
    """
    received: list[int] = []
    if fds:
        data, received, _flags, _address = socket.recv_fds(connection, 65536, fds)
    else:
        data = connection.recv(65536)
    buffer = bytearray(data)
    while len(buffer) < _LENGTH.size or len(buffer) < _LENGTH.size + _LENGTH.unpack_from(buffer)[0]:
        more = connection.recv(65536)
        if not more:
            for fd in received:
                os.close(fd)
            raise ConnectionError("the connection closed in the middle of a message")
        buffer += more
    (length,) = _LENGTH.unpack_from(buffer)
    message = json.loads(bytes(buffer[_LENGTH.size : _LENGTH.size + length]))
    if not isinstance(message, dict):
        raise ConnectionError("a message is not a JSON object")
    return message, received


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _streams() -> dict[str, list[str | None]]:
    return {
        name: [getattr(stream, "encoding", None), getattr(stream, "errors", None)]
        for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr))
    }


def import_path() -> list[str]:
    """Return ``sys.path`` without the script's own folder (a server runs with ``python -P``)."""
    return list(sys.path if sys.flags.safe_path else sys.path[1:])


def request(argv: Sequence[str]) -> dict[str, Any]:
    """Return the request that runs ``argv`` as this process would run it."""
    return {
        "protocol": PROTOCOL,
        "kind": "run",
        "argv": list(argv),
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "umask": _umask(),
        "python": sys.executable,
        "path": import_path(),
        "streams": _streams(),
    }


def connect() -> socket.socket | None:
    """Connect to this user's server, or return None if there is none to trust."""
    if not hasattr(socket, "send_fds") or not hasattr(socket, "SO_PEERCRED"):
        return None
    path = socket_path()
    if not private_folder(os.path.dirname(path)):
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        if peer_is_me(connection):
            return connection
    except OSError:
        pass
    connection.close()
    return None


def start_code(idle_minutes: float) -> str:
    """Return the Python code a server process runs (``python -P -c CODE``)."""
    return f"from ssp_core.cli.server import serve; serve({float(idle_minutes)!r})"


def auto_start(argv: Sequence[str]) -> bool:
    """Start a server in the background if ``SSP_SERVER=auto`` and none answers; tell if so.

    The server starts with the default idle time; the command that started it has
    already run in its own process.
    """
    if os.environ.get(SERVER_ENV, "").strip().lower() != "auto" or argv[:1] == ["server"]:
        return False
    if not hasattr(socket, "send_fds") or not hasattr(socket, "SO_PEERCRED"):
        return False
    folder = server_folder()
    if os.path.lexists(folder) and not private_folder(folder):
        return False
    answering = connect()
    if answering is not None:
        answering.close()
        return False
    import subprocess  # noqa: PLC0415 (only when a server is started)

    subprocess.Popen(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-P", "-c", start_code(AUTO_IDLE_MINUTES)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return True


AUTO_IDLE_MINUTES = 30.0
"""The idle time of a server started by ``SSP_SERVER=auto``."""


def run_served(argv: Sequence[str]) -> int | None:
    """Run ``ssp argv`` through the server and return its exit code; None if not served.

    None means the command has not started: the caller runs it in-process.
    """
    if os.environ.get(SERVER_ENV, "").strip().lower() == "off":
        return None
    if argv[:1] == ["server"]:
        return None
    connection = connect()
    if connection is None:
        return None
    with connection:
        try:
            send(connection, request(argv), fds=(0, 1, 2))
            reply, _ = receive(connection)
        except (OSError, ValueError):
            return None
        pid = reply.get("pid")
        if not isinstance(pid, int):
            return None  # refused (changed code, another sys.path): run it here
        return _wait(connection, pid, argv)


def _wait(connection: socket.socket, pid: int, argv: Sequence[str]) -> int:
    def forward(signum: int, _frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for name in _FORWARDED:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    try:
        reply, _ = receive(connection)
    except (OSError, ValueError):
        reply = {}
    code = reply.get("exit")
    if isinstance(code, int):
        return code
    sys.stderr.write(_worker_lost(argv) + "\n")
    return 1


def _chosen_language(argv: Sequence[str]) -> str:
    """Return the language ``argv`` chose (``--lang``), else ``SSP_LANG``'s, else English."""
    chosen = os.environ.get("SSP_LANG", "en")
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            chosen = argv[index + 1]
        elif word.startswith("--lang="):
            chosen = word.partition("=")[2]
    return chosen


def _worker_lost(argv: Sequence[str]) -> str:
    """Return the error line for a worker that ended without an exit code, in its language.

    The catalogue is loaded only here, when this rare error happens: the client
    otherwise imports nothing but the standard library.
    """
    from ssp_core.i18n import _, language  # noqa: PLC0415

    try:
        with language(_chosen_language(argv)):
            return _("error: {message}").format(
                message=_("the ssp server's worker ended without an exit code")
            )
    except ValueError:  # a language the command line refuses anyway
        return "error: the ssp server's worker ended without an exit code"
