"""The safety index end to end, on a synthetic survey: load, estimate, compare, plot.

Run it from the repository root to regenerate the figures of ``docs/safety-index.md``::

    python examples/safety_index.py            # writes docs/_static/index/*.png

No real respondent is involved: the survey and the crime counts are drawn by
``ssp_core.index.synthetic`` from a made-up population with a known truth.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ssp_core import index

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "_static" / "index"


def run(figures: Path = FIGURES, *, n: int = 20_000, seed: int = 1) -> dict[str, object]:
    """Generate, load, estimate, compare and plot; return what was found and written."""
    with tempfile.TemporaryDirectory() as work:
        path = index.generate(n, seed=seed).write(Path(work) / "survey.csv")
        index.generate_crime(seed=seed).to_csv(Path(work) / "crime.csv")
        config = index.synthetic_config()
        survey = index.load_survey(path, config)
        crime = index.crime_rates(index.load_crime(Path(work) / "crime.csv"))
    table = index.estimate(survey, by=("area", "year"))
    nord = table.row("Nord", 2025)["unsafe_share"]
    print(f"Nord 2025 unsafe: {nord.value:.1%} [{nord.low:.1%}, {nord.high:.1%}]")
    changes = index.comparisons(table, "unsafe_share", along="year")
    clear = [c for c in changes.rows if c.clear]
    print(f"year-on-year changes: {len(changes.rows)}, with an interval excluding 0: {len(clear)}")
    last = index.estimate(survey, by=("area",), levels={"area": ["Centrum", "Øst"]})
    print(f"composite, Centrum vs Øst: {[round(r['composite'].value, 1) for r in last.rows]}")
    print(f"crime per 1,000 in {crime.rows[0].area} {crime.rows[0].year}: {crime.rows[0].rate:.1f}")
    png = ("png",)  # the documentation shows PNG; every plot function also writes SVG
    written = [
        *index.plot_trend(table, "unsafe_share", figures / "unsafe_trend", formats=png),
        *index.plot_trend(table, "composite", figures / "composite_trend", formats=png),
        *index.plot_differences(changes, figures / "unsafe_changes", formats=png),
    ]
    for file in written:
        print(f"wrote {file.name}")
    return {"table": table, "changes": changes, "written": written}


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else FIGURES)
