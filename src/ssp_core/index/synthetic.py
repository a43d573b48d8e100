"""Synthetic surveys and crime counts with a known truth, for examples, tests and benchmarks.

No real respondent is in this library. :func:`generate` draws respondents from a
made-up population whose answers follow an ordered-logit model, so the true
distribution of every item in every area and year is known exactly
(:class:`Truth`). The population has three age groups that differ in how safe they
feel and in how often they answer:

============  =================  ===============  ======================
age group     population share   response rate    shift (+ = less safe)
============  =================  ===============  ======================
young         0.30               0.25             +0.6
middle        0.40               0.45             0.0
old           0.30               0.65             -0.5
============  =================  ===============  ======================

Respondents therefore over-represent the old, an unweighted estimate is biased
towards "safe", and the design weight ``1 / response rate`` (times a random factor
independent of the answers, for realism) removes the bias. The location of the
answers is ``area effect + year trend + age shift``; area effects run evenly from
-0.8 (first area) to +0.8 (last). Problem and worry items (1-5) are missing
completely at random with probability ``missing``. Everything is deterministic given
``seed`` (``numpy.random.default_rng``).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ssp_core.extras import parquet
from ssp_core.files import open_private, private_file
from ssp_core.index.composite import resolve
from ssp_core.index.config import Columns, Cuts, IndexConfig
from ssp_core.index.survey import Survey, survey_from_columns

__all__ = [
    "AGE_GROUPS",
    "PROBLEMS",
    "WORRIES",
    "SyntheticCrime",
    "SyntheticSurvey",
    "Truth",
    "generate",
    "generate_crime",
    "synthetic_config",
]

FloatArray = npt.NDArray[np.float64]

AGE_GROUPS = (("young", 0.30, 0.25, 0.6), ("middle", 0.40, 0.45, 0.0), ("old", 0.30, 0.65, -0.5))
"""The made-up population: (name, population share, response rate, shift of the answers)."""

PROBLEMS = ("problem_vandalism", "problem_litter", "problem_noise")
"""The synthetic neighbourhood-problem items (1 = no problem, 5 = a big problem)."""

WORRIES = ("worry_burglary", "worry_violence")
"""The synthetic worry items (1 = never worried, 5 = very often)."""

DEFAULT_AREAS = ("Centrum", "Nord", "Syd", "Vest", "Øst")
DEFAULT_YEARS = (2021, 2022, 2023, 2024, 2025)

_SAFETY_CUTS = np.array([-1.6, -0.6, 0.2, 0.9, 1.7, 2.6])
_ITEM_CUTS = np.array([-1.0, 0.2, 1.2, 2.3])
_ITEM_SHIFT = {name: 0.3 * i - 0.3 for i, name in enumerate((*PROBLEMS, *WORRIES))}
_YEAR_TREND = -0.06


def synthetic_config(**changes: Any) -> IndexConfig:
    """Return the configuration that reads a synthetic survey file (``changes`` override)."""
    columns = Columns(problems=PROBLEMS, worries=WORRIES)
    return attrs.evolve(IndexConfig(columns=columns), **changes)


def _category_probabilities(location: FloatArray, cuts: FloatArray) -> FloatArray:
    """Ordered logit: P(answer = c) for locations (rows) over categories (columns)."""
    below = 1 / (1 + np.exp(-(cuts[None, :] - location[:, None])))
    edges = np.concatenate(
        [np.zeros((len(location), 1)), below, np.ones((len(location), 1))], axis=1
    )
    return np.diff(edges, axis=1)


def _mixture(location: float, cuts: FloatArray) -> FloatArray:
    shares = np.array([share for _, share, _, _ in AGE_GROUPS])
    shifts = np.array([shift for *_, shift in AGE_GROUPS])
    return shares @ _category_probabilities(location + shifts, cuts)


@attrs.frozen
class Truth:
    """The true population values of every area and year.

    :ivar safety: P(safety answer = 1..7) by (area, year).
    :ivar item_means: the true mean of each item by (area, year).
    """

    safety: Mapping[tuple[str, int], tuple[float, ...]]
    item_means: Mapping[tuple[str, int], Mapping[str, float]]

    def shares(self, area: str, year: int, cuts: Cuts | None = None) -> dict[str, float]:
        """Return the true safe / neither / unsafe shares (``*_share`` keys)."""
        probabilities = self.safety[(area, year)]
        return {
            f"{name}_share": float(sum(probabilities[low - 1 : high]))
            for name, (low, high) in (cuts or Cuts()).ranges().items()
        }

    def safety_mean(self, area: str, year: int) -> float:
        """Return the true mean of the safety item."""
        return float(sum(p * (c + 1) for c, p in enumerate(self.safety[(area, year)])))

    def composite(self, area: str, year: int, config: IndexConfig) -> float:
        """Return the true value of ``config``'s composite index (NaN if it is disabled)."""
        form = resolve(config.composite, config)
        if form is None:
            return float("nan")
        values = {name: np.asarray(self.value(name, area, year)) for name in form.coefficients}
        return float(form.apply(values))

    def value(self, measure: str, area: str, year: int) -> float:
        """Return the true value of a measure (a share, ``safety_mean`` or ``<item>_mean``)."""
        if measure == "safety_mean":
            return self.safety_mean(area, year)
        if measure.endswith("_share"):
            return self.shares(area, year)[measure]
        return self.item_means[(area, year)][measure.removesuffix("_mean")]


