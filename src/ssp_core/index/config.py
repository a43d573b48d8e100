"""Configuration of the safety index: column names, cut points, scales, intervals, composite.

Everything has a default, so ``IndexConfig()`` works for a file with the columns
``respondent, area, year, weight, safety``. A TOML file changes what differs::

    confidence = 0.9
    interval = "bootstrap"          # or "effective_n" (the default)
    delimiter = ";"                 # the CSV field separator (default ",")
    decimal = ","                   # the decimal sign (default "," with ";", else ".")

    [columns]
    respondent = "id"
    area = "district"
    problems = ["litter", "vandalism"]
    worries = ["worry_burglary"]

    [cuts]                          # inclusive ranges on the 1-7 scale
    safe = [1, 3]
    neither = [4, 4]
    unsafe = [5, 7]

    [[composite.components]]
    measure = "unsafe_share"
    better = "lower"

Unknown keys, wrong types and inconsistent values (cut points that leave a gap or
overlap) raise :class:`~ssp_core.exceptions.ConfigError` naming the key and what
is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from ssp_core.exceptions import ConfigError
from ssp_core.i18n import N_, _
from ssp_core.loading import read_toml, structure

__all__ = [
    "NOT_OFFICIAL",
    "SHARES",
    "Columns",
    "Component",
    "CompositeSpec",
    "CrimeColumns",
    "Cuts",
    "IndexConfig",
    "IntervalMethod",
]

IntervalMethod = Literal["effective_n", "bootstrap"]
"""How intervals are computed: linearisation with an effective sample size, or a bootstrap."""

NOT_OFFICIAL = N_("not the official police safety index")
"""The label every composite index carries, in tables, files and plot captions.

