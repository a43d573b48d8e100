"""One hierarchy of errors: everything ssp_core raises on purpose is an :class:`SspError`.

Every message names what was wrong and what is allowed. No message ever contains a
CPR number or other identifying data: callers may show them to users and write them
to logs as they are.

Every public error class of ssp_core is defined here, with :class:`Reason`, the
explanation a refusal carries as data. This module imports nothing of ssp_core, so
every layer can raise these errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ssp_core.text import shown_id

__all__ = [
    "AccessDenied",
    "ActionRefused",
    "CardRefused",
    "CaseNotFound",
    "ConcurrencyError",
    "ConfigError",
    "DataError",
    "DisclosureRefused",
    "ExtensionProblems",
    "InvalidCpr",
    "MovedSincePlan",
    "NewerTemplateWarning",
    "PluginError",
    "Reason",
    "SchemaError",
    "SealError",
    "Signal",
    "SspError",
    "StoreError",
    "StoreUnavailable",
    "TransitionRefused",
    "UnknownId",
    "WrongKey",
]


@attrs.frozen
class Reason:
    """Why something is refused. ``code`` is stable; :attr:`message` is for people.

    The workflow engine's reasons (:mod:`ssp_core.workflows.explain`) subclass it.
    """

    code = "refused"

    @property
    def message(self) -> str:
        """Return a one-line English explanation."""
        return "refused"

    def to_dict(self) -> dict[str, Any]:
        """Return the reason as JSON-ready data."""
        return {"code": self.code, "message": self.message, **attrs.asdict(self)}


class SspError(Exception):
    """The base of every error ssp_core raises on purpose."""


class Signal(Exception):
    """Not an error: raised and caught inside one package, for control flow; never leaves it.

    Subclasses may live in the package that uses them (the SQLite store's version
    gap, the suppression audit's search limits). Everything a caller can catch is an
    :class:`SspError`, defined in this module.
    """


class ConfigError(SspError):
    """Configuration or contributed data (a workflow, a catalogue, a TOML file) is invalid."""


class ExtensionProblems(ConfigError):
    """A workflow extension does not fit the workflow it extends: ``problems`` says how.

    The registry reports each problem naming the workflow and its plugin.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class PluginError(SspError):
    """A plugin could not be loaded, failed in a hook, or clashed with another plugin.

    :ivar plugin: the plugin that failed in a hook, if one did (else ``None``).
    :ivar hook: the hook it failed in (else ``None``).
    :ivar failures: for the reactions of several plugins to one thing, each failure.
    """

    def __init__(
        self,
        message: str,
        *,
        plugin: str | None = None,
        hook: str | None = None,
        failures: tuple[PluginError, ...] = (),
    ) -> None:
        super().__init__(message)
        self.plugin = plugin
        self.hook = hook
        self.failures = failures


class NewerTemplateWarning(UserWarning):
    """A workflow extends a version of another workflow that has a newer version.

    The extension stays pinned to the version it names; the warning (from the test kit,
    :class:`ssp_core.testing.PluginContract`) says there is a newer one to consider, and
    nothing changes until the plugin registers a version that follows it.
    """


class ReactionFailed(UserWarning):
    """A plugin's reaction to something already stored failed; what was stored stands.

    The message names the case, the hook and the plugins and the type of their
    errors, never their messages (which may quote what the case holds). The command
    that stored it succeeded: do not repeat it.
    """


class DataError(SspError):
    """Input given to the library (a date, an id, a text) is not acceptable."""


class InvalidCpr(DataError):
    """A CPR number is malformed. The message describes the problem, never the number."""


class UnknownId(DataError):
    """An id (workflow, trigger, partner, catalogue, ...) is not known.

    :ivar kind: what kind of id was looked up, e.g. ``"workflow"``.
    :ivar wanted: the id that was asked for.
    :ivar known: the ids that exist.
    :ivar renamed_to: the id's new name, if a plugin renamed it.
    """

    def __init__(
        self, kind: str, wanted: str, known: Sequence[str], *, renamed_to: str | None = None
    ) -> None:
        self.kind = kind
        self.wanted = wanted
        self.known = tuple(known)
        self.renamed_to = renamed_to
        if renamed_to is not None:
            super().__init__(f"{kind} {wanted!r} was renamed to {renamed_to!r}; use the new id")
            return
        choices = ", ".join(sorted(self.known)) or "none"
        # What is not shaped like an id (a name, a CPR number typed by mistake) is not repeated.
        super().__init__(f"unknown {kind} {shown_id(wanted)}; known: {choices}")


class CaseNotFound(UnknownId):
    """No case with that id exists."""

    def __init__(self, case_id: str) -> None:
        self.kind = "case"
        self.wanted = case_id
        self.known = ()
        self.renamed_to = None
        Exception.__init__(self, f"no case with id {shown_id(case_id)}")


class SealError(DataError):
    """Sealed data cannot be opened: another municipal key, or the data were altered or moved."""


class WrongKey(ConfigError):
    """The municipal key given is not the one the store seals that municipality's data under.

    Nothing is written: data sealed under the wrong key could not be read with the
    right one, and a person enrolled under it would get a second pseudonym. The
    message names the municipality and both keys' fingerprints (never key material).
    """


class CardRefused(DataError):
    """An action card was named for a person it does not apply to; the refusal was audited.

    The person's age on the concern date lies outside the card's age band, or the
    situation named is not the card's. The message names the card's band and the card
    that applies instead; nothing was written. A role granted
    ``case.open_outside_band`` may still open it, with a written reason.
    """


class DisclosureRefused(DataError):
    """A disclosure lacks a lawful basis or exceeds the recipient's profile; nothing was shared."""


class MovedSincePlan(DataError):
    """A case planned for migration has moved to another state (or version) since the plan.

    :ivar case_id: the case.
    :ivar state: the state it is in now.
    :ivar workflow_version: the workflow version it is on now.
    """

    def __init__(self, case_id: str, state: str, workflow_version: int) -> None:
        self.case_id = case_id
        self.state = state
        self.workflow_version = workflow_version
        super().__init__(
            f"case {case_id} has changed since the migration was planned (now in state "
            f"{state!r} on version {workflow_version}); plan again"
        )


class ActionRefused(SspError):
    """Recording something on a case (a fact, a session, ...) is refused; nothing changed."""


class TransitionRefused(SspError):
    """A trigger was fired that is not allowed now; nothing was changed.

    :ivar case_id: the case.
    :ivar trigger: the trigger that was fired.
    :ivar state: the state the case is (still) in.
    :ivar reasons: the same reasons that
        :meth:`ssp_core.workflows.engine.WorkflowEngine.options` gives for the trigger.
    """

    def __init__(self, case_id: str, trigger: str, state: str, reasons: Sequence[Reason]) -> None:
        self.case_id = case_id
        self.trigger = trigger
        self.state = state
        self.reasons = tuple(reasons)
        why = "; ".join(reason.message for reason in self.reasons)
        super().__init__(
            f"trigger {trigger!r} refused for case {case_id} in state {state!r}: {why}"
        )


class StoreError(SspError):
    """The case store cannot do what was asked; nothing was changed."""


class StoreUnavailable(StoreError):
    """The case store cannot be reached or opened (a server that does not answer, a bad path)."""


class SchemaError(StoreError):
    """The store's schema is not one this library can use: foreign, corrupt, older or newer."""


class ConcurrencyError(StoreError):
    """Another writer appended to the case first; nothing of this command was written.

    :ivar case_id: the case whose version was taken.
    :ivar version: the version this command tried to write (0: not a version, the
        case's key row: see :meth:`key_row`).
    """

    def __init__(self, case_id: str, version: int, message: str | None = None) -> None:
        self.case_id = case_id
        self.version = version
        super().__init__(
            message
            or f"case {case_id} was changed by someone else: version {version} is already "
            "written; load the case again and retry"
        )

    @classmethod
    def key_row(cls, case_id: str) -> ConcurrencyError:
        """Return the error for a key row replaced or erased since it was read."""
        return cls(
            case_id,
            0,
            f"case {case_id}: its key row was re-wrapped or erased by someone else since it "
            "was read; nothing of this write was stored; read it again and retry",
        )


class AccessDenied(SspError):
    """The actor's role has no permission for this; the refusal was audited, nothing else changed.

    :ivar actor: the actor's id.
    :ivar role: the role they acted in.
    :ivar operation: the operation refused (e.g. ``case.note``).
    :ivar permission: the missing permission, in words.
    :ivar case_id: the case, if the operation was on one.
    """

    def __init__(
        self, actor: str, role: str, operation: str, permission: str, case_id: str | None = None
    ) -> None:
        self.actor = actor
        self.role = role
        self.operation = operation
        self.permission = permission
        self.case_id = case_id
        on = f" on case {case_id}" if case_id else ""
        super().__init__(f"{actor} ({role}) may not {operation}{on}: {permission}")
