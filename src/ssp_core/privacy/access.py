"""The access policy: every operation checked against the plugins' grants, per role.

:class:`AccessPolicy` answers one question for :class:`~ssp_core.application.casework.Casework`:
may this actor, in this role, do this operation, on this workflow (and case), for
this purpose, and if so which field groups may they see? A refusal names the missing
permission; the caller audits it and changes nothing.

:class:`Walls` add the municipality to the question: a grant covers a case only if
the case's municipality is the one whose plugin contributed the role, or, for a grant
that reaches the police district, a municipality of the same district.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from ssp_core.domain.access import ANY, OPERATIONS, FieldGroup, Grant, Scope, operation_matches
from ssp_core.domain.district import Reach
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import AccessDenied, UnknownId
from ssp_core.i18n import _

if TYPE_CHECKING:
    from ssp_core.plugins.registry import Registry

__all__ = ["PERMITS_KEPT", "AccessPolicy", "Permit", "Walls", "Where"]


@attrs.frozen
class Where:
    """The municipality of the case an operation is on (``None``: a deployment without any)."""

    municipality: str | None


@attrs.frozen
class Walls:
    """Whose cases each role reaches: its own municipality's, or its police district's.

    ``homes`` maps each role to the municipality whose plugin contributed it (``None``:
    a plugin that declares none); ``districts`` each municipality to its police
    district; ``workflows`` each workflow to its municipality, for index rows and
    histories written before 0.2, which name none (a shared workflow's are then the
    only municipality's, in a deployment of one).
    """

    homes: Mapping[str, str | None] = attrs.field(factory=dict)
    districts: Mapping[str, str] = attrs.field(factory=dict)
    workflows: Mapping[str, str | None] = attrs.field(factory=dict)

    @classmethod
    def of(cls, registry: Registry) -> Walls:
        """Return the walls the registry's municipalities and roles draw."""
        homes = {role: registry.role_home(role) for role in registry.roles}
        districts = {m.id: m.police_district for m in registry.municipalities.values()}
        only = registry.only_municipality()
        workflows = {
            d.id: registry.workflow_home(d.id) or only for d in registry.latest_workflows()
        }
        return cls(
            MappingProxyType(homes), MappingProxyType(districts), MappingProxyType(workflows)
        )

    def municipality(self, workflow: str, stored: str | None) -> str | None:
        """Return a case's municipality: the one stored, else its workflow's (before 0.2)."""
        return stored if stored is not None else self.workflows.get(workflow)

    def home(self, role: str) -> str | None:
        """Return the municipality a role acts for (``None``: none)."""
        return self.homes.get(role)

    def reaches(self, grant: Grant, municipality: str | None) -> bool:
        """Tell whether ``grant`` reaches a case of ``municipality`` (a relation, not a label)."""
        home = self.homes.get(grant.role)
        if municipality == home:
            return True
        if grant.reach is not Reach.DISTRICT or municipality is None or home is None:
            return False
        district = self.districts.get(home)
        return district is not None and self.districts.get(municipality) == district


@attrs.frozen
class Permit:
    """What a check allowed: the field groups readable, and whether only assigned cases are."""

    operation: str
    field_groups: frozenset[FieldGroup]
    assigned_only: bool


PERMITS_KEPT = 4_096
"""How many distinct permits an :class:`AccessPolicy` keeps to give again (each is small)."""


class AccessPolicy:
    """The grants of the registry, indexed by role, answering access checks."""

    def __init__(
        self,
        grants: Iterable[Grant],
        roles: Iterable[str],
        purposes: Iterable[str],
        walls: Walls | None = None,
        renamed_roles: Mapping[str, str] | None = None,
    ) -> None:
        self.walls = walls or Walls()
        """Whose cases each role reaches."""
        self._roles = frozenset(roles)
        self._renamed = dict(renamed_roles or {})
        self._purposes = frozenset(purposes)
        self._by_role: dict[str, list[Grant]] = {}
        for grant in grants:
            self._by_role.setdefault(grant.role, []).append(grant)
        # The permits given, by everything a check depends on (see ``check``): the
        # grants and walls never change, so the same question gets the same answer.
        self._permits: dict[tuple[object, ...], Permit] = {}

    @classmethod
    def of(cls, registry: Registry) -> AccessPolicy:
        """Return the policy of a registry's grants, roles, purposes and walls."""
        return cls(
            registry.grants.values(),
            registry.roles,
            registry.purposes,
            Walls.of(registry),
            renamed_roles=registry.id_renames.of("role"),
        )

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
        where: Where | None = None,
    ) -> Permit:
        """Return the :class:`Permit` for the operation, or raise :class:`AccessDenied`.

        ``workflow``, ``assignee`` and ``opened_by`` describe the case, when the
        operation is on one; a grant of scope ``assigned`` covers it only if it is
        assigned to the actor or was opened by them. Without a case such a grant
        covers only the actor's own cases (the caller narrows the search). ``where``
        names the municipality of the case (or of the case to be opened): only grants
        whose :class:`Walls` reach it count. Without it the operation is not on one
        municipality's case, and lists are narrowed case by case.

        A permit depends only on the actor's role, the operation, the purpose, the
        workflow, the municipality and whether the case is the actor's own, so one
        given is kept and given again for the same question; a refusal is worked out
        (and its reason said) every time.
        """
        on_case = opened_by is not None
        asked = (
            actor.role,
            operation,
            purpose,
            workflow,
            None if where is None else where.municipality,
            on_case,
            on_case and actor.id in (assignee, opened_by),
        )
        permit = self._permits.get(asked)
        if permit is None:
            permit = self._worked_out(
                actor, operation, purpose, workflow, assignee, opened_by, case_id, where
            )
            if len(self._permits) < PERMITS_KEPT:
                self._permits[asked] = permit
        return permit

    def _worked_out(  # noqa: PLR0917 (the parts of one access question)
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        workflow: str | None,
        assignee: str | None,
        opened_by: str | None,
        case_id: str | None,
        where: Where | None,
    ) -> Permit:
        if operation not in OPERATIONS:
            raise UnknownId("operation", operation, list(OPERATIONS))
        if actor.role not in self._roles:
            raise UnknownId(
                "role", actor.role, sorted(self._roles), renamed_to=self._renamed.get(actor.role)
            )
        if purpose not in self._purposes:
            raise UnknownId("purpose", purpose, sorted(self._purposes))
        own = self._by_role.get(actor.role, ())
        if (
            where is not None
            and where.municipality != self.walls.home(actor.role)
            and not any(self.walls.reaches(g, where.municipality) for g in own)
        ):
            # Behind another wall: said before anything about the case (its workflow,
            # its id) that would tell whose it is.
            raise AccessDenied(actor.id, actor.role, operation, self._walled(actor), None)
        grants = [
            g
            for g in own
            if g.covers(operation, workflow, purpose)
            and (where is None or self.walls.reaches(g, where.municipality))
        ]
        if (
            not grants
            and where is not None
            and any(g.covers(operation, workflow, purpose) for g in own)
        ):
            # Granted, but not in this case's municipality. The case id is not repeated:
            # the message reaches staff behind another wall (the gate audits it with the id).
            raise AccessDenied(actor.id, actor.role, operation, self._walled(actor), None)
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

    def scope(
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        workflow: str,
        where: Where | None = None,
    ) -> Scope | None:
        """Return how far the role's grants cover ``operation`` on cases of ``workflow``.

        ``Scope.ALL`` if some covering grant has scope ``all``; ``Scope.ASSIGNED`` if
        all covering grants are for the actor's own cases; ``None`` if none covers it.
        Operations over many cases (a search, a list) check each case this way, so a
        role with an ``all`` grant for some workflows and an ``assigned`` grant for
        others sees only its own cases of the latter. With ``where``, only grants that
        reach that municipality count.
        """
        grants = [
            g
            for g in self._by_role.get(actor.role, ())
            if g.covers(operation, workflow, purpose)
            and (where is None or self.walls.reaches(g, where.municipality))
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

    def workflows_in_full(
        self, actor: Actor, operation: str, purpose: str
    ) -> frozenset[str] | None:
        """Return the workflows a grant of scope ``all`` covers ``operation`` on (``None``: all).

        On the other workflows the role's grants cover only the actor's own cases, if any.
        """
        flows: set[str] = set()
        for grant in self._by_role.get(actor.role, ()):
            if grant.scope is Scope.ALL and grant.covers(operation, None, purpose):
                if ANY in grant.workflows:
                    return None
                flows.update(grant.workflows)
        return frozenset(flows)

    def municipalities(
        self, actor: Actor, operation: str, purpose: str
    ) -> frozenset[str | None] | None:
        """Return the municipalities whose cases the role's grants for ``operation`` reach.

        ``None`` when no municipality is declared at all (one flat deployment): every
        case is then within reach of the grants' other conditions.
        """
        if not self.walls.districts:
            return None
        home = self.walls.home(actor.role)
        reached: set[str | None] = set()
        for grant in self._by_role.get(actor.role, ()):
            if grant.covers(operation, None, purpose):
                reached.add(home)
                if grant.reach is Reach.DISTRICT and home is not None:
                    district = self.walls.districts.get(home)
                    reached.update(m for m, d in self.walls.districts.items() if d == district)
        return frozenset(reached)

    def reached(self, actor: Actor, operation: str, purpose: str) -> frozenset[str] | None:
        """Return the municipalities whose cases a count or export for ``operation`` covers.

        As :meth:`municipalities`, for a query of the store: ``None`` means every case
        (no municipality is declared), a set the cases of those municipalities only.
        """
        found = self.municipalities(actor, operation, purpose)
        return None if found is None else frozenset(m for m in found if m is not None)

    def _walled(self, actor: Actor) -> str:
        home = self.walls.home(actor.role)
        # The case's own municipality is not named: the refusal goes to someone behind
        # another wall, and the audit entry of it to the case's own municipality.
        if home:
            text = _(
                "role {role} acts for municipality {home}; no grant of it reaches this case's "
                "municipality"
            )
        else:
            text = _(
                "role {role} acts for no municipality; no grant of it reaches this case's "
                "municipality"
            )
        return text.format(role=repr(actor.role), home=repr(home))

    def _missing(
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        workflow: str | None,
        covering: list[Grant],
    ) -> str:
        if covering:
            return _(
                "role {role} has permission {operation} only on cases assigned to "
                "the actor or opened by them"
            ).format(role=repr(actor.role), operation=repr(operation))
        if workflow:
            text = _(
                "no grant gives role {role} permission {operation} on workflow {workflow} "
                "for purpose {purpose}"
            )
        else:
            text = _("no grant gives role {role} permission {operation} for purpose {purpose}")
        text = text.format(
            role=repr(actor.role),
            operation=repr(operation),
            workflow=repr(workflow),
            purpose=repr(purpose),
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
        return _(
            "{text} (its grants for it cover workflows {workflows}; purposes {purposes})"
        ).format(text=text, workflows=", ".join(flows), purposes=", ".join(purposes))
