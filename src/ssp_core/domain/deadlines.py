"""Due dates: the deadlines of a workflow, turned into dates when a case enters a state.

A :class:`DueDate` is stored with the case in the event that started it (opening,
a transition, a resumption, an extension), so a case's due dates never change when
the holiday calendar or the workflow data changes later.
"""

from __future__ import annotations

import datetime as dt

import attrs

__all__ = ["DueDate"]


@attrs.frozen
class DueDate:
    """One running deadline of a case: the rule it comes from and the date it falls due.

    ``missed`` is set once the missed deadline has been recorded and announced
    (:class:`~ssp_core.domain.events.DeadlineMissed`), so it is announced only once.
    A due date whose ``rule`` is named after a fact waits for that fact: it ends when
    the fact is recorded (:class:`~ssp_core.domain.events.FactRecorded`), in whatever
    state the case is, and it is carried from state to state until then.
    """

    rule: str
    due: dt.date
    missed: bool = False
