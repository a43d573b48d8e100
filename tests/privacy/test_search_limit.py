"""A limit counts the rows the actor may see (issue 16's defect): never cut before the check.

A frontline worker's grants mix scopes: their own concerns only, but every safety
walk. Their search used to take the first rows of the whole index, then drop the
ones they may not see, and so returned none of their own cases under a limit.
"""

from __future__ import annotations

import datetime as dt

from ssp_core import Actor, AuditQuery, CaseQuery, Casework, Subject, VirtualClock
from ssp_core.testing import make_registry, pseudonym_for
from tests.district import district_plugins
from tests.privacy.conftest import MakeCasework
from tests.privacy.test_district import hj

CONSULTANT = Actor("consultant-1", "aalborg.ssp_consultant")
WORKER = Actor("worker-1", "aalborg.frontline_worker")


def test_issue_16_a_limited_search_returns_the_rows_the_actor_may_see(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    for n in range(30):  # the consultant's concerns: not the worker's to see
        casework.open_concern(
            situation="aalborg.radicalisation",
            subject=casework_subject(n),
            concern_date=dt.date(2026, 3, 2),
            actor=CONSULTANT,
        )
    own = [
        casework.open_concern(
            situation="aalborg.radicalisation",
            subject=casework_subject(100 + n),
            concern_date=dt.date(2026, 3, 2),
            actor=WORKER,
        ).id
        for n in range(5)
    ]
    everything = casework.find(WORKER)
    assert sorted(row.case_id for row in everything) == sorted(own)
    for limit in (1, 2, 5, 50):
        limited = casework.find(WORKER, CaseQuery(limit=limit))
        assert [row.case_id for row in limited] == [row.case_id for row in everything][:limit]
    assert len(casework.find(CONSULTANT, CaseQuery(limit=7))) == 7


def casework_subject(n: int) -> Subject:
    return Subject(pseudonym_for(f"person-{n}"), dt.date(2011, 5, 1))


def test_a_limited_audit_query_returns_the_entries_the_actor_may_see() -> None:
    """A walled administrator's limit counts their own municipality's entries only."""
    registry = make_registry(*district_plugins())
    casework = Casework(registry, clock=VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)))
    aalborg = Actor("aal-consultant", "aalborg.ssp_consultant")
    hjoerring = Actor("hj-consultant", hj.CONSULTANT)
    admin = Actor("hj-admin", hj.ADMINISTRATOR)
    for n in range(12):  # Aalborg's entries first: beyond the Hjørring administrator's walls
        casework.open_concern(
            situation="aalborg.radicalisation",
            subject=casework_subject(n),
            concern_date=dt.date(2026, 3, 2),
            actor=aalborg,
        )
    for n in range(3):
        casework.open_concern(
            situation=hj.SITUATION,
            subject=casework_subject(100 + n),
            concern_date=dt.date(2026, 3, 2),
            actor=hjoerring,
        )
    whole = casework.audit_log(admin, purpose="audit")
    assert whole and all(entry.actor != "aal-consultant" for entry in whole)
    for limit in (1, 2, len(whole)):
        limited = casework.audit_log(admin, AuditQuery(limit=limit), purpose="audit")
        assert limited == whole[:limit]
