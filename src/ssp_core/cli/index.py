"""``ssp index``: the safety index from survey microdata, with no case store and no key.

``compute`` estimates by group, ``compare`` gives differences with intervals,
``plot`` writes PNG and SVG figures, ``crime`` gives reported crime per 1,000
residents and ``synthetic`` writes a made-up survey to try it all on. Bad data end
the command with one line naming the rows (exit code 1, like every library error);
``--drop-invalid`` drops them instead and says how many on standard error. A
bootstrap (``--method bootstrap``) shows its progress on standard error when that is
a terminal; standard output (a table, CSV, JSON) is never mixed with it.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich import box
from rich.table import Table

from ssp_core.cli.app import CommandGroup
from ssp_core.cli.options import echo_json, json_as_format
from ssp_core.cli.progress import progress_bar, stderr_is_terminal
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _, current_language
from ssp_core.text import whole_number

if TYPE_CHECKING:
    from ssp_core.index.config import IndexConfig
    from ssp_core.index.estimate import IndexTable
    from ssp_core.index.survey import Survey

__all__ = ["index"]

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "csv", "json")
SHARE_MEASURES = ("safe_share", "neither_share", "unsafe_share")
DEFAULT_SHOWN = ("safe_share", "unsafe_share", "safety_mean", "composite")

_VARIABLES = {"area": N_("area"), "year": N_("year")}
"""The grouping variables every survey has, named in the current language where shown."""

_HEADINGS = {
    "safe_share": N_("safe %"),
    "neither_share": N_("neither %"),
    "unsafe_share": N_("unsafe %"),
    "safety_mean": N_("safety mean"),
}


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _by(text: str) -> tuple[str, ...]:
    return () if text.strip().lower() in {"", "none", "all"} else _split(text)


def _levels(values: Sequence[str]) -> dict[str, tuple[str, ...]] | None:
    if not values:
        return None
    levels: dict[str, tuple[str, ...]] = {}
    for value in values:
        name, sep, labels = value.partition("=")
        if not sep or not name.strip() or not _split(labels):
            raise click.BadParameter(
                _("{value!r}: write NAME=LEVEL,LEVEL, e.g. year=2024,2025").format(value=value),
                param_hint="--level",
            )
        levels[name.strip()] = _split(labels)
    return levels


def _config(path: Path | None) -> IndexConfig:
    from ssp_core.index.config import IndexConfig  # noqa: PLC0415 (keeps `ssp` start-up fast)

    return IndexConfig.from_toml(path) if path is not None else IndexConfig()


def _note_drops(survey: Survey) -> None:
    report = survey.report
    if report.dropped:
        click.echo(_("dropped invalid rows: {report}").format(report=report.describe()), err=True)


def _bootstrapping(method: str | None, config: IndexConfig) -> bool:
    """Tell whether the intervals come from a bootstrap (the option, else the configuration)."""
    return (method or config.interval) == "bootstrap"


@contextlib.contextmanager
def bootstrap_progress(shown: bool) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a callback that draws the bootstrap's progress on standard error, or None.

    The bar is drawn only when ``shown`` (a bootstrap, with standard error a terminal);
    it goes away when the bootstrap ends, and standard output is never touched.
    """
    with progress_bar(_("bootstrap replicates"), show=shown) as advance:
        yield advance if shown else None


def survey_options(function: F) -> F:
    """Add FILE, ``--config``, ``--drop-invalid``, ``--by``, ``--level``, interval options."""

    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A TOML file: column names, cut points, scales, composite.",
    )
    @click.option(
        "--drop-invalid",
        is_flag=True,
        help="Drop bad rows and empty groups, and say how many, instead of failing.",
    )
    @click.option(
        "--by",
        "by_text",
        default="area,year",
        show_default=True,
        metavar="NAMES",
        help="Group by these variables, comma-separated (area, year, configured groups); "
        "'none' for the whole survey.",
    )
    @click.option(
        "--level",
        "level_texts",
        multiple=True,
        metavar="NAME=A,B",
        help="Report exactly these levels of a variable (repeatable); "
        "a level without respondents is an error.",
    )
    @click.option(
        "--confidence",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        help="Confidence level of the intervals (default: the configuration's, 0.95).",
    )
    @click.option(
        "--method",
        type=click.Choice(["effective_n", "bootstrap"]),
        help="Intervals: effective_n (linearisation; default) or bootstrap.",
    )
    @functools.wraps(function)
    def wrapper(
        *args: Any,
        file: Path,
        config_path: Path | None,
        drop_invalid: bool,
        by_text: str,
        level_texts: tuple[str, ...],
        confidence: float | None,
        method: str | None,
        **kwargs: Any,
    ) -> Any:
        from ssp_core.index.estimate import estimate  # noqa: PLC0415
        from ssp_core.index.survey import load_survey  # noqa: PLC0415

        levels = _levels(level_texts)
        config = _config(config_path)
        survey = load_survey(file, config, drop_invalid=drop_invalid)
        _note_drops(survey)
        shown = _bootstrapping(method, config) and stderr_is_terminal()
        with bootstrap_progress(shown) as progress:
            table = estimate(
                survey,
                _by(by_text),
                confidence=confidence,
                method=method,  # type: ignore[arg-type]
                levels=levels,
                drop_empty=drop_invalid,
                progress=progress,
            )
        if table.empty_groups:
            empty = len(table.empty_groups)
            groups = "; ".join(", ".join(group) for group in table.empty_groups[:10])
            if empty > 10:
                groups = _("{rows} and {more} more").format(rows=groups, more=empty - 10)
            click.echo(
                _("no respondents, left out: {n} group(s): {groups}").format(
                    n=empty, groups=groups
                ),
                err=True,
            )
        return function(*args, table=table, **kwargs)

    return wrapper  # type: ignore[return-value]


