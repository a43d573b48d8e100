"""The safety-index benchmark: ``estimate`` against plain NumPy and a pure-Python loop.

The workload is a synthetic survey (``ssp_core.index.synthetic.generate``) of
1,000,000 responses in 10 areas by 5 years, with the safety item and five problem
and worry items (5 % of their answers missing). Three contestants compute the same
estimates for each of the 50 area-year groups: respondents, Kish's effective sample
size, the three weighted shares with Wilson intervals on the effective sample size,
the weighted means of the safety item and of each item with linearised standard
errors and normal intervals, and the default composite with its linearised standard
error. Reading the file is not timed: every contestant starts from the same arrays.

* ``ours``: ``ssp_core.index.estimate(survey, by=("area", "year"))``, with its result
  objects.
* ``plain NumPy``: the straightforward NumPy code a statistician would write: a
  boolean mask per group, then sums over the group's rows (:func:`plain_numpy`).
* ``pure Python``: one loop over the rows into per-group accumulators, and a second
  loop for the squared residuals (:func:`pure_python`). It is timed on the first
  ``python_rows`` responses (the file is shuffled, so every group is in them) and
  scaled linearly to the whole survey; the loop's cost per row is the same at half
  that size, which the section reports.

Ours and plain NumPy run in rounds, in alternating order, after a full collection;
the first round is a discarded warm-up, and the ratio is the median of the
per-round ratios. The three results are checked to agree before anything is timed.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from time import perf_counter_ns
from typing import Any

import attrs
import numpy as np

from bench_report import DASH, FAIL, OK, TIMES, Target, fmt_int, fmt_ns, fmt_ratio
from ssp_core.index import IndexConfig, Survey, estimate, generate, resolve
from ssp_core.index.intervals import normal_quantile

__all__ = [
    "INDEX_FULL",
    "INDEX_HEADING",
    "INDEX_QUICK",
    "IndexResults",
    "IndexSettings",
    "PythonInputs",
    "evaluate_index",
    "measure_index",
    "plain_numpy",
    "pure_python",
    "render_index_markdown",
    "render_index_summary",
]

INDEX_HEADING = "## Safety index"
"""The first line of the index section; a page is split there to replace the section."""

RATIO_TARGET = 2.0
SPEEDUP_TARGET = 50.0
YEARS = (2021, 2022, 2023, 2024, 2025)

Result = dict[tuple[int, int], dict[str, tuple[float, float, float, float]]]
"""Per (area code, year code): measure -> (value, se, low, high)."""


@attrs.frozen
class IndexSettings:
    """How big the index benchmark is."""

    name: str
    rows: int
    areas: int
    rounds: int
    python_rows: int
    python_repeats: int


INDEX_FULL = IndexSettings("full", 1_000_000, 10, 9, 100_000, 3)
INDEX_QUICK = IndexSettings("quick", 200_000, 10, 5, 20_000, 2)


@attrs.frozen
class IndexResults:
    """What the index benchmark measured."""

    mode: str
    started: str
    seconds: float
    rows: int
    groups: int
    measures: int
    ours_ns: tuple[int, ...]
    plain_ns: tuple[int, ...]
    python_rows: int
    python_ns: tuple[int, ...]
    python_half_ns: tuple[int, ...]
    max_difference: float
    versions: tuple[tuple[str, str], ...]
    targets: tuple[Target, ...] = ()

    @property
    def ratio(self) -> float:
        """Ours over plain NumPy: the median of the per-round ratios."""
        return statistics.median(o / p for o, p in zip(self.ours_ns, self.plain_ns, strict=True))

    @property
    def python_scaled_ns(self) -> float:
        """The pure-Python loop's median time, scaled linearly to all rows."""
        return statistics.median(self.python_ns) * self.rows / self.python_rows

    @property
    def speedup(self) -> float:
        """The pure-Python loop's (scaled) time over ours."""
        return self.python_scaled_ns / statistics.median(self.ours_ns)

    @property
    def failed(self) -> bool:
        """Tell whether any gated target was missed."""
        return any(target.failed for target in self.targets)


# -- the two baselines ------------------------------------------------------------------


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return low, high


