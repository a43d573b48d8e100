"""``ssp server``: one resident process that has the library loaded, forking a child per command.

Started with ``ssp server start``, the server imports every command's module and
builds the registry of the default plugins once, then waits on a Unix socket in a
folder only its user can open (:mod:`ssp_core.cli.served` is the client). For each
command it forks a child, which takes the client's standard input, output and
error, working folder, environment and file-creation mask, runs the command exactly
as ``ssp`` does in its own process (:func:`ssp_core.cli.entry.main`) and sends
back the exit code. The server itself opens no store and reads no key; whatever a
command reads lives and dies in its child.

The server refuses (and the client then runs the command itself) a request from
another interpreter or with another ``sys.path``. When its code, its plugins or the
installed distributions change on disk it refuses the request and restarts itself
with the new code. It stops after ``--idle`` minutes without a command, or with
``ssp server stop``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import importlib.metadata
import io
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from ssp_core.cli import served
from ssp_core.cli.app import COMMANDS, CommandGroup, Context, preload_registry
from ssp_core.exceptions import ConfigError, SspError
from ssp_core.i18n import _
from ssp_core.plugins import spec
from ssp_core.text import visible

__all__ = [
    "DEFAULT_IDLE_MINUTES",
    "REQUEST_SECONDS",
    "Server",
    "fingerprint",
    "serve",
    "server",
]

DEFAULT_IDLE_MINUTES = served.AUTO_IDLE_MINUTES
"""How long the server waits for a command before it stops."""

PRELOADED = (
    "ssp_core.application.casework",
    "ssp_core.store.sqlite",
    # What the library imports on first use, slow to import in every child:
    "cryptography.exceptions",
    "cryptography.hazmat.primitives.ciphers.aead",
    "cryptography.hazmat.primitives.hashes",
    "cryptography.hazmat.primitives.kdf.hkdf",
    "rich.console",
    "rich.table",
    "rich.markup",
    "rich._emoji_codes",
)
"""Modules the server imports besides every command's own."""

STREAMS = (0, 1, 2)
"""The client's standard input, output and error, passed to the server with each command."""

REQUEST_SECONDS = 5.0
"""How long the server waits for a connected client's request."""

READY_SECONDS = 30.0
"""How long ``ssp server start`` waits for the server to answer."""


def _package_folders() -> list[str]:
    """Return the folders of ssp_core and of every plugin package found by entry points."""
    names = {"ssp_core"}
    for entry_point in importlib.metadata.entry_points(group=spec.PROJECT):
        names.add(entry_point.value.split(":")[0].split(".")[0])
    folders = []
    for name in sorted(names):
        module = sys.modules.get(name)
        folders += list(getattr(module, "__path__", []))
    return folders


def _stamps(folder: str) -> Iterator[tuple[str, int, int]]:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            found = entry.stat(follow_symlinks=False)
            yield entry.path, found.st_mtime_ns, found.st_size
            if entry.is_dir(follow_symlinks=False):
                yield from _stamps(entry.path)


def fingerprint(folders: Sequence[str]) -> int:
    """Return a number that changes when a file of ``folders`` or a folder of ``sys.path`` does.

    ``folders`` are ssp_core's and the plugins' packages (their data included); a
    folder of ``sys.path`` changes when a distribution is installed or removed.
    """
    stamps: list[tuple[str, int, int]] = []
    for folder in folders:
        stamps += _stamps(folder)
    for entry in filter(None, sys.path):
        with contextlib.suppress(OSError):
            found = Path(entry).stat()
            stamps.append((entry, found.st_mtime_ns, found.st_size))
    return hash(tuple(sorted(stamps)))


def _stream(fd: int, mode: str, encoding: str | None, errors: str | None) -> io.TextIOWrapper:
    raw = io.FileIO(fd, mode, closefd=False)
    buffered = io.BufferedWriter(raw) if mode == "w" else io.BufferedReader(raw)
    return io.TextIOWrapper(
        buffered,
        encoding=encoding or "utf-8",
        errors=errors or "strict",
        line_buffering=mode == "w" and raw.isatty(),
    )


