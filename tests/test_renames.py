"""Renamed ids: a municipality's ids in its namespace, old histories read with the new ids.

Aalborg's ids were plain before 0.2 (``ssp_consultant``, ``radicalisation``,
``gandrup``); they are ``aalborg.*`` now, and the plugin declares each change as a
:class:`~ssp_core.plugins.RenamedId`. These tests write histories as 0.1 did, with the
old ids, and check that they read with the new ones while the stored rows stay as
written, that ``ssp store upgrade --dry-run`` counts them and changes nothing, and
that the registry refuses what a plugin author could get wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ssp_core
from ssp_core import Actor, Casework, Subject, VirtualClock
from ssp_core.application import plan_upgrade
from ssp_core.cli import main
from ssp_core.domain import events as ev
from ssp_core.domain.renames import EVENT_ID_FIELDS, IdRenames, RenamedId
from ssp_core.exceptions import AccessDenied, ConfigError, UnknownId
from ssp_core.plugins import Labels, Locality, Municipality, PoliceDistrict, Role, hookimpl
from ssp_core.privacy.keys import write_key_file
from ssp_core.store import CaseQuery, open_store
from ssp_core.store.codec import codec
from ssp_core.store.projection import case_row
from ssp_core.store.records import AuditAction, AuditQuery, Commit
from ssp_core.testing import make_registry, pseudonym_for

AT = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
REGISTRY = ssp_core.load_registry()
OLD_CONSULTANT = Actor("anne", "ssp_consultant")  # as 0.1 stored her role
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
ADMIN = Actor("root", "aalborg.administrator")
CLI_ADMIN = ("--actor", "root", "--role", "aalborg.administrator")


def L(text: str) -> Labels:  # noqa: N802 (a label, as the sample plugin writes them)
    return Labels(da=text, en=text)


def write_old_history(url: str) -> str:
    """Write a concern as 0.1 did: plain role and situation ids, then return its id."""
    engine = REGISTRY.engine("aalborg.radicalisation_under_18")
    case = engine.open(
        case_id="OLD-1",
        subject=Subject(pseudonym_for("p-old"), dt.date(2010, 1, 1)),
        actor=OLD_CONSULTANT,
        at=AT,
        situation="radicalisation",
        concern_date=AT.date(),
        municipality="aalborg",
    )
    engine.add_note(case, "Written under the old ids.", OLD_CONSULTANT, at=AT)
    with open_store(url) as store:
        store.append(
            Commit(
                events=[codec.encode(event, purpose="casework") for event in case.events],
                cases=[case_row(case, engine.definition.final_states)],
            )
        )
        store.record_audit(
            [
                ssp_core.store.records.AuditEntry(
                    at=AT, actor="anne", role="ssp_consultant", purpose="casework",
                    action=AuditAction.SEARCH, case_id=None, detail="listed cases",
                )
            ]
        )  # fmt: skip
    return case.id


@pytest.fixture(name="url")
def _url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    key = tmp_path / "municipal.key"
    write_key_file(key)
    monkeypatch.setenv("SSP_KEY_FILE", str(key))
    return f"sqlite:///{tmp_path / 'old.db'}"


def test_an_old_history_reads_with_the_new_ids_and_stays_as_written(url: str) -> None:
    case_id = write_old_history(url)
    with open_store(url) as store:
        before = store.read_case(case_id)
        casework = Casework(REGISTRY, store=store, clock=VirtualClock(AT))
        history = casework.history(case_id, CONSULTANT, purpose="casework")
        assert {event.role for event in history} == {"aalborg.ssp_consultant"}
        opened = history[0]
        assert isinstance(opened, ev.CaseOpened)
        assert opened.situation == "aalborg.radicalisation"
        log = casework.audit_log(ADMIN, AuditQuery(), purpose="audit")
        assert "ssp_consultant" not in {entry.role for entry in log}
        assert store.read_case(case_id) == before  # the stored rows keep the old ids
        assert {row.role for row in before} == {"ssp_consultant"}
        assert '"situation":"radicalisation"' in before[0].data


def test_the_dry_run_counts_the_old_ids_and_changes_no_event(url: str) -> None:
    case_id = write_old_history(url)
    with open_store(url) as store:
        events = store.read_log()
        rows = store.find_cases(CaseQuery())
        audit = len(store.read_audit(AuditQuery()))
    plan = plan_upgrade(url, ADMIN, registry=REGISTRY, clock=VirtualClock(AT))
    assert plan.schema_version == plan.library_schema_version
    assert plan.cases_without_municipality == 0
    assert [(u.kind, u.old, u.new, u.events, u.audit_entries) for u in plan.renamed or ()] == [
        ("role", "ssp_consultant", "aalborg.ssp_consultant", 2, 1),
        ("situation", "radicalisation", "aalborg.radicalisation", 1, 0),
    ]
    with open_store(url) as store:
        assert store.read_log() == events and store.find_cases(CaseQuery()) == rows
        (planned,) = store.read_audit(AuditQuery())[audit:]  # the reading is audited
        assert (planned.actor, planned.detail) == ("root", "planned a store upgrade (dry run)")
    with pytest.raises(AccessDenied, match="may not store.upgrade"):
        plan_upgrade(url, CONSULTANT, registry=REGISTRY)
    assert case_id == "OLD-1"


def test_the_cli_dry_run_prints_the_plan_and_json(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_old_history(url)
    assert main(["--store", url, "store", "upgrade", "--dry-run", *CLI_ADMIN]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("is current")
    assert out[1:] == [
        "cases that would get their municipality: 0",
        "renamed ids the history holds: 2 (never rewritten; read as the new ids)",
        "  role ssp_consultant -> aalborg.ssp_consultant: 2 event(s), 1 audit entry",
        "  situation radicalisation -> aalborg.radicalisation: 1 event(s), 0 audit entries",
    ]
    assert main(["--store", url, "store", "upgrade", "--dry-run", "--json", *CLI_ADMIN]) == 0
    plan: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert [use["old"] for use in plan["renamed"]] == ["ssp_consultant", "radicalisation"]
    assert main(["--store", url, "store", "upgrade", "--json", *CLI_ADMIN]) == 2
    assert "--json goes with --dry-run" in capsys.readouterr().err


def test_an_old_id_given_by_a_user_names_the_new_one(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UnknownId, match="'ssp_consultant' was renamed to 'aalborg.ssp_consultant'"):
        REGISTRY.roles["ssp_consultant"]
    code = main(
        ["--store", url, "case", "open", "--situation", "radicalisation", "--pseudonym", pseudonym_for("p-1"),
         "--birth-date", "2010-05-01", "--actor", "dan", "--role", "aalborg.frontline_worker"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "situation 'radicalisation' was renamed to 'aalborg.radicalisation'" in err
    code = main(["--store", url, "case", "list", "--actor", "anne", "--role", "ssp_consultant"])
    err = capsys.readouterr().err
    assert code == 1
    assert (
        err
        == "error: role 'ssp_consultant' was renamed to 'aalborg.ssp_consultant'; use the new id\n"
    )


class Town:
    """A municipality's plugin as its author might first write it."""

    plugin_name = "town"

    def __init__(self, *, roles: tuple[str, ...], renames: tuple[RenamedId, ...] = ()) -> None:
        self.roles = roles
        self.renames = renames

    @hookimpl
    def ssp_register_police_districts(self) -> list[PoliceDistrict]:
        return [PoliceDistrict("town_district", L("district"))]

    @hookimpl
    def ssp_register_municipalities(self) -> list[Municipality]:
        return [Municipality("town", L("Town"), "998", police_district="town_district")]

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role(role, L(role)) for role in self.roles]

    @hookimpl
    def ssp_register_localities(self) -> list[Locality]:
        return [Locality("town.square", L("square"))]

    @hookimpl
    def ssp_register_renamed_ids(self) -> list[RenamedId]:
        return list(self.renames)


