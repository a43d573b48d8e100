"""Access as data: purposes, the operations of the public API, field groups, and grants.

A :class:`Grant` says what one role may do: which operations, on which workflows,
seeing which groups of personal fields, for which purposes, and on which cases (all,
or only those assigned to the actor). Plugins contribute grants; anything not
granted is refused. The core defines the operations and field groups; the data
says who gets them.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from ssp_core.domain.district import Reach
from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier

__all__ = [
    "ADMINISTRATION",
    "ANY",
    "CASEWORK",
    "OPERATIONS",
    "RESEARCH",
    "RETENTION",
    "FieldGroup",
    "Grant",
    "Purpose",
    "Scope",
    "operation_matches",
]

ANY = "*"
"""In a grant: any workflow, or any purpose."""

CASEWORK = "casework"
"""The purpose of ordinary case handling, used when a write or a search names no other."""

RESEARCH = "research"
"""The purpose of research exports and evaluations, unless another is named."""

RETENTION = "retention"
"""The purpose of planning and running erasure, unless another is named."""

ADMINISTRATION = "administration"
"""The purpose of administering the store, unless another is named."""

OPERATIONS: dict[str, str] = {
    "case.open": "open a case or a concern",
    "case.open_outside_band": (
        "open an action card for a person outside its age band, with a written reason "
        "(besides case.open; audited)"
    ),
    "case.read": "load a case with its history (personal fields as the grant's field groups)",
    "case.search": "search the case index (no personal data)",
    "case.fire": "fire a trigger of a case's workflow",
    "case.fact": "record a fact the workflow asks for",
    "case.observe": "record an observation of a worry sign",
    "case.note": "add a note or record a session",
    "case.assign": "assign or unassign a case",
    "case.move": "move a case to another municipality (the person moved), on a legal basis",
    "case.hold": "put a case on hold or take it off hold",
    "case.extend": "extend a deadline",
    "case.deadlines": "record missed deadlines and escalate them",
    "case.migrate": "move cases to a newer workflow version",
    "case.export": "export one case's history",
    "case.disclose": "disclose case information to a partner or agency",
    "disclosure.list": "list disclosures: what went to whom, on what basis",
    "identity.enrol": "enter a person's CPR number, name and contact into the identity vault",
    "identity.reidentify": "re-identify the person behind a case from the identity vault",
    "identity.correct": "change the name or contact of the person behind a case in the vault",
    "audit.read": "read the audit log",
    "retention.run": "erase cases due under the retention rules",
    "research.export": "export pseudonymised or aggregate data for research",
    "report.evaluate": "compute evaluations and the goal report (counts only, small ones hidden)",
    "store.seal": "seal the histories a schema-1 store kept unsealed",
    "store.upgrade": "apply the schema migrations a store lacks",
    "key.rotate": "rotate a municipality's key: re-wrap its cases' data keys under a new key",
}
"""Every operation of the public API that is checked, with what it does."""


def operation_matches(pattern: str, operation: str) -> bool:
    """Tell whether a grant's operation pattern (``case.note``, ``case.*`` or ``*``) covers one."""
    if pattern in (ANY, operation):
        return True
    return pattern.endswith(".*") and operation.startswith(pattern[:-1])


class FieldGroup(StrEnum):
    """A group of personal fields that is granted, disclosed and sealed as one.

    ``case`` is the case's existence, workflow, states and dates (no personal text);
    ``subject`` the person's pseudonym and birth date; ``notes`` every free text
    (notes, session notes, reasons, fact details); ``observations`` the worry signs
    seen, by whom, and what was written about them; ``identity`` the CPR number, name
    and contact kept in the identity vault.
    """

    CASE = "case"
    SUBJECT = "subject"
    NOTES = "notes"
    OBSERVATIONS = "observations"
    IDENTITY = "identity"


class Scope(StrEnum):
    """Which cases a grant covers: all, or those assigned to the actor (or opened by them)."""

    ALL = "all"
    ASSIGNED = "assigned"


