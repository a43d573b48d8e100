"""The access policy: every operation checked against the plugins' grants, per role.

:class:`AccessPolicy` answers one question for :class:`~ssp_core.application.casework.Casework`:
may this actor, in this role, do this operation, on this workflow (and case), for
this purpose, and if so which field groups may they see? A refusal names the missing
permission; the caller audits it and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ssp_core.domain.access import ANY, OPERATIONS, FieldGroup, Grant, Scope, operation_matches
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import AccessDenied, UnknownId

__all__ = ["AccessPolicy", "Permit"]


@attrs.frozen
class Permit:
    """What a check allowed: the field groups readable, and whether only assigned cases are."""

    operation: str
    field_groups: frozenset[FieldGroup]
    assigned_only: bool


class AccessPolicy:
    """The grants of the registry, indexed by role, answering access checks."""

    def __init__(
        self, grants: Iterable[Grant], roles: Iterable[str], purposes: Iterable[str]
    ) -> None:
        self._roles = frozenset(roles)
        self._purposes = frozenset(purposes)
        self._by_role: dict[str, list[Grant]] = {}
        for grant in grants:
            self._by_role.setdefault(grant.role, []).append(grant)

    def grants_of(self, role: str) -> tuple[Grant, ...]:
        """Return the grants of a role."""
        return tuple(self._by_role.get(role, ()))

    def check(
        self,
        actor: Actor,
        operation: str,
        *,
        purpose: str,
        workflow: str | None = None,
        assignee: str | None = None,
        opened_by: str | None = None,
        case_id: str | None = None,
    ) -> Permit:
        """Return the :class:`Permit` for the operation, or raise :class:`AccessDenied`.

        ``workflow``, ``assignee`` and ``opened_by`` describe the case, when the
        operation is on one; a grant of scope ``assigned`` covers it only if it is
        assigned to the actor or was opened by them. Without a case such a grant
        covers only the actor's own cases (the caller narrows the search).
        """
        if operation not in OPERATIONS:
            raise UnknownId("operation", operation, list(OPERATIONS))
        if actor.role not in self._roles:
            raise UnknownId("role", actor.role, sorted(self._roles))
        if purpose not in self._purposes:
            raise UnknownId("purpose", purpose, sorted(self._purposes))
        grants = [
            g for g in self._by_role.get(actor.role, ()) if g.covers(operation, workflow, purpose)
        ]
        on_case = opened_by is not None
        in_scope = [
            g
            for g in grants
            if g.scope is Scope.ALL or not on_case or actor.id in (assignee, opened_by)
        ]
        if not in_scope:
            raise AccessDenied(
                actor.id,
                actor.role,
                operation,
                self._missing(actor, operation, purpose, workflow, grants),
                case_id,
            )
        return Permit(
            operation=operation,
            field_groups=frozenset(group for g in in_scope for group in g.field_groups),
            assigned_only=all(g.scope is Scope.ASSIGNED for g in in_scope),
        )

    def scope(self, actor: Actor, operation: str, purpose: str, workflow: str) -> Scope | None:
        """Return how far the role's grants cover ``operation`` on cases of ``workflow``.

        ``Scope.ALL`` if some covering grant has scope ``all``; ``Scope.ASSIGNED`` if
        all covering grants are for the actor's own cases; ``None`` if none covers it.
        Operations over many cases (a search, a list) check each case this way, so a
        role with an ``all`` grant for some workflows and an ``assigned`` grant for
        others sees only its own cases of the latter.
        """
        grants = [
            g for g in self._by_role.get(actor.role, ()) if g.covers(operation, workflow, purpose)
        ]
        if not grants:
            return None
        return Scope.ALL if any(g.scope is Scope.ALL for g in grants) else Scope.ASSIGNED

    def workflows(self, actor: Actor, operation: str, purpose: str) -> frozenset[str] | None:
        """Return the workflows the role's grants allow ``operation`` on (``None``: all)."""
        flows: set[str] = set()
        for grant in self._by_role.get(actor.role, ()):
            if grant.covers(operation, None, purpose):
                if ANY in grant.workflows:
                    return None
                flows.update(grant.workflows)
        return frozenset(flows)

    def _missing(
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        workflow: str | None,
        covering: list[Grant],
    ) -> str:
        if covering:
            return (
                f"role {actor.role!r} has permission {operation!r} only on cases assigned to "
                "the actor or opened by them"
            )
        on = f" on workflow {workflow!r}" if workflow else ""
        text = (
            f"no grant gives role {actor.role!r} permission {operation!r}{on} "
            f"for purpose {purpose!r}"
        )
        same = [
            g
            for g in self._by_role.get(actor.role, ())
            if any(operation_matches(pattern, operation) for pattern in g.operations)
        ]
        if not same:
            return text
        flows = sorted({w for g in same for w in g.workflows})
        purposes = sorted({p for g in same for p in g.purposes})
        return (
            f"{text} (its grants for it cover workflows {', '.join(flows)}; "
            f"purposes {', '.join(purposes)})"
        )
