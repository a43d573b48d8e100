"""Run a model's replications over any executor, a fixed number or as many as precision needs.

One task is one replication of one arm, ``model.replicate(arm, index)``: it carries its
seed in its index (:func:`~.results.replication_seed`), so it runs the same in this
process, in a process pool, on a thread or on a dask worker, and the runner puts the
results back in the model's arm order, then by index, whatever order they finish in.
The same model and seed give bit-identical :class:`~.results.Results` whatever the
executor and the number of workers.

* :func:`run` runs ``n`` replications of every arm, or as many as :class:`Auto` needs.
* :func:`run_auto` runs :class:`Auto`'s rule and says what it decided
  (:class:`AutoOutcome`): the number of replications needed, and whether the asked
  precision was reached within the cap.

:class:`Auto` is the confidence-interval method with a look-ahead of Hoad, Robinson
and Davies (2010), "Automated selection of the number of replications for a
discrete-event simulation", *Journal of the Operational Research Society* 61(11),
1632-1644. With ``d(n)`` the largest relative half-width (Student-t half-width over
``|mean|``) of the first ``n`` replications, over every chosen measure in every arm,
the number needed is the smallest ``n >= initial`` with ``d(m) <= precision`` for every
``m`` from ``n`` to ``n + f(n)``, where ``f(n)`` is ``look_ahead`` up to 100
replications and ``look_ahead · n / 100`` (rounded down) above (the paper's
``f(kLimit)``). The rule reads only the first replications' values, so the number it
decides cannot depend on how many replications ran at once.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import multiprocessing.context
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed

import attrs

from ssp_core.progress import Progress
from ssp_core.simulation.results import Model, ReplicationResult, Results, t_interval

__all__ = ["Auto", "AutoOutcome", "relative_half_width", "run", "run_auto"]

Task = tuple[str, int]
"""One replication of one arm: ``(arm, index)``."""


def _keys(value: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(measure), str(group)) for measure, group in value)


@attrs.frozen
class Auto:
    """Run replications until the chosen measures are known to a relative precision.

    :ivar precision: the largest relative half-width of the confidence interval
        (half-width over ``|mean|``) accepted for every chosen measure in every arm.
    :ivar level: the confidence level of the Student-t intervals.
    :ivar measures: the (measure, group) keys to judge; empty: every key each
        replication of an arm measured.
    :ivar initial: the fewest replications of each arm (at least 2).
    :ivar look_ahead: how many replications past ``n`` the precision must hold for
        (``kLimit`` in Hoad, Robinson and Davies); scaled by ``n / 100`` past 100.
    :ivar most: the most replications of each arm; at it the runner stops and says the
        precision was not reached.
    """

    precision: float = attrs.field(default=0.05, validator=attrs.validators.gt(0))
    level: float = attrs.field(
        default=0.95, validator=[attrs.validators.gt(0), attrs.validators.lt(1)]
    )
    measures: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_keys)
    initial: int = attrs.field(default=3, validator=attrs.validators.ge(2))
    look_ahead: int = attrs.field(default=5, validator=attrs.validators.ge(0))
    most: int = 200

    def __attrs_post_init__(self) -> None:
        """Refuse a cap below the initial replications."""
        if self.most < self.initial:
            raise ValueError(f"most ({self.most}) is below initial ({self.initial})")

    def window(self, n: int) -> int:
        """Return ``f(n)``: how many replications past ``n`` the precision must hold for."""
        return self.look_ahead if n <= 100 else self.look_ahead * n // 100


@attrs.frozen
class AutoOutcome:
    """What :class:`Auto` decided, with the replications it returns.

    :ivar results: the first ``needed`` replications of every arm when the precision
        was reached (the look-ahead replications confirmed it and are left out, so
        ``run(model, needed)`` returns the same results); the first ``most`` otherwise.
    :ivar needed: the number of replications the rule chose (``Nsol``); None when the
        precision was not reached within ``most``.
    :ivar reached: whether the precision was reached and held over the look-ahead.
    :ivar precision: the largest relative half-width of the returned replications, over
        every chosen measure in every arm.
    :ivar ran: how many replications of each arm were run (look-ahead included).
    """

    results: Results
    needed: int | None
    reached: bool
    precision: float
    ran: int


def relative_half_width(values: Sequence[float], level: float = 0.95) -> float:
    """Return the half-width of the Student-t interval of ``values`` over ``|mean|``.

    A mean of 0 with a half-width of 0 (every value 0) is known exactly: 0. A mean of 0
    with some spread is ``inf``; a NaN value makes it NaN (never precise enough).
    """
    mean, half = t_interval(values, level)
    if half == 0:
        return 0.0
    if mean == 0:
        return math.inf
    return half / abs(mean)


# ---------------------------------------------------------------- running tasks


@attrs.define
class _Progress:
    """Reports ``progress(done, total)``; ``total`` grows when :class:`Auto` asks for more."""

    progress: Progress | None
    done: int = 0
    total: int = 0

    def plan(self, tasks: int) -> None:
        self.total += tasks
        if self.progress is not None:
            self.progress(self.done, self.total)

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        if self.progress is not None and self.total != self.done:
            self.total = self.done
            self.progress(self.done, self.total)


def _check_workers(workers: int | None) -> None:
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1; got {workers}")


def _context() -> multiprocessing.context.BaseContext:
    """Return how the pool's processes start: from a fork server where the platform has one.

    Forking a process that runs threads (a progress bar's, an embedding server's) can
    copy a lock another thread holds; Python 3.12 warns of it, and 3.14 no longer forks
    by default. A fork server is started before any of them and forks clean workers.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