def _truth(areas: Sequence[str], years: Sequence[int]) -> Truth:
    safety: dict[tuple[str, int], tuple[float, ...]] = {}
    means: dict[tuple[str, int], Mapping[str, float]] = {}
    values = np.arange(1, 6)
    for a, area in enumerate(areas):
        for t, year in enumerate(years):
            location = _location(a, len(areas), t)
            safety[(area, year)] = tuple(float(p) for p in _mixture(location, _SAFETY_CUTS))
            means[(area, year)] = MappingProxyType(
                {
                    item: float(_mixture(location + shift, _ITEM_CUTS) @ values)
                    for item, shift in _ITEM_SHIFT.items()
                }
            )
    return Truth(MappingProxyType(safety), MappingProxyType(means))


def _location(area: int, areas: int, year: int) -> float:
    effect = -0.8 + 1.6 * area / (areas - 1) if areas > 1 else 0.0
    return effect + _YEAR_TREND * year


def _draw(rng: np.random.Generator, probabilities: FloatArray) -> npt.NDArray[np.int64]:
    """Draw one category (1-based) per row of ``probabilities``."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities))
    chosen: npt.NDArray[np.int64] = (u[:, None] > cumulative[:, :-1]).sum(axis=1, dtype=np.int64)
    return chosen + 1


@attrs.frozen(eq=False)
class SyntheticSurvey:
    """A synthetic survey: its columns (file column name -> array), truth and configuration."""

    columns: Mapping[str, npt.NDArray[Any]]
    truth: Truth
    config: IndexConfig

    def __len__(self) -> int:
        return len(self.columns["respondent"])

    def survey(self) -> Survey:
        """Return the answers as a checked :class:`~ssp_core.index.survey.Survey`."""
        return survey_from_columns(self.columns, self.config, source="<synthetic>")

    def write(self, path: str | Path) -> Path:
        """Write the survey as CSV or Parquet (by the suffix) and return the path."""
        file = Path(path)
        if file.suffix.lower() in {".parquet", ".pq"}:
            return self.to_parquet(file)
        return self.to_csv(file)

    def to_csv(self, path: str | Path) -> Path:
        """Write the survey as CSV (UTF-8, empty cells for no answer)."""
        file = Path(path)
        texts = []
        for name, values in self.columns.items():
            if values.dtype.kind == "f" and name != "weight":
                whole = np.nan_to_num(values).astype(np.int64).astype(str)
                texts.append(np.where(np.isnan(values), "", whole).tolist())
            else:
                texts.append(values.astype(str).tolist())
        with open_private(file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns)
            writer.writerows(zip(*texts, strict=True))
        return file

    def to_parquet(self, path: str | Path) -> Path:
        """Write the survey as Parquet (needs pyarrow); no answer is a null."""
        pa, pq = parquet("writing", "write CSV")
        arrays = {}
        for name, values in self.columns.items():
            if values.dtype.kind == "f" and name != "weight":
                arrays[name] = pa.array(
                    np.nan_to_num(values).astype(np.int64), mask=np.isnan(values)
                )
            else:
                arrays[name] = pa.array(values)
        file = Path(path)
        pq.write_table(pa.table(arrays), str(private_file(file)))
        return file


def generate(
    n: int,
    *,
    areas: int | Sequence[str] = DEFAULT_AREAS,
    years: Sequence[int] = DEFAULT_YEARS,
    seed: int = 0,
    missing: float = 0.05,
) -> SyntheticSurvey:
    """Draw a synthetic survey of ``n`` respondents, spread evenly over areas and years."""
    names = (
        tuple(f"Area {i + 1:02d}" for i in range(areas)) if isinstance(areas, int) else tuple(areas)
    )
    years = tuple(int(year) for year in years)
    if n < 1 or not names or not years:
        raise ValueError("need at least one respondent, area and year")
    rng = np.random.default_rng(seed)
    cell = np.arange(n) % (len(names) * len(years))
    rng.shuffle(cell)
    area, year = np.divmod(cell, len(years))
    responding = np.array([share * rate for _, share, rate, _ in AGE_GROUPS])
    group = rng.choice(len(AGE_GROUPS), size=n, p=responding / responding.sum())
    rates = np.array([rate for _, _, rate, _ in AGE_GROUPS])
    shifts = np.array([shift for *_, shift in AGE_GROUPS])
    weights = np.round(1 / rates[group] * np.exp(rng.normal(0, 0.2, n)), 4)
    effects = np.array([_location(a, len(names), 0) for a in range(len(names))])
    location = effects[area] + _YEAR_TREND * year + shifts[group]
    columns: dict[str, npt.NDArray[Any]] = {
        "respondent": np.char.add("R", np.char.zfill((np.arange(n) + 1).astype(str), 7)),
        "area": np.asarray(names)[area],
        "year": np.asarray(years, dtype=np.int64)[year],
        "weight": weights,
        "safety": _draw(rng, _category_probabilities(location, _SAFETY_CUTS)),
    }
    for item, shift in _ITEM_SHIFT.items():
        answers = _draw(rng, _category_probabilities(location + shift, _ITEM_CUTS)).astype(
            np.float64
        )
        answers[rng.random(n) < missing] = np.nan
        columns[item] = answers
    return SyntheticSurvey(MappingProxyType(columns), _truth(names, years), synthetic_config())


@attrs.frozen(eq=False)
class SyntheticCrime:
    """Synthetic reported crimes and residents per area and year, with the true rates."""

    areas: tuple[str, ...]
    years: tuple[int, ...]
    crimes: npt.NDArray[np.int64]
    population: npt.NDArray[np.int64]
    true_rate: FloatArray

    def to_csv(self, path: str | Path) -> Path:
        """Write ``area, year, crimes, population`` as CSV and return the path."""
        file = Path(path)
        with open_private(file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["area", "year", "crimes", "population"])
            for a, area in enumerate(self.areas):
                for t, year in enumerate(self.years):
                    writer.writerow(
                        [area, year, int(self.crimes[a, t]), int(self.population[a, t])]
                    )
        return file


def generate_crime(
    *,
    areas: int | Sequence[str] = DEFAULT_AREAS,
    years: Sequence[int] = DEFAULT_YEARS,
    seed: int = 0,
    per: int = 1000,
) -> SyntheticCrime:
    """Draw Poisson crime counts for residents of each area and year (rates per ``per``)."""
    names = (
        tuple(f"Area {i + 1:02d}" for i in range(areas)) if isinstance(areas, int) else tuple(areas)
    )
    years = tuple(int(year) for year in years)
    rng = np.random.default_rng(seed)
    effects = np.array([_location(a, len(names), 0) for a in range(len(names))])
    population = np.repeat(
        np.linspace(20_000, 60_000, len(names)).round().astype(np.int64)[:, None],
        len(years),
        axis=1,
    )
    population += np.arange(len(years), dtype=np.int64)[None, :] * 150
    rate = 40 * np.exp(0.5 * effects[:, None] + _YEAR_TREND * np.arange(len(years))[None, :])
    crimes = rng.poisson(rate * population / per).astype(np.int64)
    return SyntheticCrime(names, years, crimes, population, rate)
