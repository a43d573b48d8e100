"""Why a trigger can or cannot be fired now: reasons and options, as data.

The same :class:`Reason` objects answer "what can I do now, and why not"
(:meth:`~ssp_core.workflows.engine.WorkflowEngine.options`) and explain a refusal
(:class:`~ssp_core.exceptions.TransitionRefused`). Their base, :class:`Reason`, lives
with the errors that carry it in :mod:`ssp_core.exceptions`.
"""

from __future__ import annotations

from typing import Any

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.exceptions import Reason
from ssp_core.i18n import _, label

__all__ = [
    "INSTRUCTION",
    "CaseClosed",
    "GuardNotSatisfied",
    "Note",
    "OnHold",
    "Reason",
    "ReasonRequired",
    "RoleRequired",
    "TriggerOption",
    "WrongState",
]


@attrs.frozen
class CaseClosed(Reason):
    """The case is in a final state; nothing more can happen on its workflow."""

    state: str
    code = "case_closed"

    @property
    def message(self) -> str:
        """Return a one-line explanation in the current language."""
        return _("the case is closed (state {state} is final)").format(state=repr(self.state))


@attrs.frozen
class OnHold(Reason):
    """The case is suspended; it must be resumed before a trigger can be fired."""

    code = "on_hold"

    @property
    def message(self) -> str:
        """Return a one-line explanation in the current language."""
        return _("the case is on hold (suspended); resume it first")


@attrs.frozen
class WrongState(Reason):
    """The trigger does not start from the case's current state."""

    state: str
    allowed: tuple[str, ...]
    code = "wrong_state"

    @property
    def message(self) -> str:
        """Return a one-line explanation in the current language."""
        return _("wrong state {state} (allowed from: {allowed})").format(
            state=repr(self.state), allowed=", ".join(self.allowed)
        )


@attrs.frozen
class RoleRequired(Reason):
    """The actor's role may not fire the trigger."""

    role: str
    roles: tuple[str, ...]
    code = "role_required"

    @property
    def message(self) -> str:
        """Return a one-line explanation in the current language."""
        needed = _(" or ").join(repr(role) for role in self.roles)
        return _("role {roles} required (actor acts as {role})").format(
            roles=needed, role=repr(self.role)
        )


@attrs.frozen
class GuardNotSatisfied(Reason):
    """A guard of the transition does not hold for the case."""

    guard: str
    labels: Labels
    code = "guard_not_satisfied"

    @property
    def message(self) -> str:
        """Return a one-line explanation in the current language."""
        return _("guard {guard} not satisfied ({label})").format(
            guard=repr(self.guard), label=label(self.labels)
        )


@attrs.frozen
class ReasonRequired(Reason):
    """The trigger needs a written reason and none was given."""

    code = "reason_required"

    @property
    def message(self) -> str:
        """Return a one-line explanation in the current language."""
        return _("a written reason is required")


INSTRUCTION = "instruction"
"""The code of a note that carries an instruction of the case's state (e.g. call 112 now)."""


@attrs.frozen
class Note:
    """Something to know when choosing what to do next; unlike a reason, it refuses nothing.

    ``code`` is stable (``came_of_age``: the person turned 18 during the case;
    ``instruction``: an instruction of the state the case is in); the labels are the
    text shown, in Danish and English.
    """

    code: str
    labels: Labels

    @property
    def message(self) -> str:
        """Return the text in the current language."""
        return label(self.labels)

    def to_dict(self) -> dict[str, Any]:
        """Return the note as JSON-ready data (``message`` in English, ``da`` in Danish)."""
        return {"code": self.code, "message": self.labels.en, "da": self.labels.da}


@attrs.frozen
class TriggerOption:
    """A trigger and whether an actor may fire it on a case now; if not, why not.

    ``notes`` tell what the actor should know (e.g. that the person came of age during
    the case); they never change whether the trigger is allowed.
    """

    trigger: str
    labels: Labels
    dest: str | None
    reasons: tuple[Reason, ...] = ()
    requires_reason: bool = False
    notes: tuple[Note, ...] = ()

    @property
    def allowed(self) -> bool:
        """Tell whether the trigger can be fired now."""
        return not self.reasons

    def to_dict(self) -> dict[str, Any]:
        """Return the option as JSON-ready data."""
        return {
            "trigger": self.trigger,
            "label": {"da": self.labels.da, "en": self.labels.en},
            "dest": self.dest,
            "allowed": self.allowed,
            "requires_reason": self.requires_reason,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "notes": [note.to_dict() for note in self.notes],
        }