@attrs.frozen
class Purpose:
    """Why personal data is read or written, e.g. case handling, disclosure, research.

    :ivar id: the purpose's id, unique in the deployment; the core's are ``casework``,
        ``disclosure``, ``reidentification``, ``research``, ``audit``, ``retention`` and
        ``administration``. Lower-case letters, digits and ``_``, starting with a letter,
        parts joined by ``.`` or ``-``; in a municipality's plugin it starts with the
        municipality's id and a dot.
    :ivar labels: its name in Danish and English.
    :ivar description: a longer explanation in both languages, if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    description: Labels | None = None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _groups(value: object) -> tuple[FieldGroup, ...]:
    return tuple(FieldGroup(item) for item in _strings(value))


@attrs.frozen
class Grant:
    """What one role may do: operations, on which workflows, seeing which field groups.

    A grant covers an operation only if its operations, workflows, purposes, scope and
    reach all allow it. A role's grants add up: an operation is allowed if one of them
    covers it, and a read shows the field groups of every grant that covers it.

    :ivar role: the id of the registered role the grant is for, e.g. ``aalborg.mentor``.
    :ivar operations: what the role may do: an array of operation ids from ``OPERATIONS``
        (e.g. ``case.read``, ``identity.reidentify``), of patterns such as ``case.*``, or
        ``"*"`` (every operation).
    :ivar workflows: an array of the ids of the registered workflows whose cases the grant
        covers; the default ``["*"]`` covers every workflow.
    :ivar field_groups: the field groups the grant shows, from ``case``, ``subject``,
        ``notes``, ``observations`` and ``identity``: a sealed field reads ``[withheld]``
        unless a grant covering the read lists its group, and a role discloses only the
        groups its grants list (``case`` always). Left out: none.
    :ivar purposes: an array of the ids of the registered purposes the grant is for; every
        checked operation names its purpose. The default ``["*"]`` allows any purpose.
    :ivar scope: ``all`` (the default): every case the other keys allow; ``assigned``: only
        the cases assigned to the actor or opened by them, in lists and searches too.
    :ivar reach: ``municipality`` (the default): the cases of the municipality whose plugin
        contributed the role; ``district``: also those of every municipality of its police
        district (the role must belong to a municipality).
    :ivar description: what the grant is for, in Danish and English, if any.
    """

    role: str = attrs.field(validator=identifier)
    operations: tuple[str, ...] = attrs.field(converter=_strings)
    workflows: tuple[str, ...] = attrs.field(default=(ANY,), converter=_strings)
    field_groups: tuple[FieldGroup, ...] = attrs.field(default=(), converter=_groups)
    purposes: tuple[str, ...] = attrs.field(default=(ANY,), converter=_strings)
    scope: Scope = attrs.field(default=Scope.ALL, converter=Scope)
    reach: Reach = attrs.field(default=Reach.MUNICIPALITY, converter=Reach)
    description: Labels | None = None

    @property
    def id(self) -> str:
        """Return a key naming the grant (its role and operations), for the registry."""
        return f"{self.role}:{'+'.join(self.operations)}:{'+'.join(self.workflows)}"

    def problems(self) -> list[str]:
        """Return what is wrong with the grant on its own (unknown operations)."""
        return [
            f"unknown operation {pattern!r}; known: {', '.join(OPERATIONS)} "
            "(or a pattern such as 'case.*')"
            for pattern in self.operations
            if not any(operation_matches(pattern, op) for op in OPERATIONS)
        ]

    def covers(self, operation: str, workflow: str | None, purpose: str) -> bool:
        """Tell whether this grant allows ``operation`` on ``workflow`` for ``purpose``."""
        return (
            any(operation_matches(pattern, operation) for pattern in self.operations)
            and (workflow is None or ANY in self.workflows or workflow in self.workflows)
            and (ANY in self.purposes or purpose in self.purposes)
        )