def _number(value: float | int, spec: str) -> str:
    """Return a number as the current language writes it (Danish: 1.234,5; English: 1,234.5)."""
    text = format(value, spec)
    if current_language() == "da":
        return text.translate(_DANISH_DIGITS)
    return text


_DANISH_DIGITS = str.maketrans({",": ".", ".": ","})


def _interval(low: str, high: str) -> str:
    """Return an interval's ends in brackets (Danish separates them with a semicolon)."""
    return _("[{low}, {high}]").format(low=low, high=high)


def _fmt(measure: str, value: float) -> str:
    if math.isnan(value):
        return "-"
    if measure in SHARE_MEASURES:
        return _number(value * 100, ".1f")
    return _number(value, ".1f" if measure == "composite" else ".2f")


def _heading(measure: str, table: IndexTable) -> str:
    if measure in _HEADINGS:
        return _(_HEADINGS[measure])
    if measure == table.composite:
        return f"{measure}*"
    return _("{item} mean").format(item=measure.removesuffix("_mean"))


def _print(view: Table, *, right: Sequence[str] = (), caption: str | None = None) -> None:
    """Print a listing with numbers aligned right and a caption, ids never cut."""
    for column in view.columns:
        if str(column.header) in right:
            column.justify = "right"
    view.caption = inert(caption) if caption else None
    print_table(view)


def _render(table: IndexTable, shown: Sequence[str]) -> None:
    level = f"{table.confidence * 100:g}%"
    by = [_(_VARIABLES[name]) if name in _VARIABLES else name for name in table.by]
    groups = ", ".join(by) or _("the whole survey")
    title = _("Safety index by {groups}: weighted estimates and {level} intervals").format(
        groups=groups, level=level
    )
    caption = _("intervals: {method}").format(method=table.method)
    if table.composite is not None and table.composite in shown:
        caption += f"; * {table.composite_formula}"
    headings = [_heading(measure, table) for measure in shown]
    rows = []
    for row in table.rows:
        cells = [*(inert(label) for label in row.group), str(row.n)]
        for measure in shown:
            e = row[measure]
            low, high = _fmt(measure, e.low), _fmt(measure, e.high)
            cells.append(f"{_fmt(measure, e.value)}\n{low}-{high}")
        rows.append(cells)
    columns = (*by, "n", *headings)
    view = listing(inert(title), columns, rows, ids=columns)
    view.box = box.SIMPLE_HEAD
    view.pad_edge = False
    _print(view, right=("n", *headings), caption=caption)


def _csv_out(columns: Sequence[str], records: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    writer.writerows(
        ["" if isinstance(v, float) and math.isnan(v) else v for v in record] for record in records
    )


@click.group("index", cls=CommandGroup)
def index() -> None:
    """Estimate, compare and plot the safety index from survey microdata; crime rates.

    Needs no case store and no key. The composite index is a configurable formula,
    not the police's official safety index.
    """


@index.command("compute")
@json_as_format
@survey_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full table as CSV to this file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table (readable), csv or json (every measure) on standard output.",
)
@click.option(
    "--measure",
    "measures",
    multiple=True,
    metavar="NAME",
    help="A measure to show in the table (repeatable; default: safe and unsafe share, safety_mean, "
    "composite).",
)
def compute(table: IndexTable, out: Path | None, fmt: str, measures: tuple[str, ...]) -> None:
    """Estimate the safety index of survey FILE (CSV or Parquet) by group."""
    for measure in measures:
        if measure not in table.measures:
            raise DataError(
                _("unknown measure {measure!r}; known: {known}").format(
                    measure=measure, known=", ".join(table.measures)
                )
            )
    if out is not None:
        table.to_csv(out)
        click.echo(_("wrote {n} groups to {path}").format(n=len(table.rows), path=out), err=True)
    if fmt == "json":
        echo_json(table.as_dicts())
    elif fmt == "csv":
        _csv_out(table.columns(), table.records())
    else:
        _render(table, measures or tuple(m for m in DEFAULT_SHOWN if m in table.measures))


