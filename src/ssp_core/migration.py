"""Moving running cases to a newer version of their workflow: plan first, then migrate.

A case stays bound to the definition version it was opened on. When a plugin ships
a new version, :func:`plan_migration` lists, for each running case of older
versions, the state it would move to, or why it cannot move; :func:`migrate`
applies a plan with one :class:`~ssp_core.domain.events.WorkflowMigrated` event per
case. A case that moved to another state since the plan was made is left alone and
reported.
How old states map to new ones is data: the new version's ``migrations`` table,
else a state of the same id.
"""

from __future__ import annotations

import attrs

from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ConcurrencyError
from ssp_core.service import CASEWORK, Casework, MovedSincePlan
from ssp_core.store.records import CaseQuery

__all__ = ["MigrationItem", "MigrationPlan", "MigrationResult", "migrate", "plan_migration"]


@attrs.frozen
class MigrationItem:
    """One running case in a plan: where it is, where it would go, or why it cannot."""

    case_id: str
    from_version: int
    source: str
    dest: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether the case can be migrated."""
        return self.dest is not None


@attrs.frozen
class MigrationPlan:
    """What migrating the running cases of ``workflow`` to ``to_version`` would do."""

    workflow: str
    to_version: int
    items: tuple[MigrationItem, ...]

    @property
    def movable(self) -> tuple[MigrationItem, ...]:
        """Return the cases that can be migrated."""
        return tuple(item for item in self.items if item.ok)

    @property
    def unmappable(self) -> tuple[MigrationItem, ...]:
        """Return the cases that cannot be migrated, each with its problem."""
        return tuple(item for item in self.items if not item.ok)


@attrs.frozen
class MigrationResult:
    """What :func:`migrate` did: the cases moved, and those left alone with the reason."""

    migrated: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


def plan_migration(
    casework: Casework,
    workflow: str,
    actor: Actor,
    *,
    to_version: int | None = None,
    purpose: str = CASEWORK,
) -> MigrationPlan:
    """Plan moving the running cases of older versions of ``workflow`` to ``to_version``.

    ``to_version`` defaults to the newest registered version. Nothing is changed.
    """
    target = casework.registry.engine(workflow, to_version).definition
    rows = [
        row
        for row in casework.find(
            actor, CaseQuery(workflow=workflow, open_only=True), purpose=purpose
        )
        if row.workflow_version < target.version
    ]
    states = {state.id for state in target.states}
    items = []
    for row in rows:
        migration = target.migration_from(row.workflow_version)
        dest = migration.target(row.state) if migration else None
        if dest is None and row.state in states:
            dest = row.state
        problem = None
        if dest is None:
            problem = (
                f"state {row.state!r} of version {row.workflow_version} has no counterpart in "
                f"{target.name}, and its migrations table names none"
            )
        items.append(
            MigrationItem(
                case_id=row.case_id,
                from_version=row.workflow_version,
                source=row.state,
                dest=dest,
                problem=problem,
            )
        )
    return MigrationPlan(workflow=workflow, to_version=target.version, items=tuple(items))


def migrate(
    casework: Casework, plan: MigrationPlan, actor: Actor, *, purpose: str = CASEWORK
) -> MigrationResult:
    """Apply ``plan``: one event per movable case, each in its own commit.

    A case that moved to another state since (someone fired a trigger) is skipped and
    reported; plan again to include it. Notes or facts added since do not matter.
    """
    migrated: list[str] = []
    skipped: list[tuple[str, str]] = [
        (item.case_id, item.problem or "cannot be mapped") for item in plan.unmappable
    ]
    for item in plan.movable:
        try:
            casework.migrate_case(
                item.case_id,
                plan.to_version,
                item.dest or item.source,
                actor,
                expected_state=item.source,
                purpose=purpose,
            )
        except (ConcurrencyError, MovedSincePlan):
            skipped.append((item.case_id, "changed since the plan was made; plan again"))
            continue
        migrated.append(item.case_id)
    return MigrationResult(migrated=tuple(migrated), skipped=tuple(skipped))
