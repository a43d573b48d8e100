"""The start-up benchmark: how long ``ssp`` takes to start, against ``import click, rich``.

Each contestant is a fresh interpreter started by this process, timed wall-clock
from start to exit, as a user at a shell would wait for it:

* ``baseline``: ``python -c "import click, rich"``, the least any click and rich
  command line costs;
* ``ssp --help``: the command line's help, through the console script's entry point
  (``ssp_core.cli:run``);
* ``ssp case show ID``: one case of the demo store read by an SSP consultant
  (``ssp demo`` writes the store in a temporary directory first, with its key):
  plugins loaded, the registry built and validated, the case read, checked, its key
  unwrapped, replayed, audited, and its options rendered. Twice: through a running
  ``ssp server`` (started once before the rounds; gated), and in its own process
  with ``SSP_SERVER=off`` (not gated: what a command costs without the server);
* ``ssp case list --limit 20``: a page of the demo's case index, through the server
  (gated);
* ``python -c pass`` and ``import ssp_core`` (not gated), for scale.

The contestants run in rounds, in the same order each round after a discarded
warm-up round; each ratio is the median of the per-round ratios to the baseline of
the same round, so a slower or busier machine moves both sides alike.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from bench_report import FAIL, OK, TIMES, Target, fmt_ratio

__all__ = [
    "START_FULL",
    "START_HEADING",
    "START_QUICK",
    "StartResults",
    "StartSettings",
    "measure_start",
    "render_start_markdown",
    "render_start_summary",
]

START_HEADING = "## Start-up"
"""The first line of the start-up section; a page is split there to replace the section."""

RATIO_TARGET = 3.0
"""Each gated command's wall time over ``import click, rich``, at most."""

RUN_SSP = "import sys; from ssp_core.cli import run; sys.argv[0] = 'ssp'; run()"
"""What the ``ssp`` console script runs."""

CASE = "AAL-0002"
"""The demo's travel concern about a 19-year-old, in the intervention state."""


@attrs.frozen
class StartSettings:
    """How many rounds to run (after one discarded warm-up round)."""

    name: str
    rounds: int


START_FULL = StartSettings("full", 21)
START_QUICK = StartSettings("quick", 5)


@attrs.frozen
class Contestant:
    """One command: its name, its arguments after the interpreter, whether it is gated."""

    name: str
    argv: tuple[str, ...]
    gated: bool = False
    env: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class StartResults:
    """The wall times (ns) of every contestant, round by round, and the targets."""

    mode: str
    started: str
    seconds: float
    times: dict[str, tuple[int, ...]]
    ratios: dict[str, float]
    targets: tuple[Target, ...] = ()

    @property
    def failed(self) -> bool:
        """Tell whether a gated target was missed."""
        return any(target.status == FAIL for target in self.targets)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _contestants() -> tuple[Contestant, ...]:
    return (
        Contestant("python -c pass", ("-c", "pass")),
        Contestant("baseline: import click, rich", ("-c", "import click, rich")),
        Contestant("import ssp_core", ("-c", "import ssp_core")),
        Contestant("ssp --help", ("-c", RUN_SSP, "--help"), gated=True, env=OWN_PROCESS),
        Contestant(
            f"ssp case show {CASE} (served)", ("-c", RUN_SSP, "case", "show", CASE), gated=True
        ),
        Contestant(
            "ssp case list --limit 20 (served)",
            ("-c", RUN_SSP, "case", "list", "--limit", "20"),
            gated=True,
        ),
        Contestant(
            f"ssp case show {CASE} (own process)",
            ("-c", RUN_SSP, "case", "show", CASE),
            env=OWN_PROCESS,
        ),
    )


OWN_PROCESS = (("SSP_SERVER", "off"),)
"""The environment of a command run without the server."""


