"""Guards: named conditions on a case, declared as data or implemented by a plugin."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ssp_core.domain.cases import Case
from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier
from ssp_core.workflows.definition import GuardSpec

__all__ = ["Guard", "GuardCheck", "compile_guard"]

GuardCheck = Callable[[Case], bool]
"""A guard's test: given a case, tell whether the guard holds. It must not change the case."""


@attrs.frozen
class Guard:
    """A guard implemented in code by a plugin, for conditions data cannot express.

    It must only read the case; it never scores or ranks the person.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    check: GuardCheck


def compile_guard(spec: GuardSpec) -> GuardCheck:
    """Turn a declared :class:`GuardSpec` into its test, without evaluating any text."""
    all_of = frozenset(spec.all_of)
    any_of = frozenset(spec.any_of)
    assigned = spec.assigned
    min_sessions = spec.min_sessions
    under_age = spec.under_age

    def check(case: Case) -> bool:
        if under_age is not None:
            age = case.opening.age_at_concern
            if age is None or age >= under_age:
                return True  # the guard asks this only of a minor
        facts = case.facts
        return (
            all_of <= facts
            and (not any_of or not any_of.isdisjoint(facts))
            and (not assigned or case.assignee is not None)
            and case.sessions >= min_sessions
        )

    check.__name__ = spec.id
    check.__qualname__ = f"guard:{spec.id}"
    return check