@contextlib.contextmanager
def _opened(executor: Executor | None, workers: int | None) -> Iterator[Executor | None]:
    """Yield the executor to use: the one given, a pool made here, or None (this process)."""
    if executor is not None:
        yield executor
    elif workers == 1:
        yield None
    else:
        pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=_context())
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def _checked(result: ReplicationResult, task: Task) -> ReplicationResult:
    if (result.arm, result.index) != task:
        raise ValueError(
            f"the model answered replication {(result.arm, result.index)} for task {task}"
        )
    return result


def _execute(
    model: Model, tasks: Sequence[Task], pool: Executor | None, progress: _Progress
) -> dict[Task, ReplicationResult]:
    """Run ``tasks`` (in this process if ``pool`` is None) and return their results."""
    found: dict[Task, ReplicationResult] = {}
    if pool is None:
        for arm, index in tasks:
            found[arm, index] = _checked(model.replicate(arm, index), (arm, index))
            progress.step()
        return found
    futures: dict[Future[ReplicationResult], Task] = {
        pool.submit(model.replicate, arm, index): (arm, index) for arm, index in tasks
    }
    try:
        for future in as_completed(futures):
            task = futures[future]
            found[task] = _checked(future.result(), task)
            progress.step()
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return found


def _results(model: Model, found: dict[Task, ReplicationResult], count: int) -> Results:
    return Results(
        arms=tuple(model.arms),
        seed=model.seed,
        replications=tuple(found[arm, index] for arm in model.arms for index in range(count)),
    )


# ---------------------------------------------------------------- a fixed number


