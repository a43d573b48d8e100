"""One hierarchy of errors: everything ssp_core raises on purpose is an :class:`SspError`.

Every message names what was wrong and what is allowed. No message ever contains a
CPR number or other identifying data: callers may show them to users and write them
to logs as they are.

Every public error class of ssp_core is defined here, with :class:`Reason`, the
explanation a refusal carries as data. This module imports nothing of ssp_core but
:mod:`ssp_core.text` and the message catalogue (:mod:`ssp_core.i18n`), so every layer
can raise these errors. Messages are made in the current language
(:func:`ssp_core.i18n.language`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ssp_core.i18n import N_, _, language
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
        """Return a one-line explanation in the current language."""
        return _("refused")

    def to_dict(self) -> dict[str, Any]:
        """Return the reason as JSON-ready data (the message in English, as all JSON is)."""
        with language("en"):
            message = self.message
        return {"code": self.code, "message": message, **attrs.asdict(self)}


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


_KINDS = (
    N_("workflow"),
    N_("workflow version"),
    N_("municipality"),
    N_("police district"),
    N_("strategy"),
    N_("initiative"),
    N_("operation"),
    N_("role"),
    N_("purpose"),
    N_("grant"),
    N_("guard"),
    N_("age band"),
    N_("advice request"),
    N_("guide section"),
    N_("export kind"),
    N_("export format"),
    N_("partner"),
    N_("partner kind"),
    N_("legal basis"),
    N_("situation"),
    N_("catalogue"),
    N_("worry-sign catalogue"),
    N_("INFO house"),
    N_("corps"),
    N_("locality"),
    N_("example walk"),
    N_("action group"),
    N_("reference text"),
    N_("disclosure profile"),
    N_("retention rule"),
    N_("finding category"),
    N_("activity kind"),
    N_("example activity"),
)
"""Kinds of id that callers name in :class:`UnknownId`, marked for the catalogue."""


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
        shown_kind = _(kind)  # a kind marked above comes out in the current language
        if renamed_to is not None:
            super().__init__(
                _("{kind} {wanted} was renamed to {new}; use the new id").format(
                    kind=shown_kind, wanted=repr(wanted), new=repr(renamed_to)
                )
            )
            return
        choices = ", ".join(sorted(self.known)) or _("none")
        # What is not shaped like an id (a name, a CPR number typed by mistake) is not repeated.
        super().__init__(
            _("unknown {kind} {wanted}; known: {choices}").format(
                kind=shown_kind, wanted=shown_id(wanted), choices=choices
            )
        )


class CaseNotFound(UnknownId):
    """No case with that id exists."""

    def __init__(self, case_id: str) -> None:
        self.kind = "case"
        self.wanted = case_id
        self.known = ()
        self.renamed_to = None
        Exception.__init__(self, _("no case with id {case}").format(case=shown_id(case_id)))


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
            _(
                "case {case} has changed since the migration was planned (now in state "
                "{state} on version {version}); plan again"
            ).format(case=case_id, state=repr(state), version=workflow_version)
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
            _("trigger {trigger} refused for case {case} in state {state}: {why}").format(
                trigger=repr(trigger), case=case_id, state=repr(state), why=why
            )
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
            or _(
                "case {case} was changed by someone else: version {version} is already "
                "written; load the case again and retry"
            ).format(case=case_id, version=version)
        )

    @classmethod
    def key_row(cls, case_id: str) -> ConcurrencyError:
        """Return the error for a key row replaced or erased since it was read."""
        return cls(
            case_id,
            0,
            _(
                "case {case}: its key row was re-wrapped or erased by someone else since it "
                "was read; nothing of this write was stored; read it again and retry"
            ).format(case=case_id),
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
        if case_id:
            text = _("{actor} ({role}) may not {operation} on case {case}: {permission}")
        else:
            text = _("{actor} ({role}) may not {operation}: {permission}")
        super().__init__(
            text.format(
                actor=actor, role=role, operation=operation, case=case_id, permission=permission
            )
        )
