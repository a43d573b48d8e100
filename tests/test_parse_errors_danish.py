"""click's own parser errors in the chosen language: one line, Danish under ``--lang da``."""

from __future__ import annotations

import pytest

from ssp_core.cli.entry import main
from tests.english import english_words

ME = ("--actor", "anne", "--role", "aalborg.ssp_consultant")


@pytest.mark.parametrize(
    ("args", "danish", "english"),
    [
        (("case", "fire"), "Argumentet 'CASE_ID' mangler.", "Missing argument 'CASE_ID'."),
        (("case", "list", "--bogus"), "Tilvalget '--bogus' findes ikke.", "No such option"),
        (
            ("case", "lst"),
            "Kommandoen 'lst' findes ikke. Mente du 'list'?",
            "No such command 'lst'.",
        ),
        (
            ("case", "list", "--limit", "abc", *ME),
            "Ugyldig værdi for '--limit': 'abc' er ikke et helt tal.",
            "Invalid value for '--limit': 'abc' is not a valid integer",
        ),
        (
            ("case", "show", "A", "B", "C", *ME),
            "Uventede ekstra argumenter: B C",
            "Got unexpected extra arguments (B C)",
        ),
        (
            ("index", "compute", "missing.csv"),
            "Ugyldig værdi for 'FILE': 'missing.csv' findes ikke.",
            "Invalid value for 'FILE': File 'missing.csv' does not exist.",
        ),
        (
            ("workflows", "list", "--kind", "nope"),
            "Ugyldig værdi for '--kind': 'nope' er ikke en af",
            "Invalid value for '--kind': 'nope' is not one of",
        ),
    ],
)
def test_a_parser_error_is_one_line_in_the_chosen_language(
    args: tuple[str, ...],
    danish: str,
    english: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: object,
) -> None:
    assert main(["--lang", "da", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fejl: {danish}"), err
    assert len(err.strip().splitlines()) == 1
    assert not english_words(err.replace("'", " ' ")), err
    assert main(["--lang", "en", *args]) == 2
    assert capsys.readouterr().err.startswith(f"error: {english}")