def test_a_municipality_s_plain_id_is_refused_with_the_name_to_give_it() -> None:
    with pytest.raises(ConfigError) as refused:
        make_registry(Town(roles=("clerk",)), autoload=False)
    assert (
        "role 'clerk' from plugin 'town': the id is not in the namespace of municipality "
        "'town'; name it town.clerk, and declare the old id as a RenamedId"
    ) in str(refused.value)
    make_registry(Town(roles=("town.clerk",)), autoload=False)  # namespaced: accepted


@pytest.mark.parametrize(
    ("rename", "problem"),
    [
        (RenamedId("workflow", "card", "town.card"), "ids of kind 'workflow' cannot be renamed"),
        (RenamedId("role", "town.clerk", "town.boss"), "the old id is still contributed"),
        (RenamedId("role", "clerk", "town.nobody"), "unknown role 'town.nobody' (the new id)"),
        (RenamedId("role", "consultant", "aalborg.ssp_consultant"), "renames only its own"),
    ],
)
def test_a_rename_that_cannot_hold_is_refused(rename: RenamedId, problem: str) -> None:
    town = Town(roles=("town.clerk", "town.boss"), renames=(rename,))
    with pytest.raises(ConfigError, match=re.escape(problem)):
        make_registry(town, autoload=True)


def test_a_rename_reaches_the_registry_and_its_lookups() -> None:
    town = Town(roles=("town.clerk",), renames=(RenamedId("role", "clerk", "town.clerk"),))
    registry = make_registry(town, autoload=False)
    assert registry.id_renames.new_id("role", "clerk") == "town.clerk"
    assert registry.id_renames.old_ids("role", "town.clerk") == ("town.clerk", "clerk")
    assert registry.renamed_ids.contributor("role:clerk") == "town"
    with pytest.raises(UnknownId, match="'clerk' was renamed to 'town.clerk'"):
        registry.roles["clerk"]


IDS = st.sampled_from(["a", "b", "town.a", "x.y"])


@given(
    renames=st.lists(
        st.tuples(
            st.sampled_from(
                sorted({*EVENT_ID_FIELDS["WalkPlanned"].values(), "role", "situation"})
            ),
            IDS,
            IDS,
        ),
        max_size=6,
    ),
    locality=IDS,
    source=st.none() | IDS,
    situation=st.none() | IDS,
)
def test_reading_through_renames_changes_exactly_the_renamed_ids(
    renames: list[tuple[str, str, str]], locality: str, source: str | None, situation: str | None
) -> None:
    table = IdRenames(RenamedId(kind, old, new) for kind, old, new in renames)
    mapping = {(kind, old): new for kind, old, new in renames}
    walk = {"locality": locality, "source": source, "note": locality}
    table.upcast("WalkPlanned", walk)
    assert walk["locality"] == mapping.get(("locality", locality), locality)
    assert walk["source"] == (source and mapping.get(("example walk", source), source))
    assert walk["note"] == locality  # free text is never translated
    opened = {"situation": situation, "reason": situation}
    table.upcast("CaseOpened", opened)
    assert opened["situation"] == (situation and mapping.get(("situation", situation), situation))
    assert opened["reason"] == situation