English as written (in CSV and JSON files); show it translated, ``_(NOT_OFFICIAL)``."""

_Range = tuple[int, int]

SHARES = ("safe_share", "neither_share", "unsafe_share")
"""The share measures, in the order of the categories safe, neither, unsafe."""


def _fail(message: str) -> ConfigError:
    return ConfigError(message)


@attrs.frozen
class Columns:
    """Where each logical field is found in the survey file: logical name -> column name.

    :ivar respondent: a respondent id, unique in the file.
    :ivar area: the area (municipality, district, housing area).
    :ivar year: the survey year, a whole number.
    :ivar weight: the design weight, a positive number.
    :ivar safety: the basic-safety item on the 1-7 scale.
    :ivar problems: neighbourhood-problem items (optional answers on ``problem_scale``).
    :ivar worries: worry items (optional answers on ``worry_scale``).
    :ivar groups: further grouping columns (e.g. an age band), usable in ``by``.
    """

    respondent: str = "respondent"
    area: str = "area"
    year: str = "year"
    weight: str = "weight"
    safety: str = "safety"
    problems: tuple[str, ...] = ()
    worries: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        names = self.required() + self.items() + self.groups
        seen: set[str] = set()
        for name in names:
            if not name:
                raise _fail(_("[columns]: a column name is empty"))
            if name in seen:
                raise _fail(
                    _("[columns]: the column {name!r} is named twice; each must differ").format(
                        name=name
                    )
                )
            seen.add(name)
        reserved = {"area", "year"}
        clash = sorted(reserved & set(self.groups))
        if clash:
            raise _fail(
                _("[columns] groups: {name!r} is reserved for the area or year column").format(
                    name=clash[0]
                )
            )

    def required(self) -> tuple[str, ...]:
        """Return the column names every file must have, in logical order."""
        return (self.respondent, self.area, self.year, self.weight, self.safety)

    def items(self) -> tuple[str, ...]:
        """Return the problem and worry item columns, problems first."""
        return self.problems + self.worries


@attrs.frozen
class Cuts:
    """Inclusive ranges of the 1-7 safety item that count as safe, neither and unsafe.

    The three ranges must not overlap, must leave no gap and must cover the scale
    (checked against the scale by :class:`IndexConfig`); their order on the scale
    is free, so a survey coded 7 = safe works too.
    """

    safe: _Range = (1, 3)
    neither: _Range = (4, 4)
    unsafe: _Range = (5, 7)

    def ranges(self) -> dict[str, _Range]:
        """Return the ranges by category name."""
        return {"safe": self.safe, "neither": self.neither, "unsafe": self.unsafe}

    def check(self, scale: _Range) -> None:
        """Raise :class:`ConfigError` unless the ranges tile ``scale`` exactly."""
        ranges = self.ranges()
        for name, (low, high) in ranges.items():
            if low > high:
                raise _fail(
                    _(
                        "[cuts] {name} = [{low}, {high}]: the first end must not exceed the last"
                    ).format(name=name, low=low, high=high)
                )
        ordered = sorted(ranges.items(), key=lambda item: item[1])
        expected = scale[0]
        for name, (low, high) in ordered:
            if low < expected:
                raise _fail(
                    _(
                        "[cuts] {name} = [{low}, {high}] overlaps another range "
                        "or starts before the scale's start {start}"
                    ).format(name=name, low=low, high=high, start=scale[0])
                )
            if low > expected:
                raise _fail(
                    _(
                        "[cuts] leave a gap: no range holds {value}; the ranges must "
                        "cover {start}-{end} without gaps"
                    ).format(value=expected, start=scale[0], end=scale[1])
                )
            expected = high + 1
        if expected - 1 != scale[1]:
            raise _fail(
                _("[cuts] must end at the scale's end {end}, not {last}").format(
                    end=scale[1], last=expected - 1
                )
            )


@attrs.frozen
class Component:
    """One part of the composite index.

    :ivar measure: a measure name (``safe_share``, ``neither_share``, ``unsafe_share``,
        ``safety_mean``, ``<item>_mean``), or ``problems`` / ``worries`` for the
        average of all problem / worry item means.
    :ivar weight: its weight (positive; weights are normalised to add up to 1).
    :ivar better: whether a ``lower`` or a ``higher`` value is the safer one; the
        component is rescaled to 0-100 with 100 the safest value.
    """

    measure: str
    weight: float = 1.0
    better: Literal["lower", "higher"] = "lower"

    def __attrs_post_init__(self) -> None:
        if not self.weight > 0:
            raise _fail(
                _("[[composite.components]] {measure}: weight must be positive").format(
                    measure=self.measure
                )
            )


DEFAULT_COMPONENTS = (
    Component("safety_mean", 1.0, "lower"),
    Component("problems", 1.0, "lower"),
    Component("worries", 1.0, "lower"),
)


@attrs.frozen
class CompositeSpec:
    """A composite index: a weighted mean of components rescaled to 0-100 (100 = safest).

    The default weighs the safety item's mean, the average problem item and the
    average worry item equally; ``problems`` or ``worries`` with no items configured
    are left out. It is **not** the police's official safety index (see
    :data:`NOT_OFFICIAL`), whose formula is not public.
    """

    enabled: bool = True
    name: str = "composite"
    components: tuple[Component, ...] = DEFAULT_COMPONENTS

    def __attrs_post_init__(self) -> None:
        if self.enabled and not self.components:
            raise _fail(_("[composite] components: give at least one, or set enabled = false"))


@attrs.frozen
class CrimeColumns:
    """Column names of a reported-crime file: one row per area and year."""

    area: str = "area"
    year: str = "year"
    crimes: str = "crimes"
    population: str = "population"


@attrs.frozen
class IndexConfig:
    """Everything the index needs to know about a survey file and how to estimate.

    :ivar columns: where the fields are in the file.
    :ivar cuts: the safe / neither / unsafe ranges of the safety item.
    :ivar scale: the safety item's scale, default 1-7 (1 = basically safe).
    :ivar problem_scale: the scale of the neighbourhood-problem items.
    :ivar worry_scale: the scale of the worry items.
    :ivar missing: cell values that mean "no answer" (besides an empty cell).
    :ivar delimiter: the CSV field separator, one character (default ``,``). A file whose
        header has semicolons and no comma, as Excel writes in Danish, is read with ``;``
        even so.
    :ivar decimal: the decimal sign of numbers in a CSV file, ``.`` or ``,`` (``1,5``);
        by default ``,`` when the fields are separated by ``;``, else ``.``. With ``,`` a
        cell that is a number with a decimal comma is read as that number; other text
        keeps its commas.
    :ivar confidence: the confidence level of every interval.
    :ivar interval: ``effective_n`` (linearisation; the default) or ``bootstrap``.
    :ivar replicates: bootstrap replicates.
    :ivar seed: the bootstrap's random seed.
    :ivar composite: the composite index.
    :ivar crime: column names of a reported-crime file.
    :ivar per: crime rates per this many residents.
    """

    columns: Columns = attrs.Factory(Columns)
    cuts: Cuts = attrs.Factory(Cuts)
    scale: _Range = (1, 7)
    problem_scale: _Range = (1, 5)
    worry_scale: _Range = (1, 5)
    missing: tuple[str, ...] = ("NA",)
    delimiter: str = ","
    decimal: str | None = None
    confidence: float = 0.95
    interval: IntervalMethod = "effective_n"
    replicates: int = 1000
    seed: int = 0
    composite: CompositeSpec = attrs.Factory(CompositeSpec)
    crime: CrimeColumns = attrs.Factory(CrimeColumns)
    per: int = 1000

    def __attrs_post_init__(self) -> None:
        for key in ("scale", "problem_scale", "worry_scale"):
            low, high = getattr(self, key)
            if low >= high:
                raise _fail(
                    _("{key} = [{low}, {high}]: the first end must be below the last").format(
                        key=key, low=low, high=high
                    )
                )
        self.cuts.check(self.scale)
        if not 0 < self.confidence < 1:
            raise _fail(
                _("confidence = {value}: must be between 0 and 1, e.g. 0.95").format(
                    value=self.confidence
                )
            )
        if self.interval not in ("effective_n", "bootstrap"):
            raise _fail(
                _("interval = {value!r}: allowed: effective_n, bootstrap").format(
                    value=self.interval
                )
            )
        if self.replicates < 50:
            raise _fail(
                _("replicates = {value}: use at least 50 (1000 is the default)").format(
                    value=self.replicates
                )
            )
        if len(self.delimiter) != 1:
            raise _fail(
                _('delimiter = {value!r}: must be one character, e.g. ";"').format(
                    value=self.delimiter
                )
            )
        if self.decimal not in (None, ".", ","):
            raise _fail(
                _('decimal = {value!r}: allowed: "." (1.5) or "," (1,5)').format(value=self.decimal)
            )
        if self.decimal is not None and self.decimal == self.delimiter:
            raise _fail(
                _(
                    "decimal = {value!r} is also the delimiter; with decimal commas, separate "
                    'the fields with semicolons: delimiter = ";"'
                ).format(value=self.decimal)
            )
        if self.composite.name in self.measures():
            raise _fail(
                _(
                    "[composite] name = {name!r} is the name of a measure; "
                    "choose another, e.g. composite"
                ).format(name=self.composite.name)
            )
        if self.per < 1:
            raise _fail(
                _("per = {value}: must be a positive whole number, e.g. 1000").format(
                    value=self.per
                )
            )

    def measures(self) -> tuple[str, ...]:
        """Return the names of the measures estimated for every group (without the composite).

        The three shares, ``safety_mean``, then ``<item>_mean`` for each problem and
        worry item.
        """
        return (*SHARES, "safety_mean", *(f"{item}_mean" for item in self.columns.items()))

    def item_scale(self, item: str) -> _Range:
        """Return the scale of a problem or worry item column."""
        return self.problem_scale if item in self.columns.problems else self.worry_scale

    @classmethod
    def from_toml(cls, path: str | Path) -> IndexConfig:
        """Load a configuration from a TOML file; a bad file raises :class:`ConfigError`."""
        data = read_toml(path)
        check_keys(data, cls, where=str(path))
        try:
            return structure(data, cls, where=str(path))
        except ConfigError as exc:
            text = str(exc)
            raise ConfigError(text if text.startswith(str(path)) else f"{path}: {text}") from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, where: str = "configuration") -> IndexConfig:
        """Build a configuration from plain data (as read from TOML)."""
        check_keys(data, cls, where=where)
        return structure(dict(data), cls, where=where)


_NESTED: dict[str, type] = {
    "columns": Columns,
    "cuts": Cuts,
    "composite": CompositeSpec,
    "crime": CrimeColumns,
}


def check_keys(data: Mapping[str, Any], cls: type, *, where: str, table: str = "") -> None:
    """Raise :class:`ConfigError` for the first key of ``data`` that ``cls`` does not have."""
    allowed = [field.name for field in attrs.fields(cls)]
    for key, value in data.items():
        place = f"[{table}] " if table else ""
        if key not in allowed:
            raise ConfigError(
                _("{where}: unknown key {place}{key!r}; allowed: {allowed}").format(
                    where=where, place=place, key=key, allowed=", ".join(allowed)
                )
            )
        nested = f"{table}.{key}" if table else key
        if key in _NESTED and isinstance(value, Mapping):
            check_keys(value, _NESTED[key], where=where, table=nested)
        if key == "components" and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    check_keys(item, Component, where=where, table=f"{nested}")
