"""The committed hook and data-file references match the code, and nothing lacks an entry."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import attrs
import pytest

from ssp_core.domain.labels import Labels
from ssp_core.exceptions import ConfigError
from ssp_core.loading import load_items, load_workflow
from ssp_core.plugins import datafiles, reference, spec
from ssp_core.workflows.definition import WorkflowDefinition
from ssp_core.workflows.extension import WorkflowExtension

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "reference"
REGENERATE = "python -m ssp_core.plugins.reference docs/reference"


@pytest.mark.parametrize(
    ("page", "render"),
    [
        ("hooks.md", reference.hook_reference),
        ("data-files.md", lambda: reference.data_reference(ROOT)),
    ],
)
def test_the_committed_reference_is_what_the_code_says(page: str, render) -> None:  # type: ignore[no-untyped-def]
    committed = (PAGES / page).read_text(encoding="utf-8")
    assert committed == render(), f"docs/reference/{page} is out of date: run {REGENERATE}"


def test_every_hook_and_every_key_has_an_entry() -> None:
    assert reference.undocumented() == []


def test_every_hook_and_every_table_is_in_the_reference() -> None:
    hooks = (PAGES / "hooks.md").read_text(encoding="utf-8")
    data = (PAGES / "data-files.md").read_text(encoding="utf-8")
    names = [name for name in vars(spec) if name.startswith("ssp_")]
    assert len(names) >= 30
    for name in names:
        assert f"## `{name}`" in hooks
    for table in datafiles.TABLES:
        assert f"## `[[{table}]]`" in data
        assert f"[`[[{table}]]`](data-files.md#{table})" in hooks


@attrs.frozen
class _Undocumented:
    """A table someone added without writing its reference.

    :ivar id: documented.
    """

    id: str
    labels: Labels
    colour: str = "red"


def test_a_key_without_its_entry_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = {**datafiles.TABLES, "widgets": ("ssp_register_roles", _Undocumented)}
    monkeypatch.setattr(reference, "TABLES", tables)
    here = f"{__name__}._Undocumented"
    assert reference.undocumented() == [f"key labels of {here}", f"key colour of {here}"]
    with pytest.raises(ConfigError) as caught:
        reference.data_reference(ROOT)
    assert str(caught.value) == (
        f"the plugin reference has no entry for: key labels of {here}; key colour of {here}. "
        "Write a docstring for each hook and an ':ivar key: meaning' line in the class "
        "docstring for each key"
    )


def test_a_hook_without_a_docstring_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    def ssp_register_widgets() -> list[object]:
        return []

    monkeypatch.setattr(spec, "ssp_register_widgets", ssp_register_widgets, raising=False)
    assert reference.undocumented() == ["hook ssp_register_widgets"]
    with pytest.raises(ConfigError, match="no entry for: hook ssp_register_widgets. Write"):
        reference.hook_reference()


def test_key_docs_reads_continued_lines_and_code() -> None:
    class Sample:
        """Prose.

        :ivar a: the ``first`` one,
            continued.
        :ivar b: see :class:`~ssp_core.domain.labels.Labels`.
        """

    assert reference.key_docs(Sample) == {
        "a": "the `first` one, continued.",
        "b": "see `Labels`.",
    }


def _examples(page: str) -> list[tuple[str, str]]:
    """Return each example of the page: the file it was cut from and its TOML."""
    pattern = re.compile(r"Example, from `([^`]+)`:\n\n```toml\n(.*?)\n```", re.DOTALL)
    return pattern.findall(page)


def test_every_example_is_real_and_loads(tmp_path: Path) -> None:
    page = (PAGES / "data-files.md").read_text(encoding="utf-8")
    examples = _examples(page)
    assert len(examples) >= 20
    tables = 0
    for number, (where, text) in enumerate(examples):
        source = (ROOT / where).read_text(encoding="utf-8")
        body = [line for line in text.splitlines() if line != "# ..."]
        assert "\n".join(body) in source, f"the example from {where} is not in that file"
        if "# ..." in text:
            continue  # cut short: the whole file is loaded by its plugin's tests
        data = tomllib.loads(text)
        path = tmp_path / f"example{number}.toml"
        path.write_text(text, encoding="utf-8")
        if "id" in data and "version" in data:
            loaded = load_workflow(path)
            assert isinstance(loaded, WorkflowDefinition | WorkflowExtension)
            continue
        (table,) = data
        load_items(path, table, datafiles.TABLES[table][1])
        tables += 1
    assert tables >= 15


def test_a_broken_item_names_its_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(
        "# roles\n\n"
        "[[roles]]\n"
        'id = "vesthavn.mentor"\n'
        'labels = { da = "Mentor", en = "Mentor" }\n\n'
        "[[roles]]  # the second\n"
        'id = "vesthavn.consultant"\n'
        'labels = { da = "SSP-konsulent" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_items(path, "roles", datafiles.TABLES["roles"][1])
    assert str(caught.value) == (
        f"{path}, line 7: [[roles]] #2: required key missing @ $.labels.en"
    )
