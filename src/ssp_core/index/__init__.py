"""The safety index from raw survey data: weighted shares, means, intervals, plots.

Load survey microdata, estimate by area and year (or any grouping), compare groups,
compute reported crime per 1,000 residents, and plot::

    from ssp_core import index

    config = index.IndexConfig.from_toml("survey.toml")     # or IndexConfig()
    survey = index.load_survey("survey.csv", config)
    table = index.estimate(survey, by=("area", "year"))
    table.row("Nord", 2025)["unsafe_share"]                 # Estimate(value, low, high, se, n)
    index.comparisons(table, "unsafe_share", along="year")  # year-on-year differences
    index.plot_trend(table, "unsafe_share", "out/unsafe")   # out/unsafe.png, out/unsafe.svg

The composite index is a configurable formula of this library, **not** the
police's official safety index. ``docs/methodology.md`` has the formulas.
The plotting functions import matplotlib on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ssp_core.index.compare import Comparison, ComparisonTable, compare, comparisons, difference
from ssp_core.index.composite import LinearForm, formula, resolve
from ssp_core.index.config import (
    NOT_OFFICIAL,
    SHARES,
    Columns,
    Component,
    CompositeSpec,
    CrimeColumns,
    Cuts,
    IndexConfig,
    IntervalMethod,
)
from ssp_core.index.crime import CrimeCounts, CrimeRate, CrimeTable, crime_rates, load_crime
from ssp_core.index.estimate import Estimate, IndexRow, IndexTable, estimate
from ssp_core.index.survey import (
    DropReport,
    Factor,
    Problem,
    Survey,
    load_survey,
    survey_from_columns,
)
from ssp_core.index.synthetic import (
    SyntheticCrime,
    SyntheticSurvey,
    Truth,
    generate,
    generate_crime,
    synthetic_config,
)

if TYPE_CHECKING:
    from ssp_core.index.plot import plot_comparison, plot_differences, plot_trend

__all__ = [
    "NOT_OFFICIAL",
    "SHARES",
    "Columns",
    "Comparison",
    "ComparisonTable",
    "Component",
    "CompositeSpec",
    "CrimeColumns",
    "CrimeCounts",
    "CrimeRate",
    "CrimeTable",
    "Cuts",
    "DropReport",
    "Estimate",
    "Factor",
    "IndexConfig",
    "IndexRow",
    "IndexTable",
    "IntervalMethod",
    "LinearForm",
    "Problem",
    "Survey",
    "SyntheticCrime",
    "SyntheticSurvey",
    "Truth",
    "compare",
    "comparisons",
    "crime_rates",
    "difference",
    "estimate",
    "formula",
    "generate",
    "generate_crime",
    "load_crime",
    "load_survey",
    "plot_comparison",
    "plot_differences",
    "plot_trend",
    "resolve",
    "survey_from_columns",
    "synthetic_config",
]

_PLOTS = frozenset({"plot_comparison", "plot_differences", "plot_trend"})


def __getattr__(name: str) -> Any:
    """Import the plotting functions (and matplotlib) only when they are first used."""
    if name in _PLOTS:
        return getattr(importlib.import_module("ssp_core.index.plot"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