class Server:
    """The listening socket, what is loaded, and what the server has done since it started."""

    def __init__(self, path: str, idle: float, folders: Sequence[str] | None = None) -> None:
        self.path = Path(path)
        self.idle = idle
        self.started = dt.datetime.now(dt.UTC)
        self.served = 0
        self.last_command = time.monotonic()
        """When the last command came (``ssp server status`` does not count): idle since."""
        self.folders = list(_package_folders() if folders is None else folders)
        self.fingerprint = fingerprint(self.folders)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    def bind(self) -> None:
        """Take the socket (removing a dead server's), readable and writable by this user only."""
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not served.private_folder(str(folder)):
            raise ConfigError(
                f"the server's folder {folder} is not this user's own with mode 0700; "
                f"remove it, or name another with {served.SERVER_DIR_ENV}"
            )
        answering = served.connect()
        if answering is not None:
            answering.close()
            raise ConfigError("an ssp server already runs for this interpreter")
        self.path.unlink(missing_ok=True)
        self.listener.bind(str(self.path))
        self.path.chmod(0o600)
        self.listener.listen(16)

    def close(self) -> None:
        """Stop listening and remove the socket."""
        self.listener.close()
        self.path.unlink(missing_ok=True)

    def loop(self) -> bool:
        """Answer requests until told to stop or idle; return True to restart with new code."""
        while True:
            _reap()
            left = self.last_command + self.idle - time.monotonic()
            if left <= 0:
                return False
            self.listener.settimeout(left)
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            with connection:
                outcome = self.answer(connection)
            if outcome != "go on":
                return outcome == "restart"

    def answer(self, connection: socket.socket) -> str:
        """Answer one request: run a command in a child, report status, or stop."""
        if not served.peer_is_me(connection):
            return "go on"
        connection.settimeout(REQUEST_SECONDS)  # a client that says nothing holds no one up
        try:
            message, fds = served.receive(connection, fds=3)
        except (OSError, ValueError):
            return "go on"
        connection.settimeout(None)
        try:
            return self._answer(connection, message, fds)
        finally:
            for fd in fds:
                os.close(fd)

    def _answer(self, connection: socket.socket, message: dict[str, Any], fds: list[int]) -> str:
        kind = message.get("kind")
        if kind == "status":
            served.send(connection, self.status())
            return "go on"
        if kind == "stop":
            served.send(connection, {"stopped": os.getpid()})
            return "stop"
        refusal = self._refusal(message, fds)
        if refusal == "changed":
            served.send(connection, {"refused": refusal})
            return "restart"
        if refusal:
            served.send(connection, {"refused": refusal})
            return "go on"
        pid = os.fork()
        if pid == 0:  # the child: run the command, report its exit code, and leave
            try:
                self.listener.close()
                _run_child(connection, message, fds)
            finally:
                os._exit(1)
        self.served += 1
        self.last_command = time.monotonic()
        served.send(connection, {"pid": pid})
        return "go on"

    def _refusal(self, message: dict[str, Any], fds: list[int]) -> str:
        if message.get("protocol") != served.PROTOCOL or message.get("kind") != "run":
            return "protocol"
        if len(fds) != len(STREAMS):
            return "streams"
        if message.get("python") != sys.executable or message.get("path") != served.import_path():
            return "interpreter"
        if fingerprint(self.folders) != self.fingerprint:
            return "changed"
        return ""

    def status(self) -> dict[str, Any]:
        """Return what ``ssp server status`` shows."""
        return {
            "pid": os.getpid(),
            "started": self.started.isoformat(timespec="seconds"),
            "served": self.served,
            "idle_minutes": self.idle / 60,
            "python": sys.executable,
        }


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _run_child(connection: socket.socket, message: dict[str, Any], fds: list[int]) -> None:
    from ssp_core.cli.entry import main  # noqa: PLC0415 (loaded by the server already)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGCHLD"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.chdir(message["cwd"])
    os.environ.clear()
    os.environ.update(message["env"])
    time.tzset()
    os.umask(message["umask"])
    streams = message.get("streams", {})
    sys.stdin = _stream(0, "r", *streams.get("stdin", (None, None)))
    sys.stdout = _stream(1, "w", *streams.get("stdout", (None, None)))
    sys.stderr = _stream(2, "w", *streams.get("stderr", (None, None)))
    argv = [str(arg) for arg in message["argv"]]
    sys.argv = ["ssp", *argv]
    code = 1
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001 (as Python would: the traceback, exit code 1)
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    with contextlib.suppress(OSError):
        served.send(connection, {"exit": code})
    os._exit(0)