def _run(
    argv: Sequence[str], env: dict[str, str], cwd: Path, extra: Sequence[tuple[str, str]] = ()
) -> int:
    started = time.perf_counter_ns()
    subprocess.run(  # noqa: S603 (this interpreter, a command of the benchmark's own)
        [sys.executable, *argv],
        env={**env, **dict(extra)},
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter_ns() - started


def measure_start(settings: StartSettings) -> StartResults:
    """Write a demo store, then time every contestant ``settings.rounds`` times."""
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    contestants = _contestants()
    with tempfile.TemporaryDirectory(prefix="ssp-start-") as tmp:
        cwd = Path(tmp)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("SSP_")
            and key not in {"PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"}
        }
        env.update(
            SSP_ACTOR="anne",
            SSP_ROLE="aalborg.ssp_consultant",
            SSP_STORE="sqlite:///ssp.db",
            SSP_SERVER_DIR=str(cwd / "server"),
        )
        _progress("writing the demo store (ssp demo)")
        _run(("-c", RUN_SSP, "demo"), env, cwd, OWN_PROCESS)
        env["SSP_KEY_FILE"] = str(cwd / "ssp.db.key")
        _progress("starting the server (ssp server start)")
        _run(("-c", RUN_SSP, "server", "start", "--idle", "10"), env, cwd)
        times: dict[str, list[int]] = {c.name: [] for c in contestants}
        try:
            for round_ in range(settings.rounds + 1):
                _progress(f"start-up, round {round_ + 1}/{settings.rounds + 1}")
                measured = {c.name: _run(c.argv, env, cwd, c.env) for c in contestants}
                if round_ == 0:
                    continue  # warm-up: file caches, compiled bytecode
                for name, value in measured.items():
                    times[name].append(value)
        finally:
            _run(("-c", RUN_SSP, "server", "stop"), env, cwd)
    baseline = times["baseline: import click, rich"]
    ratios = {
        c.name: statistics.median(t / b for t, b in zip(times[c.name], baseline, strict=True))
        for c in contestants
    }
    targets = tuple(
        Target(
            f'`{c.name}` wall time over `python -c "import click, rich"`',
            fmt_ratio(ratios[c.name]),
            f"≤ {RATIO_TARGET:.0f}{TIMES}",
            OK if ratios[c.name] <= RATIO_TARGET else FAIL,
        )
        for c in contestants
        if c.gated
    )
    return StartResults(
        mode=settings.name,
        started=when,
        seconds=time.monotonic() - started,
        times={name: tuple(values) for name, values in times.items()},
        ratios=ratios,
        targets=targets,
    )


def render_start_summary(results: StartResults) -> str:
    """Return a plain-text summary of the start-up targets, for the terminal."""
    lines = [f"{t.name}: {t.measured} (limit {t.limit}) {t.status}" for t in results.targets]
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    lines.append(f"start-up benchmark, {results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


def render_start_markdown(results: StartResults) -> str:
    """Return the start-up section of ``docs/performance.md``, starting with its heading."""
    rounds = len(next(iter(results.times.values())))
    lines = [
        START_HEADING,
        "",
        (
            "How long the `ssp` command takes to start, wall-clock, in a fresh interpreter, "
            'against `python -c "import click, rich"` measured in the same rounds. Written '
            "by `benchmarks/run.py` (`bench_start.py` measures and writes this section)."
        ),
        "",
        "### Start-up targets",
        "",
        "| Target | Measured | Limit | Status |",
        "| :-- | --: | --: | :-: |",
        *(f"| {t.name} | {t.measured} | {t.limit} | {t.status} |" for t in results.targets),
        "",
        "### Wall times",
        "",
        (
            f"Median of {rounds} rounds ({results.mode} run, {results.started}); the ratio is "
            "the median of the per-round ratios to the baseline."
        ),
        "",
        "| Command | Median | Ratio to the baseline |",
        "| :-- | --: | --: |",
        *(
            f"| `{name}` | {statistics.median(values) / 1e6:.0f} ms | "
            f"{fmt_ratio(results.ratios[name])} |"
            for name, values in results.times.items()
        ),
        "",
        (
            "`ssp --help` imports click and the command table only: every command's module "
            "is imported when it runs. In its own process, `ssp case show` has to load the "
            "plugins and build their registry (the TOML files parsed and structured into "
            "attrs classes, every cross-reference checked), open the store, and load the "
            "libraries the stack is made of (attrs, cattrs, pluggy, transitions, "
            "cryptography, rich's tables), whose imports alone cost more than the whole "
            "baseline. With `ssp server start`, all of that is done once: the command is a "
            "client of the standard library only, and a child forked from the server runs "
            "it on the client's terminal (see the architecture page, *What a start loads*)."
        ),
    ]
    return "\n".join(lines) + "\n"