def _share_interval(p: float, variance: float, kish: float, z: float) -> tuple[float, float]:
    n_star = p * (1 - p) / variance if variance > 0 else 0.0
    return _wilson(p, n_star if n_star > 0 else kish, z)


def plain_numpy(
    survey: Survey, config: IndexConfig, coefficients: dict[str, float], offset: float
) -> Result:
    """The index of every area-year group, written the straightforward NumPy way."""
    z = normal_quantile(config.confidence)
    area, year = survey.factors["area"].codes, survey.factors["year"].codes
    weights, safety = survey.weights, survey.safety
    out: Result = {}
    for a in range(len(survey.factors["area"].labels)):
        in_area = area == a
        for t in range(len(survey.factors["year"].labels)):
            mask = in_area & (year == t)
            w, y = weights[mask], safety[mask]
            n, total = len(w), w.sum()
            kish = total**2 / (w**2).sum()
            factor = n / (n - 1)
            result: dict[str, tuple[float, float, float, float]] = {}
            influence = np.zeros(n)
            for name, (low, high) in config.cuts.ranges().items():
                hit = ((y >= low) & (y <= high)).astype(float)
                p = (w * hit).sum() / total
                residual = w * (hit - p) / total
                variance = factor * (residual**2).sum()
                result[f"{name}_share"] = (
                    p,
                    math.sqrt(variance),
                    *_share_interval(p, variance, kish, z),
                )
                influence += coefficients.get(f"{name}_share", 0.0) * residual
            mean = (w * y).sum() / total
            residual = w * (y - mean) / total
            se = math.sqrt(factor * (residual**2).sum())
            result["safety_mean"] = (mean, se, mean - z * se, mean + z * se)
            influence += coefficients.get("safety_mean", 0.0) * residual
            for item, values in survey.items.items():
                x = values[mask]
                answered = ~np.isnan(x)
                wi, xi, ni = w[answered], x[answered], int(answered.sum())
                mean = (wi * xi).sum() / wi.sum()
                residual = wi * (xi - mean) / wi.sum()
                se = math.sqrt(ni / (ni - 1) * (residual**2).sum())
                result[f"{item}_mean"] = (mean, se, mean - z * se, mean + z * se)
                influence[answered] += coefficients.get(f"{item}_mean", 0.0) * residual
            value = offset + sum(c * result[m][0] for m, c in coefficients.items())
            se = math.sqrt(factor * (influence**2).sum())
            result["composite"] = (value, se, value - z * se, value + z * se)
            out[(a, t)] = result
    return out


@attrs.frozen
class PythonInputs:
    """The survey as Python lists (no answer is None), the pure-Python loop's input."""

    area: list[int]
    year: list[int]
    weights: list[float]
    safety: list[float]
    items: dict[str, list[float | None]]


def _python_sums(
    data: PythonInputs, cuts: list[tuple[str, tuple[int, int]]]
) -> dict[Any, list[float]]:
    """First pass: per group n, sum w, sum w^2, sum w y, sums of w per cut, and per item."""
    columns = list(data.items.values())
    width = 4 + len(cuts) + 3 * len(columns)
    sums: dict[Any, list[float]] = {}
    for i, w in enumerate(data.weights):
        key = (data.area[i], data.year[i])
        acc = sums.get(key)
        if acc is None:
            acc = sums[key] = [0.0] * width
        y = data.safety[i]
        acc[0] += 1
        acc[1] += w
        acc[2] += w * w
        acc[3] += w * y
        for c, (_, (low, high)) in enumerate(cuts):
            if low <= y <= high:
                acc[4 + c] += w
        for k, column in enumerate(columns):
            x = column[i]
            if x is not None:
                base = 4 + len(cuts) + 3 * k
                acc[base] += 1
                acc[base + 1] += w
                acc[base + 2] += w * x
    return sums


