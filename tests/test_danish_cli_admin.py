"""``ssp --lang da`` on the administrative commands: disclosure, retention, keys, store, audit.

Every message, table title, heading and fixed cell is Danish; ids (case ids,
workflow ids, role ids, purposes, field groups, fingerprints, paths) stay as they
are, and ``--json`` stays English. Standard error is not a terminal here, so no
progress bar is drawn.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ssp_core.i18n import language
from ssp_core.privacy.keys import write_key_file
from tests.english import english_words, summary
from tests.test_cli_privacy import (
    ADMIN,
    CONSULTANT,
    OTHER_CPR,
    Run,
    _closed_long_ago,  # noqa: F401 (the fixture closed_long_ago)
    _db,  # noqa: F401 (the fixture db)
    _key_file,  # noqa: F401 (the fixture key_file)
    _ssp,  # noqa: F401 (the fixture ssp)
    invoke,
    open_with_cpr,
)

RESEARCHER = ("--actor", "rita", "--role", "aalborg.researcher", "--purpose", "research")

_IDS = re.compile(
    r"\b(?:case|subject|notes|closed|disclosure|casework|write)\b(?=[,\s│]|$)"
)  # field groups, purposes and audit-detail event names in id columns: ids, not English


def english(text: str) -> list[tuple[int, str, str]]:
    """Return the English words of ``text``, the id columns' ids left out."""
    return english_words(_IDS.sub(" ", text))


