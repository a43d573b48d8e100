"""Decision shares fitted from a store: transitions counted, small counts never used."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssp_core import Casework, Subject, VirtualClock
from ssp_core.exceptions import AccessDenied, DataError
from ssp_core.privacy.suppression import TOTAL
from ssp_core.simulation.fit import decisions_toml, fit_decisions
from ssp_core.simulation.scenario import Decision
from ssp_core.store.records import AuditAction, AuditQuery
from ssp_core.testing import pseudonym_for
from tests.evaluation.scenario import ANNE, EVE, MONA

CARD = "aalborg.radicalisation_under_18"
DAY = dt.date(2021, 12, 1)


def _concern(casework: Casework, number: int) -> str:
    subject = Subject(pseudonym_for(f"decision-{number:03d}"), dt.date(2008, 5, 1))
    case = casework.open_concern(
        situation="aalborg.radicalisation", subject=subject, concern_date=DAY, actor=ANNE
    )
    casework.record_fact(case.id, "concern_described", ANNE)
    casework.fire(case.id, "begin_analysis", ANNE)
    return case.id


@pytest.fixture(name="counted")
def _counted(casework: Casework, clock: VirtualClock) -> Casework:
    """15 concerns analysed: 10 completed, 5 closed unfounded; of the 10, 6 unfounded, 4 handed over."""
    ids = [_concern(casework, n) for n in range(15)]
    for case_id in ids[:5]:
        casework.fire(case_id, "close_unfounded", ANNE, reason="Not substantiated.")
    for case_id in ids[5:]:
        casework.fire(case_id, "complete_analysis", ANNE)
    for case_id in ids[5:11]:
        casework.fire(case_id, "close_unfounded", ANNE, reason="Not substantiated.")
    for case_id in ids[11:]:
        casework.record_fact(case_id, "children_services_notified", ANNE)
        casework.fire(case_id, "hand_over", ANNE, reason="To children's services.")
    clock.advance(dt.timedelta(days=1))
    return casework


def test_the_counts_are_per_state_and_trigger_with_small_ones_suppressed(counted: Casework) -> None:
    tables = counted.decision_counts(EVE, since=DAY, until=DAY)
    published = {
        (state, cell.key[0]): cell.count
        for (workflow, state), table in tables.items()
        if workflow == CARD
        for cell in table.cells
    }
    assert published["received", "begin_analysis"] == 15
    assert published["analysis", "complete_analysis"] == 10
    assert published["analysis", "close_unfounded"] == 5
    assert published["analysis", TOTAL] == 15
    assert published["assessment", "hand_over"] is None  # 4: never published
    assert published["assessment", "close_unfounded"] is None  # would give the 4 away
    assert published["assessment", TOTAL] == 10
    assert (
        counted.decision_counts(
            EVE, since=DAY + dt.timedelta(days=1), until=DAY + dt.timedelta(days=9)
        )
        == {}
    )


def test_states_with_every_count_published_are_fitted_and_the_rest_listed(
    counted: Casework,
) -> None:
    fitted = fit_decisions(counted.decision_counts(EVE, since=DAY, until=DAY))
    assert fitted.decisions == (
        Decision(CARD, "analysis", {"close_unfounded": 0.333333, "complete_analysis": 0.666667}),
    )
    assert fitted.departures[CARD, "received"] == 15  # one way out: nothing to decide
    assert [(n.workflow, n.state) for n in fitted.not_fitted] == [(CARD, "assessment")]
    text = decisions_toml(fitted, DAY, DAY)
    parsed = tomllib.loads(text)
    assert parsed["decisions"] == [
        {
            "workflow": CARD,
            "state": "analysis",
            "choices": {"close_unfounded": 0.333333, "complete_analysis": 0.666667},
        }
    ]
    assert f"#   {CARD} assessment: a count is suppressed" in text


def test_the_counts_are_audited_and_need_the_grant(counted: Casework) -> None:
    counted.decision_counts(EVE, since=DAY, until=DAY)
    entries = counted.store.read_audit(AuditQuery(actor=EVE.id))
    assert any(
        e.action is AuditAction.EXPORT and "decision counts" in (e.detail or "") for e in entries
    )
    with pytest.raises(AccessDenied, match="report.evaluate"):
        counted.decision_counts(MONA, since=DAY, until=DAY)
    with pytest.raises(DataError, match="ends"):
        counted.decision_counts(EVE, since=DAY, until=DAY - dt.timedelta(days=1))


def test_the_command_writes_tables_a_scenario_takes(tmp_path: Path) -> None:
    from ssp_core.cli import cli  # noqa: PLC0415

    store = tmp_path / "store.db"
    runner = CliRunner()
    env = {"SSP_STORE": f"sqlite:///{store}", "COLUMNS": "100"}
    demo = runner.invoke(cli, ["demo"], env=env)
    assert demo.exit_code == 0, demo.output
    out = tmp_path / "decisions.toml"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    command = ["decision-shares", "--from", "2000-01-01", "--to", today, "--out", str(out)]
    acting = ["--actor", "anne.k-7731", "--role", "aalborg.ssp_consultant"]
    result = runner.invoke(cli, [*command, *acting], env=env)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    parsed = tomllib.loads(text)
    # the demo's few cases: every state's counts are small, so none is fitted, all listed
    assert parsed.get("decisions", []) == []
    assert "# Not fitted (set these by hand):" in text
    assert "aalborg.radicalisation_under_18 received: a count is suppressed" in text
    again = runner.invoke(cli, [*command, *acting], env=env)
    assert isinstance(again.exception, DataError)
    assert "exists" in str(again.exception)
