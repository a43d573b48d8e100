"""The install hint of a missing extra fits how ssp-core was installed."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from ssp_core import extras
from ssp_core.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[1]


class FakeDistribution:
    def __init__(self, direct_url: dict[str, object] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self.direct_url is None else json.dumps(self.direct_url)


def installed_as(monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, object] | None) -> None:
    monkeypatch.setattr(extras.metadata, "distribution", lambda _: FakeDistribution(direct_url))


def test_a_checkout_in_development_mode_gets_its_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, {"url": "file:///srv/ssp%20core", "dir_info": {"editable": True}})
    assert extras.install_hint("postgresql") == "pip install -e '/srv/ssp core[postgresql]'"


def test_a_release_gets_the_package_index_form(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, None)
    assert extras.install_hint("parquet") == "pip install 'ssp-core[parquet]'"
    installed_as(monkeypatch, {"url": "file:///tmp/ssp_core-0.2.whl", "archive_info": {}})
    assert extras.install_hint("parquet") == "pip install 'ssp-core[parquet]'"


def test_not_installed_at_all_gets_the_package_index_form(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(_: str) -> object:
        raise metadata.PackageNotFoundError("ssp-core")

    monkeypatch.setattr(extras.metadata, "distribution", missing)
    assert extras.install_hint("postgresql") == "pip install 'ssp-core[postgresql]'"


def test_the_missing_parquet_error_carries_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, {"url": f"file://{ROOT}", "dir_info": {"editable": True}})

    def no_pyarrow(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(extras.importlib, "import_module", no_pyarrow)
    with pytest.raises(ConfigError) as caught:
        extras.parquet("writing", "use CSV")
    assert str(caught.value) == (
        f"writing Parquet needs pyarrow: pip install -e '{ROOT}[parquet]' (or use CSV)"
    )