def _python_spread(
    data: PythonInputs,
    cuts: list[tuple[str, tuple[int, int]]],
    sums: dict[Any, list[float]],
    means: dict[Any, list[float]],
    coefficients: list[float],
) -> dict[Any, list[float]]:
    """Second pass: per group the sums of squared residuals, and of the composite's influence."""
    columns = list(data.items.values())
    spread = {key: [0.0] * (2 + len(cuts) + len(columns)) for key in sums}
    for i, w in enumerate(data.weights):
        key = (data.area[i], data.year[i])
        m, acc, s = means[key], sums[key], spread[key]
        y = data.safety[i]
        r = w * (y - m[0]) / acc[1]
        s[0] += r * r
        u = coefficients[0] * r
        for c, (_, (low, high)) in enumerate(cuts):
            r = w * ((1.0 if low <= y <= high else 0.0) - m[1 + c]) / acc[1]
            s[1 + c] += r * r
            u += coefficients[1 + c] * r
        for k, column in enumerate(columns):
            x = column[i]
            if x is not None:
                r = w * (x - m[1 + len(cuts) + k]) / acc[4 + len(cuts) + 3 * k + 1]
                s[1 + len(cuts) + k] += r * r
                u += coefficients[1 + len(cuts) + k] * r
        s[-1] += u * u
    return spread


def pure_python(
    data: PythonInputs, config: IndexConfig, coefficients: dict[str, float], offset: float
) -> Result:
    """The same estimates with plain Python loops over the rows (no NumPy)."""
    z = normal_quantile(config.confidence)
    cuts = list(config.cuts.ranges().items())
    names = list(data.items)
    sums = _python_sums(data, cuts)
    means: dict[Any, list[float]] = {}
    for key, acc in sums.items():
        shares = [acc[4 + c] / acc[1] for c in range(len(cuts))]
        bases = [4 + len(cuts) + 3 * k for k in range(len(names))]
        means[key] = [acc[3] / acc[1], *shares, *(acc[b + 2] / acc[b + 1] for b in bases)]
    order = ["safety_mean", *(f"{name}_share" for name, _ in cuts), *(f"{n}_mean" for n in names)]
    spread = _python_spread(data, cuts, sums, means, [coefficients.get(m, 0.0) for m in order])
    out: Result = {}
    for key, acc in sums.items():
        n, m, s = acc[0], means[key], spread[key]
        factor = n / (n - 1)
        kish = acc[1] ** 2 / acc[2]
        result: dict[str, tuple[float, float, float, float]] = {}
        for position, name in enumerate(order):
            count = (
                n if position <= len(cuts) else acc[4 + len(cuts) + 3 * (position - 1 - len(cuts))]
            )
            variance = count / (count - 1) * s[position]
            value, se = m[position], math.sqrt(variance)
            if name.endswith("_share"):
                result[name] = (value, se, *_share_interval(value, variance, kish, z))
            else:
                result[name] = (value, se, value - z * se, value + z * se)
        value = offset + sum(c * result[name][0] for name, c in coefficients.items())
        se = math.sqrt(factor * s[-1])
        result["composite"] = (value, se, value - z * se, value + z * se)
        out[key] = result
    return out


# -- running ----------------------------------------------------------------------------


def _ours(survey: Survey) -> Result:
    table = estimate(survey, ("area", "year"))
    areas = {label: code for code, label in enumerate(survey.factors["area"].labels)}
    years = {label: code for code, label in enumerate(survey.factors["year"].labels)}
    return {
        (areas[row.group[0]], years[row.group[1]]): {
            name: (e.value, e.se, e.low, e.high) for name, e in row.estimates.items()
        }
        for row in table.rows
    }


def _difference(a: Result, b: Result) -> float:
    """The largest relative difference between two results (they must have the same groups)."""
    if set(a) != set(b):
        raise AssertionError("the contestants found different groups")
    worst = 0.0
    for key, measures in a.items():
        for name, values in measures.items():
            for x, y in zip(values, b[key][name], strict=True):
                worst = max(worst, abs(x - y) / max(1.0, abs(x)))
    return worst


def _subset(survey: Survey, rows: int) -> Survey:
    factors = {
        name: attrs.evolve(factor, codes=factor.codes[:rows])
        for name, factor in survey.factors.items()
    }
    return attrs.evolve(
        survey,
        factors=factors,
        weights=survey.weights[:rows],
        safety=survey.safety[:rows],
        items={name: values[:rows] for name, values in survey.items.items()},
        respondents=survey.respondents[:rows],
    )


