from __future__ import annotations

from pathlib import Path

import pytest

from ssp_core.exceptions import ConfigError
from ssp_core.index import Columns, Component, CompositeSpec, Cuts, IndexConfig, resolve


def test_defaults_work_without_a_file() -> None:
    config = IndexConfig()
    assert config.cuts.ranges() == {"safe": (1, 3), "neither": (4, 4), "unsafe": (5, 7)}
    assert config.scale == (1, 7)
    assert config.interval == "effective_n"
    assert config.confidence == 0.95
    assert config.measures() == ("safe_share", "neither_share", "unsafe_share", "safety_mean")


@pytest.mark.parametrize(
    ("cuts", "message"),
    [
        (Cuts(safe=(1, 3), neither=(5, 5), unsafe=(6, 7)), "gap: no range holds 4"),
        (Cuts(safe=(1, 4), neither=(4, 4), unsafe=(5, 7)), "overlaps"),
        (Cuts(safe=(1, 3), neither=(4, 4), unsafe=(5, 6)), "must end at the scale's end 7"),
        (Cuts(safe=(2, 3), neither=(4, 4), unsafe=(5, 7)), "gap: no range holds 1"),
        (Cuts(safe=(3, 1), neither=(4, 4), unsafe=(5, 7)), "must not exceed"),
        (Cuts(safe=(0, 3), neither=(4, 4), unsafe=(5, 7)), "starts before the scale's start 1"),
    ],
)
def test_cut_points_must_tile_the_scale(cuts: Cuts, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        IndexConfig(cuts=cuts)


def test_reversed_coding_is_allowed() -> None:
    config = IndexConfig(cuts=Cuts(safe=(5, 7), neither=(4, 4), unsafe=(1, 3)))
    assert config.cuts.safe == (5, 7)
    assert IndexConfig(scale=(0, 10), cuts=Cuts((0, 4), (5, 5), (6, 10))).scale == (0, 10)


def test_toml_sets_columns_cuts_and_composite(tmp_path: Path) -> None:
    path = tmp_path / "index.toml"
    path.write_text(
        """
confidence = 0.9
interval = "bootstrap"
replicates = 200
[columns]
respondent = "id"
area = "district"
problems = ["litter"]
[cuts]
safe = [1, 2]
neither = [3, 5]
unsafe = [6, 7]
[composite]
name = "tryghed"
[[composite.components]]
measure = "unsafe_share"
weight = 2
[[composite.components]]
measure = "litter_mean"
""",
        encoding="utf-8",
    )
    config = IndexConfig.from_toml(path)
    assert config.columns.respondent == "id"
    assert config.columns.problems == ("litter",)
    assert config.cuts.neither == (3, 5)
    assert config.interval == "bootstrap"
    assert config.composite.components[0] == Component("unsafe_share", 2.0, "lower")
    form = resolve(config.composite, config)
    assert form is not None
    # the composite is 2/3 of 100 (1 - p) plus 1/3 of 100 (5 - m) / 4
    assert form.coefficients["unsafe_share"] == pytest.approx(-200 / 3)
    assert form.coefficients["litter_mean"] == pytest.approx(-100 / 12)
    assert form.offset == pytest.approx(200 / 3 + 500 / 12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1", "unknown key 'colour'; allowed: columns, cuts, scale"),
        (
            "[columns]\nrespondant = 'id'",
            r"unknown key \[columns\] 'respondant'; allowed: respondent, area",
        ),
        (
            "[cuts]\nsafe = [1, 3]\nneutral = [4, 4]",
            r"unknown key \[cuts\] 'neutral'; allowed: safe, neither, unsafe",
        ),
        (
            "[[composite.components]]\nmeasure = 'x'\nscale = 2",
            r"unknown key \[composite.components\] 'scale'; allowed: measure, weight, better",
        ),
        ("interval = 'jackknife'", "interval"),
        ("confidence = 1.5", "confidence = 1.5: must be between 0 and 1"),
        ("[cuts]\nsafe = [1, 2]", "gap: no range holds 3"),
        ("[columns]\narea = 'safety'", "the column 'safety' is named twice"),
        (
            "[[composite.components]]\nmeasure = 'happiness'",
            "unknown measure 'happiness'; allowed: safe_share",
        ),
        ("[[composite.components]]\nmeasure = 'problems'", "none of its components has data"),
        ("[[composite.components]]\nmeasure = 'safe_share'\nweight = 0", "weight must be positive"),
        ("scale = 'one to seven'", "scale"),
        ("[composite]\nname = 'unsafe_share'", "is the name of a measure"),
    ],
)
def test_bad_toml_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")

    def load() -> None:
        config = IndexConfig.from_toml(path)
        resolve(config.composite, config)

    with pytest.raises(ConfigError, match=message):
        load()


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        IndexConfig.from_toml(tmp_path / "nope.toml")


def test_default_composite_drops_item_groups_without_items() -> None:
    plain = IndexConfig()
    form = resolve(plain.composite, plain)
    assert form is not None
    assert dict(form.coefficients) == {"safety_mean": pytest.approx(-100 / 6)}
    assert form.offset == pytest.approx(700 / 6)
    with_items = IndexConfig(columns=Columns(problems=("a", "b"), worries=("c",)))
    form = resolve(with_items.composite, with_items)
    assert form is not None
    assert form.coefficients["a_mean"] == pytest.approx(form.coefficients["b_mean"])
    assert form.coefficients["c_mean"] == pytest.approx(2 * form.coefficients["a_mean"])
    assert resolve(CompositeSpec(enabled=False), plain) is None