@index.command("compare")
@json_as_format
@survey_options
@click.option(
    "--measure", default="unsafe_share", show_default=True, help="The measure to compare."
)
@click.option(
    "--between",
    nargs=2,
    metavar="GROUP GROUP",
    help="Two groups, each as labels in the order of --by, e.g. Nord,2024 Syd,2024.",
)
@click.option(
    "--along",
    default="year",
    show_default=True,
    help="Without --between: compare along this variable within each level of the others.",
)
@click.option(
    "--pairs",
    type=click.Choice(["consecutive", "all"]),
    help="Consecutive levels (default along year) or all pairs (default otherwise).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
def compare_command(
    table: IndexTable,
    measure: str,
    between: tuple[str, str] | None,
    along: str,
    pairs: str | None,
    fmt: str,
) -> None:
    """Differences of a measure between groups of survey FILE, with intervals (second - first)."""
    from ssp_core.index.compare import ComparisonTable, compare, comparisons  # noqa: PLC0415
    from ssp_core.index.config import NOT_OFFICIAL  # noqa: PLC0415

    if between:
        one = compare(table, measure, _split(between[0]), _split(between[1]))
        note = NOT_OFFICIAL if measure == table.composite else ""
        result = ComparisonTable(table.by, measure, table.confidence, table.method, (one,), note)
    else:
        result = comparisons(table, measure, along=along, pairs=pairs)  # type: ignore[arg-type]
    if fmt == "json":
        echo_json([dict(zip(result.columns(), record, strict=True)) for record in result.records()])
        return
    if fmt == "csv":
        _csv_out(result.columns(), result.records())
        return
    level = f"{table.confidence * 100:g}%"
    caption = _("* the interval excludes 0")
    if result.note:
        caption += f"; {measure}: {_(result.note)}"
    title = _("Differences in {measure} (second - first) [{level} interval]").format(
        measure=measure, level=level
    )
    columns = (_("first"), _("second"), _("first value"), _("second value"), _("difference"))
    scale = 100 if measure in SHARE_MEASURES else 1
    unit = " " + _("pp") if measure in SHARE_MEASURES else ""
    rows = []
    for c in result.rows:
        mark = " *" if c.clear else ""
        rows.append(
            (
                inert(", ".join(c.first)),
                inert(", ".join(c.second)),
                _fmt(measure, c.first_value),
                _fmt(measure, c.second_value),
                inert(
                    f"{_number(c.difference * scale, '+.2f')}{unit}{mark}\n"
                    + _interval(_number(c.low * scale, "+.2f"), _number(c.high * scale, "+.2f"))
                ),
            )
        )
    _print(listing(inert(title), columns, rows, ids=columns), right=columns[2:], caption=caption)


@index.command("plot")
@survey_options
@click.option("--measure", default="unsafe_share", show_default=True, help="The measure to plot.")
@click.option(
    "--kind",
    type=click.Choice(["trend", "groups", "differences"]),
    default="trend",
    show_default=True,
    help="trend: over years, a line per group; groups: each group's estimate; "
    "differences: year-on-year (or --along) differences.",
)
@click.option(
    "--along",
    default="year",
    show_default=True,
    help="For --kind differences: compare along this variable.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The directory to write the figures to.",
)
@click.option(
    "--format", "formats", default="png,svg", show_default=True, help="Comma-separated: png, svg."
)
def plot_command(
    table: IndexTable, measure: str, kind: str, along: str, out_dir: Path, formats: str
) -> None:
    """Plot a measure of survey FILE as PNG and SVG files in --out."""
    from ssp_core.index import plot  # noqa: PLC0415
    from ssp_core.index.compare import comparisons  # noqa: PLC0415

    stem = out_dir / f"{measure}_{kind}"
    if kind == "trend":
        paths = plot.plot_trend(table, measure, stem, formats=_split(formats))
    elif kind == "groups":
        paths = plot.plot_comparison(table, measure, stem, formats=_split(formats))
    else:
        differences = comparisons(table, measure, along=along)
        paths = plot.plot_differences(
            differences, stem, formats=_split(formats), composite=table.composite
        )
    for path in paths:
        click.echo(_("wrote {path}").format(path=path))


@index.command("crime")
@json_as_format
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML file; its [crime] table names the columns.",
)
@click.option(
    "--drop-invalid", is_flag=True, help="Drop bad rows and say how many, instead of failing."
)
@click.option(
    "--per",
    type=click.IntRange(min=1),
    help="Rates per this many residents (default: the configuration's, 1000).",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Confidence level (default: the configuration's, 0.95).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the rates as CSV to this file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
def crime_command(
    file: Path,
    config_path: Path | None,
    drop_invalid: bool,
    per: int | None,
    confidence: float | None,
    out: Path | None,
    fmt: str,
) -> None:
    """Compute reported crime per 1,000 residents from FILE (area, year, crimes, population)."""
    from ssp_core.index.crime import crime_rates, load_crime  # noqa: PLC0415

    config = _config(config_path)
    counts = load_crime(file, config, drop_invalid=drop_invalid)
    rates = crime_rates(counts, per=per or config.per, confidence=confidence or config.confidence)
    if out is not None:
        rates.to_csv(out)
        click.echo(_("wrote {n} rows to {path}").format(n=len(rates.rows), path=out), err=True)
    if fmt == "json":
        echo_json([dict(zip(rates.columns(), record, strict=True)) for record in rates.records()])
        return
    if fmt == "csv":
        _csv_out(rates.columns(), rates.records())
        return
    level = f"{rates.confidence * 100:g}%"
    title = _("Reported crime per {per} residents [{level} exact Poisson interval]").format(
        per=_number(rates.per, ","), level=level
    )
    columns = (_("area"), _("year"), _("crimes"), _("residents"), _("rate"))
    rows = [
        (
            inert(r.area),
            str(r.year),
            _number(r.crimes, ","),
            _number(r.population, ","),
            f"{_number(r.rate, '.1f')} " + _interval(_number(r.low, ".1f"), _number(r.high, ".1f")),
        )
        for r in rates.rows
    ]
    _print(listing(inert(title), columns, rows, ids=columns), right=columns[1:])


def _years(text: str) -> tuple[int, ...]:
    first, sep, last = text.partition("-")
    try:
        if sep:
            return tuple(range(int(first), int(last) + 1))
        return tuple(int(year) for year in _split(text))
    except ValueError:
        raise click.BadParameter(
            _("{text!r}: write a range like 2021-2025 or a list like 2023,2025").format(text=text)
        ) from None


def _areas(text: str) -> int | tuple[str, ...]:
    """Read ``--areas``: a count from 1 to 99, or names separated by commas."""
    count = whole_number(text.strip())
    if count is not None:
        if not 1 <= count <= 99:
            raise click.BadParameter(
                _("a number of areas is from 1 to 99, got {count}").format(count=count)
            )
        return count
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise click.BadParameter(_("give a number of areas, or their names separated by commas"))
    return names


@index.command("synthetic")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--n",
    "size",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Respondents.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed; the same seed gives the same file.",
)
@click.option(
    "--areas",
    metavar="N|A,B,...",
    help="The number of areas (1-99), or their names separated by commas "
    "(default: five named areas).",
)
@click.option(
    "--years",
    "years_text",
    default="2021-2025",
    show_default=True,
    help="Years, as a range or a comma-separated list.",
)
@click.option(
    "--crime",
    "crime_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write synthetic crime counts (CSV) to this file.",
)
def synthetic(
    out: Path, size: int, seed: int, areas: str | None, years_text: str, crime_out: Path | None
) -> None:
    """Write a synthetic survey (no real respondents) to OUT (.csv or .parquet), and its config.

    The configuration that names its problem and worry items is written beside it,
    as OUT with the suffix .toml.
    """
    from ssp_core.index.synthetic import DEFAULT_AREAS, PROBLEMS, WORRIES, generate, generate_crime  # noqa: PLC0415

    years = _years(years_text)
    names = _areas(areas) if areas is not None else DEFAULT_AREAS
    survey = generate(size, areas=names, years=years, seed=seed)
    survey.write(out)
    config = out.with_suffix(".toml")
    config.write_text(
        "# "
        + _("Configuration of the synthetic survey written by `ssp index synthetic`.")
        + "\n[columns]\n"
        f"problems = {json.dumps(list(PROBLEMS))}\n"
        f"worries = {json.dumps(list(WORRIES))}\n",
        encoding="utf-8",
    )
    click.echo(
        _("wrote {n} synthetic respondents to {path} and their configuration to {config}").format(
            n=len(survey), path=out, config=config
        )
    )
    if crime_out is not None:
        generate_crime(areas=names, years=years, seed=seed).to_csv(crime_out)
        click.echo(_("wrote synthetic crime counts to {path}").format(path=crime_out))
    click.echo(
        _("try: {command}").format(
            command=f"ssp index compute {out} --config {config} --by area,year"
        )
    )