def _python_inputs(survey: Survey, rows: int) -> PythonInputs:
    items = {
        name: [None if math.isnan(x) else x for x in values[:rows].tolist()]
        for name, values in survey.items.items()
    }
    return PythonInputs(
        survey.factors["area"].codes[:rows].tolist(),
        survey.factors["year"].codes[:rows].tolist(),
        survey.weights[:rows].tolist(),
        survey.safety[:rows].tolist(),
        items,
    )


def _time(function: Callable[[], object]) -> int:
    gc.collect()
    start = perf_counter_ns()
    function()
    return perf_counter_ns() - start


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed (source tree)"


def measure_index(settings: IndexSettings) -> IndexResults:
    """Run the index benchmark with ``settings``."""
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    _progress(f"index: generating {fmt_int(settings.rows)} synthetic responses")
    survey = generate(settings.rows, areas=settings.areas, years=YEARS, seed=2026).survey()
    config = survey.config
    form = resolve(config.composite, config)
    if form is None:
        raise AssertionError("the benchmark needs the default composite")
    coefficients, offset = dict(form.coefficients), form.offset

    def ours() -> Result:
        return _ours(survey)

    def plain() -> Result:
        return plain_numpy(survey, config, coefficients, offset)

    def python(rows: int) -> Callable[[], Result]:
        inputs = _python_inputs(survey, rows)
        return lambda: pure_python(inputs, config, coefficients, offset)

    _progress("index: checking that the three contestants agree")
    worst = _difference(ours(), plain())
    worst = max(
        worst,
        _difference(_ours(_subset(survey, settings.python_rows)), python(settings.python_rows)()),
    )
    if worst > 1e-9:
        raise AssertionError(f"the contestants disagree: relative difference {worst:.3g}")
    ours_ns, plain_ns = [], []
    for round_ in range(settings.rounds + 1):
        _progress(f"index: round {round_ + 1}/{settings.rounds + 1} (the first is a warm-up)")
        pair = (ours, plain) if round_ % 2 == 0 else (plain, ours)
        times = {function: _time(function) for function in pair}
        if round_:
            ours_ns.append(times[ours])
            plain_ns.append(times[plain])
    _progress(f"index: the pure-Python loop on {fmt_int(settings.python_rows)} responses")
    full, half = python(settings.python_rows), python(settings.python_rows // 2)
    python_ns = [_time(full) for _ in range(settings.python_repeats)]
    half_ns = [_time(half) for _ in range(settings.python_repeats)]
    results = IndexResults(
        mode=settings.name,
        started=when,
        seconds=time.monotonic() - started,
        rows=settings.rows,
        groups=settings.areas * len(YEARS),
        measures=len(config.measures()) + 1,
        ours_ns=tuple(ours_ns),
        plain_ns=tuple(plain_ns),
        python_rows=settings.python_rows,
        python_ns=tuple(python_ns),
        python_half_ns=tuple(half_ns),
        max_difference=worst,
        versions=tuple((name, _version(name)) for name in ("ssp-core", "numpy")),
    )
    return attrs.evolve(results, targets=evaluate_index(results))


def evaluate_index(results: IndexResults) -> tuple[Target, ...]:
    """Check the two index targets."""
    rows = fmt_int(results.rows)
    return (
        Target(
            f"Safety index of {rows} responses by area and year: ours over plain NumPy",
            fmt_ratio(results.ratio),
            f"≤ {RATIO_TARGET:.0f}{TIMES}",
            OK if results.ratio <= RATIO_TARGET else FAIL,
        ),
        Target(
            f"Safety index of {rows} responses: speed-up over a pure-Python loop",
            fmt_ratio(results.speedup),
            f"≥ {SPEEDUP_TARGET:.0f}{TIMES}",
            OK if results.speedup >= SPEEDUP_TARGET else FAIL,
        ),
    )


# -- reporting --------------------------------------------------------------------------


def render_index_summary(results: IndexResults) -> str:
    """Return a plain-text summary of the index targets, for the terminal."""
    lines = [f"{t.name}: {t.measured} (limit {t.limit}) {t.status}" for t in results.targets]
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    lines.append(f"index benchmark, {results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def render_index_markdown(results: IndexResults) -> str:
    """Return the index section of ``docs/performance.md``, starting with its heading."""
    ours, plain = statistics.median(results.ours_ns), statistics.median(results.plain_ns)
    python = statistics.median(results.python_ns)
    half = statistics.median(results.python_half_ns)
    per_row, per_row_half = python / results.python_rows, half / (results.python_rows // 2)
    rows = fmt_int(results.rows)
    lines = [
        INDEX_HEADING,
        "",
        (
            f"How fast `ssp_core.index.estimate` computes the safety index of {rows} survey "
            f"responses by area and year ({results.groups} groups, {results.measures} measures "
            "each with an interval), compared in the same run with plain NumPy code and a "
            "pure-Python loop computing the same estimates. Written by `benchmarks/run.py` "
            "(`bench_index.py` measures and writes this section)."
        ),
        "",
        "### Index targets",
        "",
        *_table(
            ("Target", "Measured", "Limit", "Result"),
            [(t.name, t.measured, t.limit, f"**{t.status}**") for t in results.targets],
            "lrrc",
        ),
        "",
        "### Index figures",
        "",
        *_table(
            ("Contestant", "Median time", "Fastest", "Slowest", "Relative to ours"),
            [
                (
                    'ours: `estimate(survey, by=("area", "year"))`',
                    fmt_ns(ours),
                    fmt_ns(min(results.ours_ns)),
                    fmt_ns(max(results.ours_ns)),
                    f"1.00{TIMES}",
                ),
                (
                    "plain NumPy: a boolean mask per group",
                    fmt_ns(plain),
                    fmt_ns(min(results.plain_ns)),
                    fmt_ns(max(results.plain_ns)),
                    fmt_ratio(plain / ours),
                ),
                (
                    f"pure Python, scaled from {fmt_int(results.python_rows)} rows",
                    fmt_ns(results.python_scaled_ns),
                    "",
                    "",
                    fmt_ratio(results.python_scaled_ns / ours),
                ),
            ],
            "lrrrr",
        ),
        "",
        (
            f"The pure-Python loop took {fmt_ns(python)} for {fmt_int(results.python_rows)} "
            f"rows ({per_row:.0f} ns a row) and {fmt_ns(half)} for half as many "
            f"({per_row_half:.0f} ns a row): its cost grows linearly, so its time for all "
            f"{rows} rows is the first figure scaled by "
            f"{results.rows / results.python_rows:g}. The three results agree to a relative "
            f"difference of {results.max_difference:.1g} or less (checked before timing)."
        ),
        "",
        "### How the index benchmark measures",
        "",
        (
            "The survey is synthetic (`ssp_core.index.synthetic.generate`, seed 2026): "
            f"{rows} responses, {results.groups // len(YEARS)} areas {TIMES} {len(YEARS)} "
            f"years, the 1{DASH}7 safety item and five 1{DASH}5 problem and worry items with "
            "5 % of answers "
            "missing, and design weights from a non-response model. Every contestant starts "
            "from the same arrays in memory (reading the file is not timed) and computes, "
            "per group: respondents, Kish's effective sample size, the safe / neither / unsafe "
            "shares with Wilson intervals on the effective sample size, the means of the "
            "safety item and of each item with linearised standard errors, and the default "
            "composite with its linearised standard error. Ours includes building its result "
            "objects. Ours and plain NumPy run in "
            f"{len(results.ours_ns) + 1} rounds, alternating which goes first, each after a "
            "full collection; the first round is a warm-up and is dropped, and the ratio is "
            "the median of the per-round ratios. The pure-Python loop runs "
            f"{len(results.python_ns)} times; its median is used."
        ),
        "",
        *(f"- {name}: {version}" for name, version in results.versions),
        f"- Run: {results.mode}, started {results.started}, took {results.seconds:.0f} s",
        "",
        "### Reproducing the index figures",
        "",
        (
            "- `python benchmarks/run.py --index-only` runs only this benchmark and replaces "
            "only this section of the page; `--no-index` skips it. `--quick` uses "
            "200,000 responses and leaves the page alone unless `--write` is given."
        ),
        "",
    ]
    return "\n".join(lines)
