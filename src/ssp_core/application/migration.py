"""Moving running cases to a newer version of their workflow: plan first, then migrate.

A case stays bound to the definition version it was opened on. When a plugin ships
a new version, :meth:`Migrations.plan_migration` lists, for each running case of
older versions, the state it would move to, or why it cannot move;
:meth:`Migrations.migrate` applies a plan with one
:class:`~ssp_core.domain.events.WorkflowMigrated` event per case. A case that moved
to another state since the plan was made is left alone and reported. How old states
map to new ones is data: the new version's ``migrations`` table, else a state of the
same id.
"""

from __future__ import annotations

import attrs

from ssp_core.application.reads import CaseReads
from ssp_core.application.services import Services
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.cases import Case
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ConcurrencyError, MovedSincePlan
from ssp_core.store.records import CaseQuery, Progress

__all__ = ["MigrationItem", "MigrationPlan", "MigrationResult", "Migrations"]


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
    """What :meth:`Migrations.migrate` did: the cases moved, and those left alone with why."""

    migrated: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


class Migrations:
    """The use cases of moving running cases to a newer workflow version."""

    def __init__(self, services: Services, reads: CaseReads) -> None:
        self._services = services
        self._reads = reads

    def plan_migration(
        self,
        workflow: str,
        actor: Actor,
        *,
        to_version: int | None = None,
        purpose: str = CASEWORK,
    ) -> MigrationPlan:
        """Plan moving the running cases of older versions of ``workflow`` to ``to_version``.

        ``to_version`` defaults to the newest registered version. Nothing is changed;
        the search is audited.
        """
        target = self._services.registry.engine(workflow, to_version).definition
        query = CaseQuery(workflow=workflow, open_only=True)
        rows = [
            row
            for row in self._reads.find(actor, query, purpose=purpose)
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
                problem = (  # data (a plan, also as JSON): in English
                    f"state {row.state!r} of version {row.workflow_version} has no counterpart "
                    f"in {target.name}, and its migrations table names none"
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
        self,
        plan: MigrationPlan,
        actor: Actor,
        *,
        purpose: str = CASEWORK,
        progress: Progress | None = None,
    ) -> MigrationResult:
        """Apply ``plan``: one event per movable case, each in its own commit.

        A case that moved to another state since (someone fired a trigger) is skipped
        and reported; plan again to include it. Notes or facts added since do not matter.
        ``progress(done, total)`` is called after each movable case (``total``: how many).
        """
        migrated: list[str] = []
        skipped: list[tuple[str, str]] = [
            (item.case_id, item.problem or "cannot be mapped") for item in plan.unmappable
        ]
        movable = plan.movable
        if progress is not None and not movable:
            progress(0, 0)
        for done, item in enumerate(movable, start=1):
            try:
                self.migrate_case(
                    item.case_id,
                    plan.to_version,
                    item.dest or item.source,
                    actor,
                    expected_state=item.source,
                    purpose=purpose,
                )
            except (ConcurrencyError, MovedSincePlan):
                skipped.append((item.case_id, "changed since the plan was made; plan again"))
            else:
                migrated.append(item.case_id)
            if progress is not None:
                progress(done, len(movable))
        return MigrationResult(migrated=tuple(migrated), skipped=tuple(skipped))

    def migrate_case(
        self,
        case_id: str,
        to_version: int,
        dest: str,
        actor: Actor,
        *,
        expected_state: str,
        purpose: str = CASEWORK,
    ) -> Case:
        """Move a running case to ``to_version`` of its workflow, into state ``dest``.

        ``expected_state`` is the state the case was in when the move was planned; if
        it has moved since (or is on another version by now),
        :class:`~ssp_core.exceptions.MovedSincePlan` is raised and nothing is written.
        A note or a fact added since changes nothing about the move.
        """
        services = self._services
        loaded = services.repository.load(case_id, actor, "case.migrate", purpose)
        case = loaded.case
        if case.state != expected_state or case.workflow_version >= to_version:
            raise MovedSincePlan(case_id, case.state, case.workflow_version)
        engine = services.registry.engine(case.workflow, to_version)
        engine.migrate(case, dest, actor, at=services.clock.now(), calendar=services.calendar)
        services.repository.commit(loaded, purpose, engine=engine)
        return case
