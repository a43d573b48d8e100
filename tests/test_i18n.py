"""The message catalogue and the language context: Danish where chosen, English elsewhere."""

from __future__ import annotations

import concurrent.futures
import logging

import click
import pytest
from babel.messages.catalog import Catalog, Message
from hypothesis import given
from hypothesis import strategies as st

from ssp_core.cli.app import log_level
from ssp_core.cli.entry import main
from ssp_core.domain.labels import Labels
from ssp_core.i18n import (
    N_,
    _,
    current_language,
    gettext,
    label,
    language,
    ngettext,
    set_language,
)
from ssp_core.i18n.catalogue import check, compare, placeholder_problem


def test_the_catalogue_is_complete_and_compiled() -> None:
    # every marked message of every source file is translated, no fuzzy entry, the same
    # {placeholders} as the English, and the .mo holds what the .po files say
    assert check() == []


def test_english_is_the_default_and_danish_is_chosen_per_block() -> None:
    assert current_language() == "en"
    assert _("error: {message}") == "error: {message}"
    with language("da"):
        assert current_language() == "da"
        assert gettext("error: {message}") == "fejl: {message}"
        assert _("a text with no translation stays as it is") == (
            "a text with no translation stays as it is"
        )
    assert current_language() == "en"


def test_the_language_is_per_thread() -> None:
    with language("da"), concurrent.futures.ThreadPoolExecutor(1) as pool:
        elsewhere = pool.submit(current_language).result()
        assert current_language() == "da"
    assert elsewhere == "en"


def test_an_unknown_language_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'; allowed: da, en"):
        set_language("de")
    assert current_language() == "en"


@given(st.integers(min_value=0, max_value=10_000))
def test_english_plurals_follow_the_count(n: int) -> None:
    expected = "{n} case" if n == 1 else "{n} cases"
    assert ngettext("{n} case", "{n} cases", n) == expected


def test_n_marks_without_translating_and_label_follows_the_language() -> None:
    marked = N_("error: {message}")
    labels = Labels(da="Bekymring", en="Concern")
    assert label(labels) == "Concern"
    with language("da"):
        assert marked == "error: {message}"
        assert _(marked) == "fejl: {message}"
        assert label(labels) == "Bekymring"


@pytest.mark.parametrize(
    ("english", "danish", "problem"),
    [
        ("Case {case} is closed.", "Sag {case} er lukket.", None),
        ("Case {case} is closed.", "Sagen er lukket.", "must use the placeholders ['case']"),
        ("Case {case} is closed.", "Sag {sag} er lukket.", "placeholders ['sag'] are not"),
        (("{n} case", "{n} cases"), ("{n} sag", "{n} sager"), None),
        (("one case", "{n} cases"), ("én sag", "{n} sager"), None),
    ],
)
def test_a_translation_must_keep_the_placeholders(
    english: str | tuple[str, str], danish: str | tuple[str, str], problem: str | None
) -> None:
    found = placeholder_problem(Message(english, danish))
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_the_command_line_speaks_the_chosen_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_ACTOR", "anne.ssp")
    monkeypatch.setenv("SSP_ROLE", "aalborg.ssp_consultant")
    assert main(["--lang", "da", "case", "show", "AAL-9999"]) != 0
    danish = capsys.readouterr().err
    assert danish.startswith("fejl: ")
    assert current_language() == "en"  # the command's choice ended with it
    monkeypatch.setenv("SSP_LANG", "da")
    main(["case", "show", "AAL-9999"])
    assert capsys.readouterr().err.startswith("fejl: ")
    main(["--lang", "en", "case", "show", "AAL-9999"])
    assert capsys.readouterr().err.startswith("error: ")


def test_the_log_level_comes_from_v_or_the_environment() -> None:
    assert log_level(2, None) == logging.DEBUG
    assert log_level(1, "ERROR") == logging.INFO  # -v wins over the environment
    assert log_level(0, "debug") == logging.DEBUG
    assert log_level(0, "WARNING") == logging.WARNING
    assert log_level(0, None) is None
    with pytest.raises(click.UsageError, match="allowed: DEBUG, INFO, WARNING, ERROR"):
        log_level(0, "loud")


def test_ssp_log_level_shows_the_log_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_LOG_LEVEL", "INFO")
    assert main(["workflows", "list"]) == 0
    assert "ssp: INFO ssp_core" in capsys.readouterr().err
    monkeypatch.delenv("SSP_LOG_LEVEL")
    assert main(["workflows", "list"]) == 0
    assert "ssp: INFO" not in capsys.readouterr().err


def test_compare_names_every_kind_of_gap_in_a_catalogue() -> None:
    wanted = Catalog(locale=None)
    for text in ("Case {case} is closed.", "Open", "Fuzzy", "Empty"):
        wanted.add(text)
    kept = Catalog(locale="da")
    kept.add("Case {case} is closed.", "Sagen er lukket.")  # lost its placeholder
    kept.add("Fuzzy", "Uklar", flags=["fuzzy"])
    kept.add("Empty", "")
    kept.add("Gone", "Væk")
    assert list(compare("x.po", wanted, kept)) == [
        "x.po: the translation must use the placeholders ['case']: 'Case {case} is closed.'",
        "x.po: not in the catalogue: 'Open' (run update)",
        "x.po: fuzzy, check and remove the flag: 'Fuzzy'",
        "x.po: not translated: 'Empty'",
        "x.po: no longer wanted: 'Gone' (run update)",
    ]
