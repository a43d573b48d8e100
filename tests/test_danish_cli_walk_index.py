"""``--lang da`` for safety walks, initiatives, advice, the guide and the safety index.

Every line these commands print under ``--lang da`` is searched for English words
(:mod:`tests.english`); text typed by the user is Danish here, so what is left is the
interface's. The survey files' settings for semicolons and decimal commas, and the
bootstrap's progress (a plain callback; a bar only on a terminal's standard error),
are tested in both languages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ssp_core.cli import index as index_cli
from ssp_core.cli import main
from ssp_core.evaluation.evaluate import NOTES
from ssp_core.evaluation.measures import MEASURES, MeasureKind
from ssp_core.evaluation.period import Period
from ssp_core.exceptions import ConfigError, DataError
from ssp_core.i18n import language
from ssp_core.index import IndexConfig, estimate, load_survey
from ssp_core.index.synthetic import generate
from tests.english import english_words, summary

Run = Callable[..., tuple[int, str, str]]
CONSULTANT = ("--actor", "anne.ssp", "--role", "aalborg.ssp_consultant")
POLICE = ("--actor", "bo.politi", "--role", "aalborg.police_ssp_coordinator")
TEACHER = ("--actor", "dan.laerer", "--role", "aalborg.frontline_worker")


@pytest.fixture(name="ssp")
def _ssp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    for name in ("SSP_KEY", "SSP_KEY_FILE", "SSP_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'ssp.db'}"
    key = tmp_path / "ssp.key"
    assert main(["key", "new", str(key)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SSP_KEY_FILE", str(key))

    def run(*args: str, lang: str = "da") -> tuple[int, str, str]:
        code = main(["--lang", lang, "--store", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _danish(text: str, where: str) -> None:
    found = english_words(text)
    assert not found, f"English in {where}:\n{summary(found)}"


def _first_id(output: str) -> str:
    return output.split(":", 1)[0].strip()


def test_safety_walk_commands_speak_danish(ssp: Run, tmp_path: Path) -> None:
    code, out, err = ssp(
        "walk", "plan", "--locality", "aalborg.romdrup_klarup", "--date", "2026-02-20",
        "--participant", "aalborg.romdrup_klarup_samraad", "--citizens", "2",
        "--topic", "aalborg.traffic_safety", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    walk = _first_id(out)
    assert f"{walk}: tryghedsvandring planlagt i Romdrup/Klarup den 2026-02-20" in out
    printed = [out + err]
    code, out, err = ssp("walk", "held", walk, *CONSULTANT)
    assert (code, out.splitlines()[0]) == (0, f"{walk}: Gennemført, fund registreres"), err
    code, out, err = ssp(
        "walk", "finding", walk, "--place", "Krydset ved hallen", "--lat", "57.0121",
        "--lon", "10.0561", "--category", "aalborg.traffic_safety",
        "--description", "Intet fodgængerfelt", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    finding = _first_id(out)
    assert f"fund fra tryghedsvandring {walk} (Trafiksikkerhed), Registreret" in out
    printed.append(out + err)
    code, out, err = ssp("walk", "assign", finding, "--to", "aalborg.roads_and_parks", *CONSULTANT)
    assert code == 0, err
    assert f"{finding}: Hos ansvarlig part, ansvarlig aalborg.roads_and_parks" in out
    printed.append(out + err)
    for command in (
        ("walk", "list"),
        ("walk", "findings", "--open", "--out", str(tmp_path / "open")),
        ("walk", "categories"),
        ("walk", "geojson", "--out", str(tmp_path / "f.geojson")),
    ):
        code, out, err = ssp(*command, *(CONSULTANT if command[1] != "categories" else ()))
        assert code == 0, err
        printed.append(out + err)
    text = "\n".join(printed)
    _danish(text, "ssp --lang da walk ...")
    assert "1 tryghedsvandring(er)" in text and "2 borger(e)" in text
    assert "┃ fund " in text and "kategorier af fund" in text
    assert f"skrev {tmp_path / 'f.geojson'}" in text

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    code, _, err = ssp("walk", "report", walk, "--out", str(tmp_path / "full"), *CONSULTANT)
    assert code == 1 and "er ikke tom: angiv en ny mappe, eller giv --force" in err
    code, _, err = ssp("walk", "finding", walk, "--place", "Stien", "--lat", "57", "--category",
                       "lighting", "--description", "Mørkt", *CONSULTANT)  # fmt: skip
    assert code == 1 and "angiv både --lat og --lon (WGS84-grader), eller ingen af dem" in err
    _danish(err, "the errors of ssp --lang da walk")


def test_initiative_and_advice_commands_speak_danish(ssp: Run) -> None:
    printed = []
    code, out, err = ssp(
        "initiative", "activity", "log", "radicalisation_prevention", "--kind", "visit",
        "--date", "2025-09-10", "--partner", "aalborg.mosque_1", "--participants", "14",
        "--young-people", "11", "--description", "Imamen besøgte ungecentret", *POLICE,
    )  # fmt: skip
    assert code == 0, err
    assert "Registreret. Husk:" in out and "tilstand Gennemført" in out
    assert "deltagere: 14 (11 unge)" in out
    printed.append(out + err)
    for command in (
        ("initiative", "activities", *POLICE),
        ("initiative", "kinds"),
        ("initiative", "activity", "import", *POLICE),
    ):
        code, out, err = ssp(*command)
        assert code == 0, err
        printed.append(out + err)
    text = "\n".join(printed)
    assert "1 aktivitet" in text and "arter af aktiviteter" in text
    assert "eksempler på aktiviteter" in text and "(ingen:" in text

    code, out, err = ssp(
        "advice", "ask", "En elev deler videoer fra en ekstremistisk gruppe. Hvad gør vi?",
        *TEACHER,
    )  # fmt: skip
    assert code == 0, err
    (line,) = [line for line in out.splitlines() if ": henvendelse om råd til" in line]
    request = _first_id(line)
    assert "Spurgt. Husk:" in out and "henvendelse om råd til INFO-huset" in out
    printed.append(out + err)
    for command in (("advice", "list", *TEACHER), ("advice", "show", request, *TEACHER)):
        code, out, err = ssp(*command)
        assert code == 0, err
        printed.append(out + err)
    text = "\n".join(printed)
    assert "1 henvendelse(r) om råd" in text and "frist for råd" in text
    _danish(text, "ssp --lang da initiative / advice ...")
    code, _, err = ssp("initiative", "counts", "radicalisation_prevention", *POLICE)
    assert code != 0 and "angiv perioden: --from og --to, eller --term" in err


def test_the_guide_names_its_sources_in_danish(ssp: Run) -> None:
    code, out, err = ssp("guide", "info-house")
    assert code == 0, err
    assert "Kilde: " in out and "data fra plugin aalborg" in out
    code, out, err = ssp("guide", "info-house", lang="en")
    assert "Source: " in out and "data of plugin aalborg" in out


def test_the_safety_index_commands_speak_danish(ssp: Run, tmp_path: Path) -> None:
    survey, crime = tmp_path / "s.csv", tmp_path / "c.csv"
    code, out, err = ssp(
        "index", "synthetic", str(survey), "--n", "3000", "--seed", "1", "--crime", str(crime)
    )
    assert code == 0, err
    assert "skrev 3000 syntetiske svarpersoner" in out
    printed = [out + err]
    config = str(tmp_path / "s.toml")
    for command in (
        ("compute", str(survey), "--config", config),
        ("compare", str(survey), "--config", config, "--measure", "composite"),
        ("crime", str(crime)),
        ("compute", str(survey), "--level", "year=2020", "--drop-invalid"),
    ):
        code, out, err = ssp("index", *command)
        assert code == 0, err
        printed.append(out + err)
    text = "\n".join(printed)
    _danish(text.replace("composite", "x"), "ssp --lang da index ...")
    assert "Tryghedsindeks efter område, år: vægtede estimater og 95%-intervaller" in text
    assert "ikke politiets officielle tryghedsindeks" in text and "tryg %" in text
    assert "Anmeldt kriminalitet pr. 1.000 indbyggere" in text
    assert "* intervallet udelukker 0" in text
    assert "ingen svarpersoner, udeladt:" in text

    code, _, err = ssp("index", "compute", str(survey), "--level", "year=2020")
    assert code == 1 and "gruppe(r), der blev bedt om, har ingen svarpersoner" in err
    code, _, err = ssp("index", "compute", str(survey), "--measure", "x")
    assert code == 1 and "ukendt mål 'x'; kendte:" in err


def _semicolon_file(path: Path, header: str = "respondent;area;year;weight;safety") -> Path:
    more = ";x" * (header.count(";") - 4)
    path.write_text(
        f"{header}\nr1;Nord;2024;1,5;3{more}\nr2;Syd;2024;2;6{more}\n", encoding="utf-8"
    )
    return path


def test_a_semicolon_file_is_read_with_the_settings(tmp_path: Path) -> None:
    survey = load_survey(
        _semicolon_file(tmp_path / "a.csv"), IndexConfig(delimiter=";", decimal=",")
    )
    assert survey.weights.tolist() == [1.5, 2.0]
    # found by itself: a header with semicolons and no comma
    assert load_survey(_semicolon_file(tmp_path / "b.csv")).weights.tolist() == [1.5, 2.0]
    # a decimal point stated: 1,5 is not a number, and the error names the setting
    with pytest.raises(DataError, match='set decimal = "," in the index configuration'):
        load_survey(_semicolon_file(tmp_path / "c.csv"), IndexConfig(delimiter=";", decimal="."))
    config = IndexConfig.from_mapping({"delimiter": ";", "decimal": ","})
    assert (config.delimiter, config.decimal) == (";", ",")


def test_an_undetectable_semicolon_file_names_the_setting(tmp_path: Path) -> None:
    # a comma in a column's name: the file cannot be told from a comma-separated one
    path = _semicolon_file(tmp_path / "s.csv", "respondent;area;year;weight;safety;note, free")
    with pytest.raises(DataError) as caught:
        load_survey(path)
    assert 'set delimiter = ";" (and decimal = "," for numbers like 1,5)' in str(caught.value)
    with language("da"), pytest.raises(DataError) as caught:
        load_survey(path)
    message = str(caught.value)
    assert 'sæt delimiter = ";" (og decimal = "," for tal som 1,5)' in message
    words = message.split("Den læste overskrift:", maxsplit=1)[0]  # the file's own header is data
    _danish(re.sub(r"'[^']*'", "", words), "the semicolon error")  # so are column names
    config = IndexConfig(columns=IndexConfig().columns, delimiter=";")
    assert load_survey(path, config).weights.tolist() == [1.5, 2.0]


def test_bad_decimal_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"decimal = 'x': allowed: \".\" \(1.5\) or \",\""):
        IndexConfig(decimal="x")
    with pytest.raises(ConfigError, match='separate the fields with semicolons: delimiter = ";"'):
        IndexConfig(decimal=",")
    with language("da"), pytest.raises(ConfigError, match="decimal = ',' er også feltadskilleren"):
        IndexConfig(decimal=",")


def test_the_bootstrap_reports_its_progress(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    generate(2000, areas=2, years=(2025,), seed=3).write(path)
    seen: list[tuple[int, int]] = []
    table = estimate(
        load_survey(path),
        ("area",),
        method="bootstrap",
        replicates=250,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert table.method == "bootstrap"
    assert seen[0] == (0, 250) and seen[-1] == (250, 250)
    counts = [done for done, _ in seen]
    assert counts == sorted(set(counts)) and 10 < len(seen) <= 252
    assert {total for _, total in seen} == {250}
    seen.clear()
    estimate(load_survey(path), ("area",), progress=lambda *step: seen.append(step))
    assert seen == []  # effective_n: no replicates


def test_json_stays_json_with_a_progress_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.csv"
    generate(2000, areas=2, years=(2025,), seed=3).write(path)
    monkeypatch.setattr(index_cli, "stderr_is_terminal", lambda: True)
    drawn: list[tuple[int, int]] = []
    real = index_cli.bootstrap_progress

    @contextlib.contextmanager
    def spy(shown: bool) -> Iterator[Callable[[int, int], None]]:
        assert shown  # a bootstrap, and standard error taken for a terminal
        with real(shown) as advance:
            assert advance is not None

            def both(done: int, total: int) -> None:
                drawn.append((done, total))
                advance(done, total)

            yield both

    monkeypatch.setattr(index_cli, "bootstrap_progress", spy)
    for lang in ("en", "da"):
        code = main(["--lang", lang, "index", "compute", str(path), "--by", "area",
                     "--method", "bootstrap", "--json"])  # fmt: skip
        out, _ = capsys.readouterr()
        assert code == 0
        assert len(json.loads(out)) == 2  # standard output is the JSON alone
        assert drawn[0] == (0, 1000) and drawn[-1] == (1000, 1000)
        drawn.clear()


def test_fixed_report_text_comes_from_the_catalogue() -> None:
    assert NOTES["no_survey"].da == "Ingen data fra tryghedsundersøgelsen er givet (--survey)."
    assert NOTES["no_survey"].en == "No survey data given (--survey)."
    assert MEASURES[MeasureKind.SAFETY_INDEX].labels.da == "Tryghedsindeks"
    with language("da"), pytest.raises(DataError, match="perioden slutter"):
        Period(dt.date(2025, 2, 1), dt.date(2025, 1, 1))
