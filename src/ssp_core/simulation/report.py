"""The report of an experiment, after STRESS-DES, as Markdown.

STRESS-DES (Monks et al. 2019, "Strengthening the reporting of empirical simulation
studies: Introducing the STRESS guidelines", Journal of Simulation 13(1)) asks a
discrete-event simulation study to report six things: 1 its objectives, 2 the
model's logic, 3 its data, 4 how it was experimented with, 5 how it is implemented,
6 how to get the code. :func:`stress_report` writes those six sections from an
:class:`ExperimentInfo` and the experiment's summaries and paired differences.

The report is rendered from the template ``simulation_report.md.jinja``
(:mod:`ssp_core.reports.environment`): its headings and fixed sentences are in the
current language (:func:`ssp_core.i18n.language`), and every text the researcher or
the scenario gave (the name, descriptions, arm, measure and group names) is escaped
as inert Markdown. Numbers have a decimal comma in Danish.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Sequence
from importlib import metadata

import attrs

from ssp_core.i18n import _, current_language
from ssp_core.reports.environment import Markdown, render
from ssp_core.reports.escaping import table
from ssp_core.simulation.statistics import Difference, Summary

__all__ = ["ExperimentInfo", "software_versions", "stress_report", "system_description"]

_PACKAGES = ("ssp-core", "simpy", "numpy", "scipy")
_NOT_KNOWN = "\N{EN DASH}"  # a number that is not a number (nan)


def software_versions() -> tuple[tuple[str, str], ...]:
    """Return ``(name, version)`` of Python and of ssp-core, SimPy, NumPy and SciPy.

    A package that is not installed has the version ``""``.
    """
    found = [("python", platform.python_version())]
    for name in _PACKAGES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, ""))
    return tuple(found)


def system_description() -> str:
    """Return the operating system and machine the experiment runs on (``platform.platform()``)."""
    return platform.platform()


@attrs.frozen(kw_only=True)
class ExperimentInfo:
    """What the report says about an experiment besides its results.

    Every text here is shown as inert text (escaped). Paragraphs of the longer texts
    are separated by blank lines.

    :ivar name: the experiment's name.
    :ivar objective: what the model is for and what the experiment asks (STRESS 1).
    :ivar logic: how the model works: the cases' way through it, resources, queues (STRESS 2).
    :ivar data: where the inputs come from, and the assumptions made (STRESS 3).
    :ivar arms: ``(name, description)`` of each arm, the baseline first.
    :ivar seed: the experiment's seed.
    :ivar replications: the replications run per arm.
    :ivar replication_rule: how that number was chosen (e.g. "auto, to 5 % relative
        precision, reached at 37"); ``""``: fixed in advance.
    :ivar warmup: the warm-up period, not measured.
    :ivar horizon: the run length (the warm-up included).
    :ivar time_unit: the unit of ``warmup`` and ``horizon`` (e.g. "days").
    :ivar level: the confidence level of the intervals.
    :ivar executor: how the replications were run (e.g. "4 processes").
    :ivar measures: ``(name, description)`` of the outputs; empty: the names measured.
    :ivar left_out: what the model leaves out of the real system.
    :ivar random_numbers: how random numbers are drawn; ``""``: ssp_core's scheme
        (NumPy PCG64 streams from ``SeedSequence(seed, spawn_key=(replication,))``,
        shared by the arms).
    :ivar software: ``(name, version)`` of the software (default: :func:`software_versions`).
    :ivar system: the system it ran on (default: :func:`system_description`).
    :ivar code: where the scenario and code can be had, besides ssp_core itself.
    """

    name: str
    objective: str
    logic: str
    data: str
    arms: tuple[tuple[str, str], ...]
    seed: int
    replications: int
    warmup: float
    horizon: float
    time_unit: str
    executor: str
    replication_rule: str = ""
    level: float = 0.95
    measures: tuple[tuple[str, str], ...] = ()
    left_out: tuple[str, ...] = ()
    random_numbers: str = ""
    software: tuple[tuple[str, str], ...] = attrs.Factory(software_versions)
    system: str = attrs.Factory(system_description)
    code: str = ""


def _comma(text: str) -> str:
    return text.replace(".", ",") if current_language() == "da" else text


def _plain(value: float) -> str:
    """Return a number as short as it is exact (``30``, ``0.5``), with a decimal comma in Danish."""
    return _comma(f"{value:g}")


def _decimals(half_width: float, mean: float) -> int:
    """Return the decimals that show a half-width to two significant digits (or the mean to 4)."""
    if math.isfinite(half_width) and half_width > 0:
        return min(max(1 - math.floor(math.log10(half_width)), 0), 10)
    if math.isfinite(mean) and mean != 0:
        return min(max(3 - math.floor(math.log10(abs(mean))), 0), 10)
    return 0


def _number(value: float, decimals: int) -> str:
    if math.isnan(value):
        return _NOT_KNOWN
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return _comma(f"{value:.{decimals}f}")


def _interval(item: Summary | Difference, decimals: int) -> str:
    if math.isnan(item.half_width):
        return _NOT_KNOWN
    if math.isinf(item.half_width):
        return _("none (one replication)")
    return _("{low} to {high}").format(
        low=_number(item.low, decimals), high=_number(item.high, decimals)
    )


def _group(group: str) -> str:
    return group or _("all")


def _percent(level: float) -> str:
    return _plain(level * 100)


def _estimate_table(
    items: Sequence[Summary] | Sequence[Difference], headers: Sequence[str], level: float
) -> Markdown:
    """Return a table of summaries or differences: arm, measure, group, n, value, SD, interval.

    A difference's row ends with whether its interval excludes 0.
    """
    heads = [
        _("Arm"),
        _("Measure"),
        _("Group"),
        *headers,
        _("SD"),
        _("{level} % interval").format(level=_percent(level)),
    ]
    rows = []
    for item in items:
        decimals = _decimals(item.half_width, item.mean)
        row = [
            item.arm,
            item.measure,
            _group(item.group),
            str(item.replications),
            _number(item.mean, decimals),
            _number(item.sd, decimals + 1),
            _interval(item, decimals),
        ]
        if isinstance(item, Difference):
            row.append(_("yes") if item.excludes_zero else _("no"))
        rows.append(row)
    if items and isinstance(items[0], Difference):
        heads.append(_("Excludes 0"))
    return Markdown(table(heads, rows))


def _summary_table(summaries: Sequence[Summary], level: float) -> Markdown:
    return _estimate_table(summaries, ["n", _("Mean")], level)


def _difference_table(found: Sequence[Difference], level: float) -> Markdown:
    return _estimate_table(found, [_("Pairs"), _("Difference")], level)


def _paragraphs(text: str) -> list[str]:
    """Return the paragraphs of ``text`` (separated by blank lines), each on one line."""
    found = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [paragraph for paragraph in found if paragraph]


@attrs.frozen
class _Item:
    name: str
    description: str


def stress_report(
    info: ExperimentInfo,
    summaries: Sequence[Summary],
    differences: Sequence[Difference],
    files: Sequence[str] = (),
) -> str:
    """Return the STRESS-DES report of an experiment as Markdown, in the current language.

    ``summaries`` and ``differences`` are from
    :func:`~ssp_core.simulation.statistics.summarise` and
    :func:`~ssp_core.simulation.statistics.differences`; ``files`` names the files
    written beside the report (tables, figures), listed under code access.
    """
    baseline = differences[0].baseline if differences else (info.arms[0][0] if info.arms else "")
    measures = (
        [_Item(name, description) for name, description in info.measures]
        if info.measures
        else [_Item(name, "") for name in dict.fromkeys(s.measure for s in summaries)]
    )
    level = summaries[0].level if summaries else info.level
    return render(
        "simulation_report.md.jinja",
        name=info.name,
        objective=_paragraphs(info.objective),
        logic=_paragraphs(info.logic),
        data=_paragraphs(info.data),
        measures=measures,
        baseline=baseline,
        arms=[_Item(name, description) for name, description in info.arms],
        left_out=list(info.left_out),
        seed=str(info.seed),
        replications=str(info.replications),
        replication_rule=info.replication_rule,
        warmup=_plain(info.warmup),
        horizon=_plain(info.horizon),
        window=_plain(info.horizon - info.warmup),
        time_unit=info.time_unit,
        level=f"{_percent(level)} %",
        executor=info.executor,
        random_numbers=info.random_numbers,
        software=[_Item(name, version) for name, version in info.software],
        system=info.system,
        code=_paragraphs(info.code),
        files=list(files),
        summary_table=_summary_table(summaries, level) if summaries else None,
        difference_table=_difference_table(differences, level) if differences else None,
    )
