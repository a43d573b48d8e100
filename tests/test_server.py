"""``ssp server``: a served command behaves as the same command in its own process.

The end-to-end tests start a real server (``ssp server start``) in a private folder
of the test's own and run ``ssp`` as a user's shell would, in fresh interpreters;
whether a command was served is read from the server's own count
(``ssp server status``). The protocol's refusals are tested in this process over a
socket pair, without forking.
"""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssp_core.cli import served
from ssp_core.cli.server import Server, fingerprint

pytestmark = pytest.mark.skipif(
    not hasattr(socket, "send_fds") or not hasattr(socket, "SO_PEERCRED"),
    reason="the server needs Unix sockets that pass file descriptors (Linux)",
)

RUN = "import sys; from ssp_core.cli import run; sys.argv[0] = 'ssp'; run()"
CASE = "AAL-0002"


def ssp(
    env: dict[str, str], cwd: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``ssp args`` in a fresh interpreter, as the console script does."""
    return subprocess.run(  # noqa: S603 (this interpreter, the project's own command)
        [sys.executable, "-c", RUN, *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def served_count(env: dict[str, str], cwd: Path) -> int:
    status = ssp(env, cwd, "server", "status").stdout
    found = re.search(r"(\d+) commands run", status)
    assert found, status
    return int(found.group(1))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    """A demo store, its key, and a running server in a private folder; stopped afterwards."""
    cwd = tmp_path_factory.mktemp("served")
    folder = Path(tmp_path_factory.mktemp("sock")) / "s"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSP_")}
    env.update(
        SSP_ACTOR="anne",
        SSP_ROLE="aalborg.ssp_consultant",
        SSP_STORE="sqlite:///ssp.db",
        SSP_SERVER_DIR=str(folder),
    )
    made = ssp({**env, "SSP_SERVER": "off"}, cwd, "demo")
    assert made.returncode == 0, made.stderr
    env["SSP_KEY_FILE"] = str(cwd / "ssp.db.key")
    started = ssp(env, cwd, "server", "start", "--idle", "10")
    assert started.returncode == 0, started.stdout + started.stderr
    assert "ssp server started" in started.stdout
    try:
        yield env, cwd
    finally:
        ssp(env, cwd, "server", "stop")


def test_a_served_command_prints_what_it_prints_in_its_own_process(
    world: tuple[dict[str, str], Path],
) -> None:
    env, cwd = world
    before = served_count(env, cwd)
    here = ssp({**env, "SSP_SERVER": "off"}, cwd, "case", "show", CASE)
    there = ssp(env, cwd, "case", "show", CASE)
    assert served_count(env, cwd) == before + 1
    assert there.returncode == here.returncode == 0
    assert there.stdout == here.stdout
    assert CASE in there.stdout
    assert there.stderr == here.stderr == ""


def test_a_served_error_is_the_same_line_and_exit_code(world: tuple[dict[str, str], Path]) -> None:
    env, cwd = world
    before = served_count(env, cwd)
    here = ssp({**env, "SSP_SERVER": "off"}, cwd, "case", "show", "AAL-9999")
    there = ssp(env, cwd, "case", "show", "AAL-9999")
    assert served_count(env, cwd) == before + 1
    assert there.returncode == here.returncode == 1
    assert there.stderr == here.stderr
    assert there.stderr.startswith("error: ")
    assert "Traceback" not in there.stderr


def test_a_served_command_reads_the_clients_standard_input(
    world: tuple[dict[str, str], Path],
) -> None:
    env, cwd = world
    before = served_count(env, cwd)
    command = ("case", "open", "--cpr-stdin", "--situation", "aalborg.radicalisation_under_18")
    there = ssp(env, cwd, *command, stdin="123\n")
    here = ssp({**env, "SSP_SERVER": "off"}, cwd, *command, stdin="123\n")
    assert served_count(env, cwd) == before + 1
    assert (there.returncode, there.stdout, there.stderr) == (here.returncode, "", here.stderr)
    assert "got 3 characters" in there.stderr  # what the client's standard input held


def test_a_served_command_runs_in_the_clients_folder_with_its_environment(
    world: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, cwd = world
    before = served_count(env, cwd)
    listed = ssp(env, cwd, "case", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert CASE in listed.stdout
    elsewhere = ssp(env, tmp_path, "case", "list", "--json")  # ssp.db of another folder
    assert CASE not in elsewhere.stdout
    other_role = ssp({**env, "SSP_ROLE": "aalborg.no_such_role"}, cwd, "case", "list")
    assert other_role.returncode != 0
    assert "aalborg.no_such_role" in other_role.stderr
    assert served_count(env, cwd) == before + 3


def at_a_terminal(env: dict[str, str], cwd: Path, argv: list[str], typed: bytes) -> bytes:
    """Run ``ssp argv`` on a pseudo-terminal, type ``typed`` at it; return what it showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-c", RUN, *argv], env)  # noqa: S606
    shown = b""
    typed_yet = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            data = os.read(fd, 1024)
        except OSError:  # the command ended
            break
        if not data:
            break
        shown += data
        if not typed_yet and b"(not shown)" in shown:
            os.write(fd, typed)
            typed_yet = True
    os.waitpid(pid, 0)
    os.close(fd)
    return shown


def test_a_served_hidden_prompt_does_not_echo_what_is_typed(
    world: tuple[dict[str, str], Path],
) -> None:
    env, cwd = world
    before = served_count(env, cwd)
    command = ["case", "open", "--cpr-stdin", "--situation", "aalborg.radicalisation_under_18"]
    shown = at_a_terminal(env, cwd, command, b"98765\r")
    assert served_count(env, cwd) == before + 1
    assert b"CPR number (not shown)" in shown
    assert b"got 5 characters" in shown  # it read what was typed ...
    assert b"98765" not in shown  # ... and did not show it


def test_with_ssp_server_off_nothing_is_served(world: tuple[dict[str, str], Path]) -> None:
    env, cwd = world
    before = served_count(env, cwd)
    done = ssp({**env, "SSP_SERVER": "off"}, cwd, "case", "show", CASE)
    assert done.returncode == 0
    assert served_count(env, cwd) == before


def test_a_folder_others_may_open_is_not_used(world: tuple[dict[str, str], Path]) -> None:
    env, cwd = world
    folder = Path(env["SSP_SERVER_DIR"])
    before = served_count(env, cwd)
    folder.chmod(0o755)
    try:
        assert not served.private_folder(str(folder))
        done = ssp(env, cwd, "case", "show", CASE)
    finally:
        folder.chmod(0o700)
    assert done.returncode == 0
    assert CASE in done.stdout
    assert served_count(env, cwd) == before  # run in its own process instead


def test_the_socket_and_its_folder_are_the_users_only(world: tuple[dict[str, str], Path]) -> None:
    env, _cwd = world
    folder = Path(env["SSP_SERVER_DIR"])
    assert folder.stat().st_mode & 0o777 == 0o700
    (sock,) = folder.iterdir()
    assert sock.stat().st_mode & 0o777 == 0o600


def test_a_link_is_not_a_private_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    assert served.private_folder(str(real))
    assert not served.private_folder(str(tmp_path / "link"))
    assert not served.private_folder(str(tmp_path / "missing"))


def test_a_server_stops_when_idle(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSP_")}
    env["SSP_SERVER_DIR"] = str(tmp_path / "s")
    started = ssp(env, tmp_path, "server", "start", "--idle", "0.02")  # 1.2 seconds
    assert started.returncode == 0, started.stdout + started.stderr
    deadline = time.monotonic() + 30
    while "no ssp server runs" not in ssp(env, tmp_path, "server", "status").stdout:
        assert time.monotonic() < deadline, "the idle server did not stop"
        time.sleep(0.5)
    assert list((tmp_path / "s").iterdir()) == []  # its socket removed


def test_ssp_server_auto_starts_a_server_for_the_next_commands(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSP_")}
    env.update(SSP_SERVER_DIR=str(tmp_path / "s"), SSP_SERVER="auto")
    first = ssp(env, tmp_path, "workflows", "list")
    assert first.returncode == 0, first.stderr
    try:
        deadline = time.monotonic() + 60
        while "no ssp server runs" in ssp(env, tmp_path, "server", "status").stdout:
            assert time.monotonic() < deadline, "SSP_SERVER=auto started no server"
            time.sleep(0.3)
        again = ssp(env, tmp_path, "workflows", "list")
        assert again.stdout == first.stdout
        assert served_count(env, tmp_path) == 1
    finally:
        ssp(env, tmp_path, "server", "stop")


# -- the protocol, in this process --------------------------------------------------


def ask(server: Server, message: dict[str, object]) -> tuple[str, dict[str, object]]:
    """Send ``message`` to ``server`` over a socket pair; return its outcome and reply."""
    client, end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with client, end:
        served.send(client, message, fds=(0, 1, 2))
        outcome = server.answer(end)
        reply, _ = served.receive(client)
    return outcome, reply


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    code = tmp_path / "code"
    code.mkdir()
    (code / "module.py").write_text("x = 1\n")
    found = Server(str(tmp_path / "s" / "server.sock"), 60, folders=[str(code)])
    yield found
    found.close()


def run_request() -> dict[str, object]:
    return {**served.request(["--help"]), "path": served.import_path()}


def test_status_and_stop(server: Server) -> None:
    outcome, reply = ask(server, {"protocol": served.PROTOCOL, "kind": "status"})
    assert (outcome, reply["pid"], reply["served"]) == ("go on", os.getpid(), 0)
    outcome, reply = ask(server, {"protocol": served.PROTOCOL, "kind": "stop"})
    assert (outcome, reply) == ("stop", {"stopped": os.getpid()})


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"protocol": served.PROTOCOL + 1}, "protocol"),
        ({"python": "/usr/bin/another-python"}, "interpreter"),
        ({"path": ["/somewhere/else"]}, "interpreter"),
    ],
)
def test_a_request_from_another_interpreter_is_refused(
    server: Server, change: dict[str, object], refusal: str
) -> None:
    outcome, reply = ask(server, {**run_request(), **change})
    assert (outcome, reply) == ("go on", {"refused": refusal})
    assert server.served == 0


def test_changed_code_is_refused_and_restarts_the_server(server: Server) -> None:
    module = Path(server.folders[0]) / "module.py"
    module.write_text("x = 22\n")  # another size, another time
    outcome, reply = ask(server, run_request())
    assert (outcome, reply) == ("restart", {"refused": "changed"})


def test_the_fingerprint_follows_the_files_but_not_compiled_bytecode(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a = 1\n")
    first = fingerprint([str(tmp_path)])
    assert fingerprint([str(tmp_path)]) == first
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert fingerprint([str(tmp_path)]) == first
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "cards.toml").write_text("[card]\n")
    assert fingerprint([str(tmp_path)]) != first


def test_a_client_that_sends_nothing_is_let_go(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ssp_core.cli.server.REQUEST_SECONDS", 0.2)
    client, end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with client, end:
        started = time.monotonic()
        assert server.answer(end) == "go on"
        assert time.monotonic() - started < 5