def da(ssp: Run, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run ``ssp --lang da ...`` on the test's store."""
    return ssp("--lang", "da", *args, stdin=stdin)


def assert_danish(*texts: str) -> None:
    for text in texts:
        found = english(text)
        assert not found, summary(found)


def test_disclosure_and_consent_in_danish(ssp: Run) -> None:
    first = open_with_cpr(ssp)["id"]
    second = open_with_cpr(ssp, OTHER_CPR, "--situation", "aalborg.armed_conflict_travel")["id"]
    police = ("--to", "aalborg.nordjyllands_politi", "--basis", "rpl_115_2")
    code, out, err = da(ssp, "disclose", first, *police, "--category", "case", *CONSULTANT)
    assert code == 0, err
    assert out.strip() == (
        f"{first}: case videregivet til aalborg.nordjyllands_politi med hjemmel i "
        "Retsplejeloven § 115, stk. 2 (version 2)"
    )
    code, out, err = da(
        ssp, "consent", "give", second, "--by", "subject", "--to", "aalborg.mosque_1",
        "--category", "case", "--given-on", "2026-03-01", "--scope", "Møde med imamen.",
        *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"{second}: consent-1 dækker case til aalborg.mosque_1"
    code, table, err = da(ssp, "disclosures", *CONSULTANT)
    assert code == 0, err
    assert "1 videregivelse(r)" in table
    for heading in ("sag", "hvornår (UTC)", "af (rolle)", "modtager", "hjemmel", "formål"):
        assert heading in table
    code, out, err = da(ssp, "consent", "withdraw", second, "consent-1", *CONSULTANT)
    assert code == 0, err
    assert out.strip().startswith(f"{second}: consent-1 trukket tilbage (tilstand ")
    code, out, _ = da(ssp, "disclosures", "--json", *CONSULTANT)
    assert json.loads(out)[0]["purpose"] == "disclosure"  # JSON: as it is
    assert_danish(table)


def test_retention_in_danish(ssp: Run, closed_long_ago: dict[str, str]) -> None:
    code, out, err = da(ssp, "retention", "run", "--dry-run", "--on", "2021-01-01", *ADMIN)
    assert code == 0, err
    assert "2 sager skal slettes den 2021-01-01" in out
    assert "prøvekørsel: intet er slettet" in out
    for heading in ("sag", "arbejdsgang", "udfald", "lukket", "regel", "frist"):
        assert f" {heading} " in out
    assert_danish(out)
    code, _, err = da(ssp, "retention", "run", "--on", "2999-01-01", *ADMIN)
    assert code == 1
    assert err.startswith("fejl: intet kan slettes på en fremtidig dag (2999-01-01, i dag er ")
    assert_danish(err)
    code, out, err = da(ssp, "retention", "run", "--on", "2021-01-01", *ADMIN)
    assert code == 0 and err == ""  # no bar: standard error is no terminal
    assert out.strip() == (
        "slettede 2 sager med frist den 2021-01-01 (deres datanøgler er destrueret) og "
        "1 post i identitetsboksen"
    )
    code, out, err = da(ssp, "retention", "scrub", *ADMIN)
    assert code == 0, err
    assert_danish(out, err)


def test_audit_identity_and_export_in_danish(ssp: Run, tmp_path: Path) -> None:
    case_id = open_with_cpr(ssp)["id"]
    code, out, err = da(
        ssp, "identity", "show", case_id, *CONSULTANT, "--purpose", "reidentification"
    )
    assert code == 0, err
    assert out.splitlines() == [
        f"sag: {case_id}", "cpr: 201109-4017", "navn: Alex Example", "kontakt: +45 11 22 33 44",
    ]  # fmt: skip
    code, out, err = da(
        ssp, "identity", "correct", case_id, *CONSULTANT, "--purpose", "reidentification",
        stdin="Alex E.\n\n",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == (
        f"sag {case_id}: navn og kontaktoplysninger på sagens person er ændret (logget)"
    )
    code, out, err = da(ssp, "audit", *ADMIN, "--purpose", "audit")
    assert code == 0, err
    assert re.search(r"\d+ poster i adgangsloggen", out)
    for heading in ("tidspunkt (UTC)", "aktør", "rolle", "formål", "handling", "detaljer"):
        assert heading in out
    assert "genidentifikation" in out and "skrivning" in out
    code, out, _ = da(ssp, "audit", "--json", *ADMIN, "--purpose", "audit")
    assert {"write", "reidentify"} <= {entry["action"] for entry in json.loads(out)}
    out_dir = tmp_path / "udtraek"
    code, out, err = da(ssp, "export", "tables", "--out", str(out_dir), *RESEARCHER)
    assert code == 0, err
    assert "skrev " in out and "rækker til" in out and "1 sag; se " in out
    assert_danish(out)
    readme = (out_dir / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith("SSP-forskningsudtræk: aggregerede tabeller.\nUdtrukket den ")
    assert "under tærsklen 5" in " ".join(readme.split())
    # quoted: column names and levels, as they are; the age bands: privacy/tables.py describes
    text = re.sub(r"'[^']*'|aalborg\.\w+: [^;]*;", "", " ".join(readme.split()))
    assert_danish(text)
    code, _, err = da(ssp, "export", "events", "--out", str(out_dir), *RESEARCHER)
    assert code == 1
    assert err.strip() == f"fejl: {out_dir} findes og er ikke en tom mappe; vælg en ny"


def test_store_in_danish(ssp: Run) -> None:
    open_with_cpr(ssp)
    code, out, err = da(ssp, "store", "info")
    assert code == 0, err
    assert out.splitlines()[1:] == [
        "skemaversion: 6", "bibliotekets skemaversion: 6", "sager: 1", "hændelser: 1",
    ]  # fmt: skip
    code, out, err = da(ssp, "store", "upgrade", "--dry-run", *ADMIN)
    assert code == 0, err
    assert out.splitlines()[0].endswith(": skemaversion 6 er den nyeste")
    assert "omdøbte id'er i historikken: 0 (skrives aldrig om; læses som de nye id'er)" in out
    code, out, err = da(ssp, "store", "upgrade", *ADMIN)
    assert out.strip().endswith("skemaversion 6 er den nyeste; intet at gøre")
    code, _, err = da(ssp, "store", "upgrade", "--json", *ADMIN)
    assert code == 2 and err.strip() == "fejl: --json kan kun bruges sammen med --dry-run"
    code, out, err = da(ssp, "store", "seal", *ADMIN)
    assert code == 0, err
    assert out.strip() == "forseglede 0 uforseglede sagshistorikker"
    code, _, err = da(ssp, "--store", "bogus://x", "store", "info")
    assert code == 1 and err.startswith("fejl: ukendt URL til sagsarkivet 'bogus://x'; brug en af")
    assert_danish(out, err)


def test_keys_in_danish(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    default = write_key_file(tmp_path / "default.key")
    env = {
        "SSP_KEY_FILE": str(tmp_path / "default.key"),
        "SSP_KEY_DIR": str(folder),
        "SSP_KEY": None,
    }
    code, out, err = invoke(["--lang", "da", "key", "list"], env=env)
    assert code == 0, err
    assert out.split() == ["(standardnøgle)", "standard", default.fingerprint,
                           "aalborg", "standard", default.fingerprint]  # fmt: skip
    code, out, err = invoke(["--lang", "da", "key", "new", "--municipality", "aalborg"], env=env)
    assert code == 0, err
    assert out.startswith("skrev en ny nøgle for kommunen aalborg til ")
    assert "`ssp key rotate --municipality aalborg --resume`" in out
    assert_danish(out)
    code, out, err = invoke(["--lang", "da", "key", "new", str(tmp_path / "ny.key")], env=env)
    assert code == 0, err
    assert out.startswith(f"skrev en ny kommunal nøgle til {tmp_path / 'ny.key'} (fingeraftryk ")
    assert "brug den med: export SSP_KEY_FILE=" in out
    code, _, err = invoke(["--lang", "da", "key", "new"], env=env)
    assert code == 2 and "angiv enten en nøglefil" in err
    code, out, err = invoke(["--lang", "da", "key", "list"], env=env)
    assert code == 0 and "egen" in out.split()
    assert_danish(out, err)


def test_plugins_workflows_and_server_in_danish(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = invoke(["--lang", "da", "plugins"])
    assert code == 0, err
    assert "Plugins" in out and "bidrager med" in out and "arbejdsgang: 16" in out
    assert_danish(out)
    code, out, err = invoke(["--lang", "da", "workflows", "list"])
    assert code == 0, err
    assert "Arbejdsgange" in out and "betegnelse" in out and "(skabelon)" in out
    assert " aalborg.radicalisation_under_18 " in out  # ids whole at 80 columns
    assert_danish(out)
    monkeypatch.setenv("SSP_SERVER_DIR", str(tmp_path / "server"))
    code, out, err = invoke(["--lang", "da", "server", "status"])
    assert code == 0, err
    assert out.startswith("ingen ssp-server kører (sokkel: ")
    code, out, err = invoke(["--lang", "da", "server", "stop"])
    assert out.strip() == "ingen ssp-server kører"


def test_library_errors_of_keys_and_stores_in_danish(tmp_path: Path) -> None:
    from ssp_core.exceptions import DataError, SchemaError  # noqa: PLC0415
    from ssp_core.store import open_store  # noqa: PLC0415
    from ssp_core.store.records import CaseCursor  # noqa: PLC0415
    from ssp_core.store.sqlite import SQLITE_MIGRATIONS, SqliteStore  # noqa: PLC0415

    old = tmp_path / "old.db"
    SqliteStore(old, migrations=SQLITE_MIGRATIONS[:5]).close()
    with language("da"):
        with pytest.raises(SchemaError) as raised:
            open_store(f"sqlite:///{old}")
        assert "har skemaversion 5, ældre end bibliotekets 6; kør `ssp store upgrade`" in str(
            raised.value
        )
        with pytest.raises(DataError, match="ikke en markør; en markør er DUE/CASE_ID"):
            CaseCursor.parse("nonsense")
        with pytest.raises(DataError, match="cache_mb er et helt antal MiB"):
            open_store(f"sqlite:///{tmp_path / 'x.db'}?cache_mb=lots")
    assert_danish(str(raised.value))