def _preload() -> None:
    for module, _name, _summary in COMMANDS.values():
        importlib.import_module(module)
    for module in PRELOADED:
        with contextlib.suppress(ImportError):  # a library's layout may change: only slower
            importlib.import_module(module)
    preload_registry()
    _warm_up()


def _warm_up() -> None:
    """Render once what every command renders, so rich compiles its highlighter's patterns here.

    (The ``re`` module keeps compiled patterns; each child inherits them instead of
    compiling them again.)
    """
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title="warm-up")
    table.add_column("id")
    table.add_row("AAL-0001 2026-03-02 'text' 1.5 [x] https://example.org")
    for terminal in (True, False):
        Console(file=io.StringIO(), force_terminal=terminal, width=100).print(table, "ok 1")


def serve(idle_minutes: float = DEFAULT_IDLE_MINUTES) -> None:
    """Run the server in this process until it is stopped or idle (the server's own entry)."""
    try:
        _preload()
        server = Server(served.socket_path(), idle_minutes * 60)
        server.bind()
    except SspError as exc:
        print(f"error: {visible(str(exc))}", flush=True)  # noqa: T201 (read by `ssp server start`)
        sys.exit(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # ready: the starter reading our output sees its end
        os.dup2(devnull, fd)
    os.close(devnull)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # What is loaded now is kept for the server's life: out of the collector's sight, so a
    # child's first collection does not walk (and copy) the whole inherited heap.
    gc.collect()
    gc.freeze()
    restart = False
    try:
        restart = server.loop()
    finally:
        server.close()
    if restart:  # the code changed on disk: start again with it
        os.execv(sys.executable, [sys.executable, "-P", "-c", served.start_code(idle_minutes)])  # noqa: S606


def _ask(kind: str) -> dict[str, Any] | None:
    connection = served.connect()
    if connection is None:
        return None
    with connection:
        try:
            served.send(connection, {"protocol": served.PROTOCOL, "kind": kind})
            reply, _fds = served.receive(connection)
        except (OSError, ValueError):
            return None
    return reply


@click.group("server", cls=CommandGroup)
def server() -> None:
    """Run a resident ssp process, so each command starts in a fraction of the time."""


@server.command("start")
@click.option(
    "--idle",
    type=click.FloatRange(min=0.01),
    default=DEFAULT_IDLE_MINUTES,
    show_default=True,
    metavar="MINUTES",
    help="Stop after this many minutes without a command.",
)
@click.pass_obj
def start_command(obj: Context, idle: float) -> None:
    """Start the server in the background; later ssp commands run through it."""
    del obj
    found = _ask("status")
    if found is not None:
        click.echo(_("an ssp server already runs (pid {pid})").format(pid=found.get("pid")))
        return
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-P", "-c", served.start_code(idle)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None  # noqa: S101 (a pipe was asked for)
    output = process.stdout.read(65536).decode(errors="replace")  # until ready, or dead
    process.stdout.close()
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        found = _ask("status")
        if found is not None:
            click.echo(
                _(
                    "ssp server started (pid {pid}); it stops after {idle} idle minutes, or "
                    "with `ssp server stop`"
                ).format(pid=found.get("pid"), idle=f"{idle:g}")
            )
            return
        time.sleep(0.05)
    last = output.strip().splitlines()[-1:] or [_("it did not answer")]
    raise ConfigError(_("the ssp server did not start: {reason}").format(reason=last[0]))


@server.command("stop")
@click.pass_obj
def stop_command(obj: Context) -> None:
    """Stop this user's server (commands then start in their own process again)."""
    del obj
    reply = _ask("stop")
    if reply is None:
        click.echo(_("no ssp server runs"))
        return
    click.echo(_("ssp server stopped (pid {pid})").format(pid=reply.get("stopped")))


@server.command("status")
@click.pass_obj
def status_command(obj: Context) -> None:
    """Tell whether a server runs, since when, and how many commands it has run."""
    del obj
    reply = _ask("status")
    if reply is None:
        click.echo(_("no ssp server runs (socket: {socket})").format(socket=served.socket_path()))
        return
    click.echo(
        _(
            "ssp server pid {pid}, started {started}, {served} commands run, stops after "
            "{idle} idle minutes"
        ).format(
            pid=reply.get("pid"),
            started=reply.get("started"),
            served=reply.get("served"),
            idle=f"{reply.get('idle_minutes'):g}",
        )
    )
