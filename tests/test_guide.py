"""The help tool, readable: ``build_guide``, its Markdown and JSON, and ``ssp guide``."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

import ssp_aalborg.hooks
from ssp_core import Casework
from ssp_core.application.guide import (
    GUIDE_SECTIONS,
    Guide,
    build_guide,
    guide_markdown,
)
from ssp_core.cli import main
from ssp_core.cli.app import Context
from ssp_core.cli.guide import guide as guide_command
from ssp_core.domain.labels import LANGUAGES, Language
from ssp_core.exceptions import UnknownId
from ssp_core.plugins import (
    Labels,
    ReferenceText,
    Registry,
    Source,
    WorrySign,
    WorrySignCatalogue,
    WorrySignLevel,
    WorrySignScope,
    hookimpl,
)
from ssp_core.testing import make_registry
from tests.district import district_registry

TRICKY = "[bold]loud[/bold] \x1b[31mred\x07 *star* <b>"
"""A label with rich markup, an ANSI escape, a bell, Markdown and HTML: all must stay text."""


class SharedHelp:
    """A plugin of no municipality: one catalogue and one reference text with a URL."""

    plugin_name = "shared_help"

    @hookimpl
    def ssp_register_catalogues(self) -> list[WorrySignCatalogue]:
        return [
            WorrySignCatalogue(
                "shared_help.signs",
                1,
                Labels(TRICKY, TRICKY),
                Source("A shared help tool", url="https://example.org/help"),
                levels=(
                    WorrySignLevel(
                        "level",
                        Labels("Niveau", "Level"),
                        WorrySignScope.PERSON,
                        (WorrySign("sign", Labels(TRICKY, TRICKY)),),
                    ),
                ),
            )
        ]

    @hookimpl
    def ssp_register_reference_texts(self) -> list[ReferenceText]:
        return [
            ReferenceText(
                "shared_help.definition",
                Labels("Definition", "Definition"),
                Source(
                    "A report", publisher="A ministry", year=2020, url="https://example.org/report"
                ),
                items=(Labels(TRICKY, TRICKY),),
            )
        ]


@pytest.fixture(name="registry", scope="module")
def _registry() -> Registry:
    return district_registry(SharedHelp())


@pytest.fixture(name="aalborg", scope="module")
def _aalborg() -> Registry:
    return make_registry(ssp_aalborg.hooks)


def run(registry: Registry, *args: str) -> tuple[int, str]:
    """Run ``ssp ARGS`` over ``registry``; return the exit code and standard output."""
    from click.testing import CliRunner  # noqa: PLC0415

    language: Language = "da" if "--lang=da" in args else "en"
    args = tuple(a for a in args if not a.startswith("--lang="))
    obj = Context(autoload=False, block=(), language=language, registry=registry)
    result = CliRunner().invoke(guide_command, list(args), obj=obj)
    return result.exit_code, result.output


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_level_and_sign_of_aalborg_appears(aalborg: Registry, language: Language) -> None:
    catalogue = aalborg.catalogues["aalborg.worry_signs"]
    guide = build_guide(aalborg, language=language, sections=["worry-signs"])
    markdown = guide_markdown(guide)
    _, text = run(aalborg, "worry-signs", f"--lang={language}")
    assert catalogue.levels
    for level in catalogue.levels:
        for shown in (markdown, text, json.dumps(guide.to_dict(), ensure_ascii=False)):
            assert _words(level.labels.get(language)) in _words(shown)
            for sign in level.signs:
                assert _words(sign.labels.get(language)) in _words(shown)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_s_own_guidance_is_shown_first(aalborg: Registry, language: Language) -> None:
    catalogue = aalborg.catalogues["aalborg.worry_signs"]
    assert catalogue.guidance is not None
    (item,) = build_guide(aalborg, language=language, sections=["worry-signs"]).sections[0].items
    assert item.text == catalogue.guidance.get(language)
    _, text = run(aalborg, "worry-signs", f"--lang={language}")
    first_level = catalogue.levels[0].labels.get(language)
    assert _words(text).index(_words(catalogue.guidance.get(language))[:60]) < _words(text).index(
        _words(first_level)
    )


def test_every_reference_text_shows_its_source_and_url(registry: Registry) -> None:
    guide = build_guide(registry, sections=["reference"])
    markdown = guide_markdown(guide)
    _, text = run(registry, "reference")
    items = guide.section("reference").items
    assert {item.id for item in items} == set(registry.reference_texts)
    for item in items:
        source = registry.reference_texts[item.id].source
        assert item.source == source
        assert _words(str(source)) in _words(text)
        if source.url:
            assert source.url in text
            assert f"(<{source.url}>)" in markdown
    definitions = {"aalborg.definition.radicalisation", "aalborg.definition.extremism"}
    assert definitions <= {item.id for item in items}
    assert "Metoder i arbejdet med radikalisering" in markdown


def test_every_item_shows_a_source_line(registry: Registry) -> None:
    markdown = guide_markdown(build_guide(registry))
    items = sum(len(s.items) for s in build_guide(registry).sections)
    assert markdown.count("*Source:*") == items
    _, text = run(registry)
    assert text.count("Source:") == items


@pytest.mark.parametrize("language", LANGUAGES)
def test_json_round_trips(registry: Registry, language: Language) -> None:
    guide = build_guide(registry, language=language)
    assert Guide.from_dict(json.loads(json.dumps(guide.to_dict()))) == guide
    code, out = run(registry, "--json", f"--lang={language}")
    assert code == 0
    assert Guide.from_dict(json.loads(out)) == guide


def test_markdown_has_one_heading_per_section(registry: Registry) -> None:
    guide = build_guide(registry)
    markdown = guide_markdown(guide)
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings == [section.title for section in guide.sections]
    assert len(headings) == len(GUIDE_SECTIONS)
    _, out = run(registry, "--markdown", "corps", "partners")
    assert re.findall(r"^## (.+)$", out, flags=re.MULTILINE) == ["Corps", "Partners"]


def test_markup_and_control_codes_in_data_are_inert(registry: Registry) -> None:
    guide = build_guide(registry, sections=["worry-signs", "reference"])
    _, text = run(registry, "worry-signs", "reference")
    markdown = guide_markdown(guide)
    for shown in (text, markdown):
        assert "\x1b" not in shown and "\x07" not in shown
    # Written out: the text as it stands, Markdown with its backslashes escaped.
    assert "\\x1b[31mred\\x07" in text
    assert "\\\\x1b\\[31mred\\\\x07" in markdown
    assert "[bold]loud[/bold]" in text
    assert "\\[bold\\]loud\\[/bold\\]" in markdown
    assert "&lt;b&gt;" in markdown and "\\*star\\*" in markdown
    assert "\\u001b" in json.dumps(guide.to_dict())


def test_one_municipality_shows_its_items_and_the_shared_ones(registry: Registry) -> None:
    guide = build_guide(registry, municipality="hjoerring")
    homes = {item.municipality for section in guide.sections for item in section.items}
    assert homes == {"hjoerring", None}
    ids = {item.id for section in guide.sections for item in section.items}
    assert any(i.startswith("hjoerring.") for i in ids)
    assert {"shared_help.signs", "shared_help.definition"} <= ids
    assert not any(i.startswith("aalborg.") for i in ids)
    code, out = run(registry, "--json", "--municipality", "hjoerring")
    assert code == 0 and Guide.from_dict(json.loads(out)) == guide
    everything = build_guide(registry)
    assert any(
        item.municipality == "aalborg" for section in everything.sections for item in section.items
    )


def test_unknown_section_or_municipality_names_the_known_ones(
    capsys: pytest.CaptureFixture[str], registry: Registry
) -> None:
    with pytest.raises(UnknownId, match="unknown guide section 'signs'; known: action-group"):
        build_guide(registry, sections=["signs"])
    with pytest.raises(UnknownId, match="unknown municipality 'nowhere'"):
        build_guide(registry, municipality="nowhere")
    code = main(["--no-autoload", "guide", "corps", "signs"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1
    assert "unknown guide section 'signs'" in err
    assert all(section in err for section in GUIDE_SECTIONS)


def test_json_and_markdown_together_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-autoload", "guide", "--json", "--markdown"]) == 2
    assert "not both" in capsys.readouterr().err


def test_casework_gives_the_same_guide_without_a_grant(registry: Registry) -> None:
    casework = Casework(registry)
    try:
        assert casework.guide(language="da", sections=["corps"]) == build_guide(
            registry, language="da", sections=["corps"]
        )
    finally:
        casework.close()


def test_the_command_s_help_names_every_section() -> None:
    assert guide_command.help is not None
    assert all(section in guide_command.help for section in GUIDE_SECTIONS)


def test_danish_labels_in_danish(aalborg: Registry) -> None:
    _, out = run(aalborg, "info-house", "--lang=da")
    assert "INFO-huset" in out and "Bemanding" in out and "Kilde:" in out


def _words(text: str) -> str:
    """Return ``text`` with runs of whitespace made one space (rich wraps long lines)."""
    return " ".join(text.split())


def test_the_guide_page_example_prints_what_the_page_says() -> None:
    page = Path(__file__).parents[1] / "docs" / "guide.md"
    text = page.read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    printed = text[text.index(code) :].split("```text\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs/guide.md>", "exec"), {"__name__": "__doc_example__"})  # noqa: S102
    assert out.getvalue() == printed
