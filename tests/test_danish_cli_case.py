"""``ssp --lang da demo`` and ``ssp --lang da case ...`` in Danish, ids whole at 80 columns.

The demo's narration, its tables and the ``case`` commands' output are searched for
English words (:mod:`tests.english`). What the demo prints that is not its own is
left out of that search: the refusal reasons the library raises (translated in the
library) and the free text of the plugin's example safety walks (data). At 80
columns (a pipe's width) every id the demo prints is whole on one line: compared
with the same demo printed 1000 columns wide, no id is cut, folded or shortened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest

import ssp_core
from ssp_core.cli import main
from ssp_core.cli.options import DATE
from ssp_core.i18n import language
from ssp_core.privacy.keys import write_key_file
from tests.english import english_words, summary

Run = Callable[..., tuple[int, str, str]]
CONSULTANT = ("--actor", "anne.ssp", "--role", "aalborg.ssp_consultant")
REFUSED = ("Afvist, intet er ændret: ", "Videregivelse afvist, intet er delt: ")
"""The demo's lines that end with a reason the library gives (not this part's text)."""
STORED_REFUSED = "Afvist, intet er gemt: "
_HEX = re.compile(r"\b[0-9a-f]{8,}\b")
_ID = re.compile(r"[\w.@/-]*[._@/\d][\w.@/-]*")


def _demo(
    columns: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    """Run ``ssp --lang da demo`` into a store of its own at ``columns`` wide."""
    for name in ("SSP_KEY", "SSP_KEY_FILE", "SSP_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", str(columns))
    folder = tmp_path / str(columns)
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert main(["--lang", "da", "--store", "sqlite:///ssp.db", "demo"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return _HEX.sub("0123abcd", out)  # the key's fingerprint, the pseudonyms: new each run


def _not_ours(text: str) -> str:
    """Return the demo's output without what the library and the plugin's data say."""
    places = {
        finding.place.description
        for plan in ssp_core.load_registry().example_walks.values()
        for finding in plan.findings
    }
    lines = []
    for line in text.splitlines():
        for prefix in (*REFUSED, STORED_REFUSED):
            if line.startswith(prefix):
                line = prefix  # noqa: PLW2901 (the reason after it is the library's)
        for place in places:
            line = line.replace(place, "")  # noqa: PLW2901 (the example walks' own words)
        lines.append(line)
    return "\n".join(lines)


@pytest.fixture(name="wide")
def _wide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    return _demo(1000, tmp_path, monkeypatch, capsys)


def test_the_demo_speaks_danish(wide: str) -> None:
    found = english_words(_not_ours(wide))
    assert not found, summary(found)
    flat = " ".join(wide.split())
    for expected in (
        "Bekymring 1: en lærer er bekymret for en elev på 16 år",
        "valgt actioncard: aalborg.radicalisation_under_18",
        "Hvad hver aktør kan gøre nu i sag AAL-0001 (tilstand: Samlet vurdering og anbefaling)",
        "┃ aktør (rolle) ┃ kan gøre nu ┃ blokeret, og hvorfor ┃",
        "* kun med en skriftlig begrundelse (--reason)",
        "Historik for sag AAL-0001 (aalborg.radicalisation_under_18@2)",
        "registreret: Underretning til kommunen er sendt (children_services_notified)",
        "handling: close: Opfølgning -> Afsluttet efter indsats og opfølgning",
        (
            "Videregivelsesregister: 2026-03-05 videregav anne.ssp (aalborg.ssp_consultant) "
            "sag, person, notater fra sag AAL-0001 til aalborg.nordjyllands_politi"
        ),
        "Ingen adgang til sag AAL-0001 efter deres rettigheder: eva.mentor (Mentor)",
        "Åbne fund fra tryghedsvandringer",
        "18 sager læst tilbage gennem en ny forbindelse; alle hændelser er der.",
        "Sagsarkivet indeholder 18 sager i alt.",
    ):
        assert expected in flat, expected
    # The texts the demo writes into the cases are Danish too (here, a closing reason).
    assert "(Tilbage i skole og klub; familien er enig.)" in flat


def test_every_id_is_whole_on_one_line_at_80_columns(
    wide: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    narrow = _demo(80, tmp_path, monkeypatch, capsys)
    shortened = narrow.replace("…);", "")  # the pseudonym is shown shortened, on purpose
    assert "…" not in shortened  # no cell is
    # Every id-like word at 80 columns is one the demo prints whole when nothing wraps:
    # a cut or folded id would leave a piece that is not one.
    whole = set(_ID.findall(wide))
    pieces = set(_ID.findall(narrow)) - whole
    assert not pieces, sorted(pieces)
    for name in (
        "aalborg.radicalisation_under_18",
        "aalborg.ssp_consultant",
        "aalborg.frontline_worker",
        "aalborg.nordjyllands_politi",
        "passport_measures_considered",
        "consent_withdrawn",
    ):
        assert re.search(rf"(^|[\s(]){re.escape(name)}\b", narrow, re.MULTILINE), name
    # The demo's own tables fit the 80 columns: their free text wraps instead.
    drawn = [line for line in narrow.splitlines() if line[:1] in ("┏", "┃", "┡", "│", "└")]
    assert drawn and all(len(line) <= 80 for line in drawn)


@pytest.fixture(name="ssp")
def _ssp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    key = tmp_path / "municipal.key"
    write_key_file(key)
    monkeypatch.setenv("SSP_KEY_FILE", str(key))
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("SSP_ACTOR", "SSP_ROLE", "SSP_LANG"):
        monkeypatch.delenv(name, raising=False)
    store = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--lang", "da", "--store", store, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _no_english(text: str) -> None:
    found = english_words(text)
    assert not found, summary(found)


def test_the_case_commands_speak_danish(ssp: Run) -> None:
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.radicalisation_under_18", "--pseudonym", "a" * 32,
        "--birth-date", "2011-05-01", "--concern-date", "2026-03-02", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    _no_english(out)
    flat = " ".join(out.split())
    assert "tilstand Bekymringen modtages og beskrives, version 1" in flat
    assert "begin_analysis kræver: Bekymringen er" in out
    case_id = out.split()[0]
    steps = [
        ("case", "fact", case_id, "concern_described"),
        ("case", "fire", case_id, "begin_analysis"),
        ("case", "note", case_id, "Ringede til skolen"),
        ("case", "assign", case_id, "eva.mentor"),
        ("case", "suspend", case_id, "--reason", "Venter på svar"),
        ("case", "resume", case_id),
        ("case", "show", case_id),
        ("case", "history", case_id),
        ("case", "list"),
        ("case", "coming-of-age", "--within", "5000"),
        ("case", "migrate", "aalborg.mentor", "--dry-run"),
    ]
    said = {}
    for args in steps:
        code, out, err = ssp(*args, *CONSULTANT)
        said[args[1]] = out + err
        assert code == 0, err
        _no_english(out + err)
    assert f"{case_id}: concern_described registreret (version 2)" in said["fact"]
    assert f"{case_id}: notat tilføjet" in said["note"]
    assert f"{case_id}: tildelt eva.mentor" in said["assign"]
    assert f"{case_id}: sat i bero" in said["suspend"]
    assert f"{case_id}: genoptaget; frister:" in said["resume"]
    history = " ".join(said["history"].split())
    assert "Historik for sag" in history and "┃ # ┃ tid (UTC) ┃ aktør (rolle) ┃ hændelse" in history
    assert "handling: begin_analysis: Bekymringen" in history and "-> Analyse af" in history
    assert "notat: Ringede til skolen" in history and "SSP-konsulent" in history
    assert "1 sag(er)" in said["list"] and "næste frist" in said["list"]
    assert "prøvekørsel: intet er ændret" in said["migrate"]


def test_observations_and_resources_speak_danish(ssp: Run) -> None:
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", "b" * 32,
        "--birth-date", "2008-01-01", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    case_id = json.loads(out)["id"]
    code, out, err = ssp(
        "case", "observe", case_id, "--sign", "relations.new_closed_circle", "--by", "lærer",
        "--on", "2026-03-02", "--text", "Sidder alene", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    _no_english(out)
    assert "det er en hjælp til menneskers vurdering og tælles aldrig sammen" in out
    code, out, err = ssp("case", "show", case_id, *CONSULTANT)
    assert code == 0, err
    _no_english(out)
    assert "bekymringstegn set:" in out and "(set af lærer den 2026-03-02): Sidder" in out
    code, _, err = ssp("case", "observe", case_id, "--sign", "x", "--by", "a",
                       "--catalogue", "nope", *CONSULTANT)  # fmt: skip
    assert code == 1


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("2026-02-30", "dagen findes ikke: 2026-02-30 (februar 2026 har 28 dage)"),
        ("2026-13-01", "dagen findes ikke: 2026-13-01 (der er ingen måned 13)"),
        ("26-1-1", "'26-1-1' er ikke en dato: skriv den som ÅÅÅÅ-MM-DD, fx 2026-03-02"),
    ],
)
def test_a_wrong_date_is_refused_in_danish(ssp: Run, given: str, said: str) -> None:
    code, out, err = ssp("case", "overdue", "--on", given, *CONSULTANT)
    assert code == 2 and out == ""
    assert err.strip() == f"fejl: Ugyldig værdi for '--on': {said}"


def test_a_missing_actor_is_named_in_danish(ssp: Run) -> None:
    code, _, err = ssp("case", "list", "--role", "aalborg.ssp_consultant")
    assert code == 2
    assert (
        err.strip()
        == "fejl: Tilvalget '--actor' mangler. Angiv det, eller sæt SSP_ACTOR i miljøet."
    )
    code, _, err = ssp("case", "list", "--actor", "anne.ssp")
    assert "Tilvalget '--role' mangler" in err and "SSP_ROLE" in err


def test_the_months_are_named_in_the_language_chosen() -> None:
    for lang, month in (("da", "februar"), ("en", "February")):
        with language(lang), pytest.raises(click.BadParameter, match=month) as refused:
            DATE.convert("2026-02-29", None, None)
        assert "2026-02-29" in refused.value.format_message()