def run(
    model: Model,
    replications: int | Auto = 10,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Results:
    """Run ``replications`` replications of every arm of ``model`` and return them in order.

    :param replications: how many of each arm, or an :class:`Auto` rule (then see
        :func:`run_auto`, which also says what the rule decided).
    :param executor: where to run them; it is used and not shut down. None: a
        :class:`~concurrent.futures.ProcessPoolExecutor` of ``workers`` processes
        (``os.cpu_count()`` if None), made and shut down here, or, with ``workers``
        1, this process and no pool.
    :param workers: the processes of the pool made here; with ``executor``, how many
        tasks :class:`Auto` keeps in flight at once (``os.cpu_count()`` if None).
    :param progress: called as ``progress(done, total)`` as replications finish.
    :returns: the replications, ordered by the model's arms, then by index; the same
        for the same model and seed whatever the executor and the number of workers.
    """
    if isinstance(replications, Auto):
        return run_auto(
            model, replications, executor=executor, workers=workers, progress=progress
        ).results
    if replications < 1:
        raise ValueError(f"replications must be at least 1; got {replications}")
    _check_workers(workers)
    tasks = [(arm, index) for arm in model.arms for index in range(replications)]
    report = _Progress(progress)
    report.plan(len(tasks))
    with _opened(executor, workers) as pool:
        found = _execute(model, tasks, pool, report)
    return _results(model, found, replications)


# ---------------------------------------------------------------- as many as needed


@attrs.define
class _Judge:
    """Works out ``d(n)`` for the first ``n`` replications, once for each ``n``."""

    auto: Auto
    arms: tuple[str, ...]
    runs: dict[str, list[ReplicationResult]]
    _worst: dict[int, float] = attrs.Factory(dict)

    def keys(self, arm: str, n: int) -> tuple[tuple[str, str], ...]:
        if self.auto.measures:
            return self.auto.measures
        first = self.runs[arm][:n]
        common = {(f.measure, f.group) for f in first[0].figures}
        for replication in first[1:]:
            common &= {(f.measure, f.group) for f in replication.figures}
        return tuple(k for k in ((f.measure, f.group) for f in first[0].figures) if k in common)

    def worst(self, n: int) -> float:
        """Return ``d(n)``: the largest relative half-width over the arms and measures."""
        if n not in self._worst:
            widths: list[float] = []
            for arm in self.arms:
                first = self.runs[arm][:n]
                for measure, group in self.keys(arm, n):
                    try:
                        values = [r.value(measure, group) for r in first]
                    except KeyError:
                        raise ValueError(
                            f"measure {measure!r} (group {group!r}) was not measured in every "
                            f"replication of arm {arm!r}"
                        ) from None
                    widths.append(relative_half_width(values, self.auto.level))
            if not widths:
                raise ValueError("the replications measured nothing to judge the precision of")
            self._worst[n] = math.nan if any(map(math.isnan, widths)) else max(widths)
        return self._worst[n]

    def precise(self, n: int) -> bool:
        return self.worst(n) <= self.auto.precision  # False for NaN

    def decide(self, have: int) -> tuple[int | None, int]:
        """Return ``(Nsol, have)`` if decided, else ``(None, replications needed next)``.

        The candidate is the smallest ``n >= initial`` not yet refuted; it is confirmed
        when ``d(m) <= precision`` for ``m`` in ``n .. n + f(n)``, refuted at the first
        ``m`` where not, and the next candidate is then ``m + 1``.
        """
        n = self.auto.initial
        while True:
            end = n + self.auto.window(n)
            for m in range(n, end + 1):
                if m > have:
                    return None, end
                if not self.precise(m):
                    n = m + 1
                    break
            else:
                return n, have


def run_auto(
    model: Model,
    auto: Auto | None = None,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> AutoOutcome:
    """Run as many replications as ``auto`` needs; return them and what was decided.

    Replications run in rounds of at least as many tasks as the executor runs at once
    (``workers``, or ``os.cpu_count()``); the number decided and the replications
    returned depend only on the replications' values, never on the rounds. When the
    rule cannot be met within ``auto.most`` replications, the first ``most`` of each arm
    are returned with ``reached`` False. ``executor``, ``workers`` and ``progress`` are
    as in :func:`run`; ``progress``'s total grows when more replications are asked for.
    """
    auto = auto or Auto()
    _check_workers(workers)
    arms = tuple(model.arms)
    width = workers or os.cpu_count() or 1
    per_round = 1 if executor is None and workers == 1 else max(1, math.ceil(width / len(arms)))
    judge = _Judge(auto, arms, {arm: [] for arm in arms})
    report = _Progress(progress)
    have = 0
    needed: int | None = None
    want = auto.initial
    with _opened(executor, workers) as pool:
        while True:
            if have >= auto.initial:
                needed, want = judge.decide(have)
                if needed is not None:
                    break
                if want > auto.most:
                    want = auto.most  # out of reach: run up to the cap and return that
                    if have >= auto.most:
                        break
            goal = min(auto.most, max(want, have + per_round))
            tasks = [(arm, index) for arm in arms for index in range(have, goal)]
            report.plan(len(tasks))
            found = _execute(model, tasks, pool, report)
            for arm in arms:
                judge.runs[arm].extend(found[arm, index] for index in range(have, goal))
            have = goal
    report.finish()
    count = needed if needed is not None else auto.most
    return AutoOutcome(
        results=Results(
            arms=arms,
            seed=model.seed,
            replications=tuple(r for arm in arms for r in judge.runs[arm][:count]),
        ),
        needed=needed,
        reached=needed is not None,
        precision=judge.worst(count),
        ran=have,
    )
