"""Advice requests name no one: the check that keeps identifying numbers out of their text.

An advice request to the INFO house describes a situation (its subject is
:class:`~ssp_core.domain.people.Unnamed`). Every free text written on one (the
question, the advice, reasons, notes) is checked here before it is stored: anything
shaped like a CPR number or like a pseudonym is refused, and the error never quotes
it. Names cannot be recognised reliably; the asker is told at intake not to write any.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from ssp_core.domain.events import CaseEvent, FactRecorded
from ssp_core.domain.fields import SEALED_FIELDS
from ssp_core.domain.validators import naming_problem
from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _

__all__ = ["UNNAMED_GUIDANCE", "check_unnamed", "check_unnamed_events", "naming_problem"]

UNNAMED_GUIDANCE = N_(
    "an advice request names no one: describe the situation without a name, CPR number, "
    "pseudonym or anything else that identifies a person"
)
"""What the asker is told when a text is refused (and at intake); show it with ``_()``."""


def check_unnamed(text: str | None, what: str, guidance: str = UNNAMED_GUIDANCE) -> None:
    """Raise :class:`DataError` if ``text`` (the ``what`` of a request, an activity) names someone.

    ``guidance`` is what the message tells the writer (by default, for an advice
    request; an initiative's activity passes its own). ``what`` and ``guidance`` are
    English text marked with ``N_``; the message is made in the current language.
    """
    if text is None:
        return
    problem = naming_problem(text)
    if problem is not None:
        raise DataError(
            _("the {what} contains {problem}; {guidance}").format(
                what=_(what), problem=problem, guidance=_(guidance)
            )
        )


def _values(value: object, path: str) -> Iterable[object]:
    head, _dot, tail = path.partition(".")
    inner = getattr(value, head, None)
    if not tail:
        yield inner
    elif inner is not None:
        yield from _values(inner, tail)


def check_unnamed_events(
    events: Iterable[CaseEvent],
    guidance: str = UNNAMED_GUIDANCE,
    automatic_facts: Collection[str] = (),
) -> None:
    """Check every free text the events carry (their sealed fields) with :func:`check_unnamed`.

    ``guidance`` is what a refusal tells the writer. The details of
    ``automatic_facts`` are written by the library (e.g. the case id of a concern
    opened from a request), not typed by anyone, and are not checked.
    """
    for event in events:
        if isinstance(event, FactRecorded) and event.fact in automatic_facts:
            continue
        topic = type(event).__name__
        for path in SEALED_FIELDS.get(topic, {}):
            for value in _values(event, path):
                if isinstance(value, str):
                    check_unnamed(value, f"{path.replace('_', ' ')} ({topic})", guidance)
