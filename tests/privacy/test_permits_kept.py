"""A permit given again is the permit a fresh check gives; a refusal is never kept (issue 16).

:class:`~ssp_core.privacy.access.AccessPolicy` keeps the permits it gave, by the
parts of the question they depend on, so a command on a case does not work out its
access again. These tests ask one policy many questions in any order and compare
every answer with a policy that has answered nothing yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_core import Actor, Casework, MunicipalKey, Subject, hookimpl
from ssp_core.domain.access import OPERATIONS
from ssp_core.exceptions import AccessDenied, UnknownId
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.access import AccessPolicy, Where
from ssp_core.testing import pseudonym_for
from tests.district import district_registry

PEOPLE = ("anne", "bo", "mentor-1", "mentor-2")


@pytest.fixture(name="district", scope="module")
def _district() -> Registry:
    return district_registry()


def _answer(policy: AccessPolicy, question: dict[str, Any]) -> object:
    """Return what ``policy`` answers: the permit, or the refusal's type and message."""
    try:
        return policy.check(**question)
    except (AccessDenied, UnknownId) as refused:
        return (type(refused).__name__, str(refused))


def _questions(registry: Registry) -> st.SearchStrategy[dict[str, Any]]:
    roles = sorted(registry.roles)
    municipalities = [None, *registry.municipalities]
    return st.fixed_dictionaries(
        {
            "actor": st.builds(Actor, st.sampled_from(PEOPLE), st.sampled_from(roles)),
            "operation": st.sampled_from(sorted(OPERATIONS)),
            "purpose": st.sampled_from(sorted(registry.purposes)),
            "workflow": st.sampled_from(
                [None, *sorted({w.id for w in registry.latest_workflows()})]
            ),
            "assignee": st.sampled_from([None, *PEOPLE]),
            "opened_by": st.sampled_from([None, *PEOPLE]),
            "case_id": st.sampled_from([None, "C-0000000000000001"]),
            "where": st.sampled_from([None, *(Where(m) for m in municipalities)]),
        }
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_policy_answers_every_question_as_a_fresh_policy_does(
    district: Registry, data: st.DataObject
) -> None:
    kept = AccessPolicy.of(district)
    questions = data.draw(st.lists(_questions(district), min_size=1, max_size=40))
    for question in questions + questions[::-1]:  # each asked again, after the others
        assert _answer(kept, question) == _answer(AccessPolicy.of(district), question)


def test_a_permit_for_ones_own_case_is_not_given_for_another_s(aalborg: Registry) -> None:
    policy = AccessPolicy.of(aalborg)
    own = {
        "operation": "case.note",
        "purpose": "casework",
        "workflow": "aalborg.mentor",
        "assignee": "mentor-1",
        "opened_by": "anne",
        "where": Where("aalborg"),
    }
    assert policy.check(Actor("mentor-1", "aalborg.mentor"), **own).assigned_only
    with pytest.raises(AccessDenied):  # same role, same case, not theirs
        policy.check(Actor("mentor-2", "aalborg.mentor"), **own)
    with pytest.raises(AccessDenied):  # refused every time, not only the first
        policy.check(Actor("mentor-2", "aalborg.mentor"), **own)


def test_a_plugin_registered_after_the_first_command_hears_every_later_event() -> None:
    registry = district_registry()  # its own: a plugin is registered into it below
    consultant = Actor("anne", "aalborg.ssp_consultant")
    heard: list[str] = []

    class Listener:
        @hookimpl
        def ssp_after_case_event(self, event: Any) -> None:
            heard.append(type(event).__name__)

    casework = Casework(registry, store="memory://", key=MunicipalKey.generate())
    try:
        case = casework.open_case(
            workflow="aalborg.mentor",
            subject=Subject(pseudonym_for("person-1"), dt.date(2009, 5, 1)),
            actor=consultant,
        )
        casework.add_note(case.id, "before anyone listened", consultant)
        registry.host.plugin_manager.register(Listener(), name="listener")
        casework.add_note(case.id, "now someone listens", consultant)
        casework.assign(case.id, "mentor-1", consultant)
    finally:
        casework.close()
    assert heard == ["NoteAdded", "Assigned"]
