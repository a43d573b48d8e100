"""Helpers of the safety-index tests: small surveys in memory and as files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ssp_core.index import IndexConfig, Survey, survey_from_columns
from ssp_core.index.synthetic import SyntheticSurvey, generate

HEADER = ("respondent", "area", "year", "weight", "safety")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def make_survey(
    weights: Sequence[float],
    safety: Sequence[float],
    *,
    areas: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    items: dict[str, Sequence[float]] | None = None,
    config: IndexConfig | None = None,
) -> Survey:
    n = len(weights)
    data: dict[str, Any] = {
        "respondent": np.array([f"r{i}" for i in range(n)]),
        "area": np.array(areas if areas is not None else ["A"] * n),
        "year": np.array(years if years is not None else [2025] * n, dtype=np.float64),
        "weight": np.asarray(weights, dtype=np.float64),
        "safety": np.asarray(safety, dtype=np.float64),
    }
    for name, values in (items or {}).items():
        data[name] = np.asarray(values, dtype=np.float64)
    return survey_from_columns(data, config or IndexConfig())


@pytest.fixture(name="small", scope="session")
def _small() -> SyntheticSurvey:
    return generate(6000, areas=3, years=(2024, 2025), seed=7)
