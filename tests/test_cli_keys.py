"""``ssp key``: a municipality's own key in the key folder, and which key each municipality uses."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys, write_key_file
from ssp_core.privacy.sealing import Keyring
from ssp_core.store import open_store
from tests.test_cli_privacy import CONSULTANT, invoke, one_error_line

MENTOR_CASE = ["case", "open", "--workflow", "aalborg.mentor", "--pseudonym", "p-1",
               "--birth-date", "2005-01-01", "--json", *CONSULTANT]  # fmt: skip


def test_a_municipality_key_goes_into_the_key_folder_once(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    env = {"SSP_KEY_DIR": str(folder), "SSP_KEY_FILE": None, "SSP_KEY": None}
    code, out, err = invoke(["key", "new", "--municipality", "aalborg"], env=env)
    assert code == 0, err
    made = MunicipalKeys.from_folder(folder)["aalborg"]
    assert made.fingerprint in out and made.export_text() not in out
    assert stat.S_IMODE((folder / "aalborg.key").stat().st_mode) == 0o600
    code, _, err = invoke(["key", "new", "--municipality", "aalborg"], env=env)
    assert code == 1 and "exists already; a key file is never overwritten" in one_error_line(err)
    code, _, err = invoke(["key", "new", "--municipality", "nowhere"], env=env)
    assert code == 1
    assert one_error_line(err) == "error: unknown municipality 'nowhere'; known: aalborg"
    code, _, err = invoke(["key", "new", "--municipality", "aalborg"], env={"SSP_KEY_DIR": None})
    assert code == 1 and "name the key folder" in one_error_line(err)
    code, _, err = invoke(["key", "new", str(tmp_path / "x.key"), "--municipality", "aalborg"])
    assert code == 2 and "not both or neither" in err


def test_key_list_shows_each_municipality_and_its_key_by_fingerprint(tmp_path: Path) -> None:
    default_file, folder = tmp_path / "default.key", tmp_path / "keys"
    default = write_key_file(default_file)
    env = {"SSP_KEY_FILE": str(default_file), "SSP_KEY_DIR": str(folder), "SSP_KEY": None}
    folder.mkdir()
    code, out, err = invoke(["key", "list"], env=env)
    assert code == 0, err
    assert out.split() == ["(default", "key)", "default", default.fingerprint,
                           "aalborg", "default", default.fingerprint]  # fmt: skip
    own = write_key_file(folder / "aalborg.key")
    code, out, _ = invoke(["key", "list", "--json"], env=env)
    assert json.loads(out) == [
        {"municipality": None, "key": "default", "fingerprint": default.fingerprint},
        {"municipality": "aalborg", "key": "own", "fingerprint": own.fingerprint},
    ]
    for secret in (default, own):
        assert secret.export_text() not in out
    # The default key's fingerprint, as before.
    code, out, _ = invoke(["key", "fingerprint"], env=env)
    assert (code, out.strip()) == (0, default.fingerprint)


def test_a_folder_key_alone_seals_its_municipalitys_cases(tmp_path: Path) -> None:
    folder, store = tmp_path / "keys", f"sqlite:///{tmp_path / 'keys.db'}"
    folder.mkdir()
    own = write_key_file(folder / "aalborg.key")
    env = {"SSP_KEY_DIR": str(folder), "SSP_KEY_FILE": None, "SSP_KEY": None}
    code, out, err = invoke(["--store", store, *MENTOR_CASE], env=env)
    assert code == 0, err
    case_id = json.loads(out)["id"]
    with open_store(store) as opened:
        record = opened.read_keys([case_id])[case_id]
        assert Keyring(own).open_case_key(record)
    # Another default key and no folder: refused in one line, naming the key tried.
    other = tmp_path / "other.key"
    write_key_file(other)
    code, _, err = invoke(
        ["--store", store, "case", "show", case_id, "--purpose", "casework", *CONSULTANT],
        env={"SSP_KEY_FILE": str(other), "SSP_KEY_DIR": None, "SSP_KEY": None},
    )
    assert code == 1
    line = one_error_line(err)
    assert "the municipal key is not the one" in line
    assert MunicipalKey.from_file(other).fingerprint in line
    # The default key alone is not set: `ssp key fingerprint` says so.
    code, _, err = invoke(["key", "fingerprint"], env=env)
    assert code == 1 and "no municipal key is set" in one_error_line(err)


def test_a_key_for_an_unknown_municipality_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    write_key_file(folder / "aalborgg.key")
    env = {"SSP_KEY_DIR": str(folder), "SSP_KEY_FILE": None, "SSP_KEY": None}
    code, _, err = invoke(["--store", f"sqlite:///{tmp_path / 'x.db'}", *MENTOR_CASE], env=env)
    assert code == 1
    assert "keys of their own for municipalities that are not registered: aalborgg" in (
        one_error_line(err)
    )
    code, out, _ = invoke(["key", "list"], env=env)
    assert code == 0 and "aalborgg" in out and "unknown municipality" in out
