"""``ssp key``: a municipality's own key in the key folder, and which key each municipality uses."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys, write_key_file
from ssp_core.privacy.sealing import Keyring
from ssp_core.store import open_store
from ssp_core.testing import pseudonym_for
from tests.test_cli_privacy import CONSULTANT, invoke, one_error_line

MENTOR_CASE = ["case", "open", "--workflow", "aalborg.mentor", "--pseudonym", pseudonym_for("p-1"),
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


# -- ssp key rotate ---------------------------------------------------------------------------

HJ_ADMIN = ["--actor", "root", "--role", "hjoerring.administrator"]


def test_key_rotate_re_wraps_one_municipalitys_cases_and_leaves_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssp_core import Actor, Casework  # noqa: PLC0415
    from ssp_core.cli.app import Context  # noqa: PLC0415
    from tests.district import district_registry  # noqa: PLC0415

    registry = district_registry()
    monkeypatch.setattr(Context, "registry", property(lambda _self: registry))
    folder, url = tmp_path / "keys", f"sqlite:///{tmp_path / 'rotate.db'}"
    folder.mkdir()
    for municipality in ("aalborg", "hjoerring"):
        write_key_file(folder / f"{municipality}.key")
    old = MunicipalKeys.from_folder(folder)
    cw = Casework(registry, store=url, key=MunicipalKeys(own=old))
    hjoerring = [
        cw.open_for_person(
            f"020311-40{n:02d}",
            actor=Actor("hj", "hjoerring.ssp_consultant"),
            workflow="hjoerring.mentor",
        ).id
        for n in range(2)
    ]
    aalborg = cw.open_for_person(
        "010311-4001", actor=Actor("anne", "aalborg.ssp_consultant"), workflow="aalborg.mentor"
    ).id
    cw.close()
    with open_store(url) as opened:
        aalborg_before = opened.read_case(aalborg), opened.read_keys([aalborg])
    env = {"SSP_KEY_DIR": str(folder), "SSP_KEY_FILE": None, "SSP_KEY": None}
    files = sorted(p.name for p in folder.iterdir())
    rotate = ["--store", url, "key", "rotate", "--municipality"]

    # Refused, in one line each, changing nothing.
    code, _, err = invoke([*rotate, "hjoerring", *CONSULTANT], env=env)
    assert code == 1 and "key.rotate" in one_error_line(err)
    code, _, err = invoke([*rotate, "nowhere", *HJ_ADMIN], env=env)
    assert code == 1 and "unknown municipality 'nowhere'" in one_error_line(err)
    code, _, err = invoke([*rotate, "aalborg", *HJ_ADMIN], env=env)
    assert code == 1 and "key.rotate" in one_error_line(err)
    code, _, err = invoke([*rotate, "hjoerring", "--resume", *HJ_ADMIN], env=env)
    assert code == 1 and "no rotation to resume" in one_error_line(err)
    code, _, err = invoke([*rotate, "hjoerring", "--batch", "0", *HJ_ADMIN], env=env)
    assert code == 2 and "--batch" in err
    assert sorted(p.name for p in folder.iterdir()) == files

    code, out, err = invoke([*rotate, "hjoerring", "--batch", "1", "--json", *HJ_ADMIN], env=env)
    assert code == 0, err
    report = json.loads(out)
    new = MunicipalKeys.from_folder(folder)["hjoerring"]
    assert report["old"] == old["hjoerring"].fingerprint
    assert (report["new"], report["rewrapped"], report["left"]) == (new.fingerprint, 2, 0)
    assert report["retired_file"].endswith(f"retired/hjoerring.{old['hjoerring'].fingerprint}.key")
    for secret in (old["hjoerring"], new):
        assert secret.export_text().splitlines()[0] not in out
    with open_store(url) as opened:
        assert (opened.read_case(aalborg), opened.read_keys([aalborg])) == aalborg_before
        for record in opened.read_keys(hjoerring).values():
            assert record.key_id == new.fingerprint
            assert Keyring(new).open_case_key(record)
