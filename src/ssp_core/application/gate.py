"""The gate: every use case asks it who may do what, and it writes the audit log.

:class:`Gate` checks an operation against the grants of the actor's role (through
:class:`~ssp_core.privacy.access.AccessPolicy`), audits a refusal before re-raising
it, writes the audit entries of reads and administration, and narrows lists of
cases to those the role's grants cover, case by case. Every use case in
:mod:`ssp_core.application` goes through it; none checks access on its own.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import attrs
import orjson

from ssp_core.clock import Clock
from ssp_core.domain.access import Scope
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import AccessDenied, UnknownId
from ssp_core.i18n import N_, _, current_language, language
from ssp_core.privacy.access import AccessPolicy, Permit, Where
from ssp_core.store.base import CaseStore
from ssp_core.store.records import (
    AuditAction,
    AuditEntry,
    CaseQuery,
    CaseRow,
    StoredEvent,
)
from ssp_core.store.select import case_order
from ssp_core.text import token_or_withheld

__all__ = ["READS", "SEARCH_GROWTH", "CaseHead", "Gate", "first_shown"]

_log = logging.getLogger(__name__)


@attrs.frozen
class CaseHead:
    """What an access check needs of a stored case, read without opening anything sealed."""

    workflow: str
    opened_by: str
    assignee: str | None
    municipality: str | None = None

    @classmethod
    def of(cls, rows: Sequence[StoredEvent]) -> CaseHead:
        """Return the head of a case from its stored events (opening, last assignment, hand-over).

        ``municipality`` is the one the case was opened in or last handed over to
        (``None`` in histories before 0.2: the caller takes its workflow's).
        """
        first = rows[0]
        opening = orjson.loads(first.data)
        head = cls(opening["workflow"], first.actor, None, opening.get("municipality"))
        return head.then(rows[1:])

    def then(self, rows: Sequence[StoredEvent]) -> CaseHead:
        """Return the head once the case's next ``rows`` (in version order) are applied."""
        assignee, municipality = self.assignee, self.municipality
        assigned = handed = False
        for row in reversed(rows):
            if not assigned and row.topic == "Assigned":
                assignee = orjson.loads(row.data).get("assignee")
                assigned = True
            elif not handed and row.topic == "MovedToMunicipality":
                municipality = orjson.loads(row.data).get("to_municipality")
                handed = True
            if assigned and handed:
                break
        if not (assigned or handed):
            return self
        return CaseHead(self.workflow, self.opened_by, assignee, municipality)


READS = frozenset({AuditAction.LOAD, AuditAction.SEARCH})
"""The audit entries of reads of cases and of the index: written with the store's
:meth:`~ssp_core.store.base.CaseStore.record_reads` (others: ``record_audit``)."""

T = TypeVar("T")

SEARCH_GROWTH = 4
"""How much more a limited search asks the store for when access checks left too few rows."""


def first_shown(
    fetch: Callable[[int | None], list[T]],
    shown: Callable[[list[T]], list[T]],
    limit: int | None,
) -> list[T]:
    """Return the first ``limit`` items of what ``shown`` keeps of ``fetch``'s answer.

    The limit counts items the actor may see: it is never applied before the check.
    ``fetch(n)`` reads at most ``n`` items (``None``: all) in an order that is total, so
    a longer answer extends a shorter one; it is asked for more, by
    :data:`SEARCH_GROWTH` each time, until enough are kept or the store has no more.
    """
    asked = limit
    while True:
        found = fetch(asked)
        kept = shown(found)
        if asked is None or limit is None or len(kept) >= limit or len(found) < asked:
            return kept if limit is None else kept[:limit]
        asked *= SEARCH_GROWTH


class Gate:
    """Checks operations against the grants, audits refusals and reads, filters case lists.

    :param policy: the grants of the registry, by role.
    :param store: where the audit log is written and the case index is read.
    :param clock: stamps every audit entry.
    """

    def __init__(self, policy: AccessPolicy, store: CaseStore, clock: Clock) -> None:
        self.policy = policy
        self.store = store
        self.clock = clock

    # -- checks --------------------------------------------------------------------------

    def authorise(
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        *,
        workflow: str | None = None,
        head: CaseHead | None = None,
        case_id: str | None = None,
        where: Where | None = None,
    ) -> Permit:
        """Check the operation against the grants; audit and re-raise a refusal.

        ``head`` describes the case the operation is on (its workflow, opener,
        assignee and municipality); without it, ``workflow`` names the workflow the
        operation is for and ``where`` the municipality (of a case to be opened).
        """
        try:
            return self._check(actor, operation, purpose, workflow, head, case_id, where)
        except AccessDenied as denied:
            permission = denied.permission
            if current_language() != "en":  # the audit log is kept in English
                with language("en"):
                    try:
                        self._check(actor, operation, purpose, workflow, head, case_id, where)
                    except AccessDenied as english:
                        permission = english.permission
            self.audit(actor, purpose, AuditAction.DENIED, case_id, f"{operation}: {permission}")
            _log.info("refused %s to role %s (%s), audited", operation, actor.role, purpose)
            raise
        except UnknownId as unknown:  # an unknown role or purpose: refused, and audited too
            self.audit(
                actor,
                purpose,
                AuditAction.DENIED,
                case_id,
                f"{operation}: unknown {unknown.kind}",
            )
            raise

    def permits(
        self, actor: Actor, operation: str, purpose: str, *, head: CaseHead, case_id: str
    ) -> Permit | None:
        """Return the permit for ``operation`` on the case of ``head``; ``None`` if refused.

        Nothing is audited: this is the check on a head kept from an earlier read
        (which may be stale), and a refusal there is decided again, and audited, by
        :meth:`authorise` on the head as stored.
        """
        try:
            return self._check(actor, operation, purpose, None, head, case_id, None)
        except (AccessDenied, UnknownId):
            return None

    def _check(  # noqa: PLR0917 (the parts of one access question)
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        workflow: str | None,
        head: CaseHead | None,
        case_id: str | None,
        where: Where | None,
    ) -> Permit:
        """Ask the policy; a ``head`` gives the case's workflow, people and municipality."""
        if head is None:
            return self.policy.check(
                actor, operation, purpose=purpose, workflow=workflow, case_id=case_id, where=where
            )
        return self.policy.check(
            actor,
            operation,
            purpose=purpose,
            workflow=head.workflow,
            assignee=head.assignee,
            opened_by=head.opened_by,
            case_id=case_id,
            where=Where(self.policy.walls.municipality(head.workflow, head.municipality)),
        )

    def refuse_unknown_case(self, actor: Actor, operation: str, purpose: str, case_id: str) -> None:
        """Audit a refused ``operation`` on an id no case has (the caller raises the refusal).

        The id is not kept: a user may have typed anything there (a name, say).
        """
        del case_id
        self.audit(actor, purpose, AuditAction.DENIED, None, f"{operation}: no such case")

    # -- the audit log -------------------------------------------------------------------

    def entry(  # noqa: PLR0917 (the fields of one audit entry)
        self,
        actor: Actor,
        purpose: str,
        action: AuditAction,
        case_id: str | None,
        detail: str | None,
        at: dt.datetime | None = None,
    ) -> AuditEntry:
        """Return an audit entry stamped with the clock (or ``at``), to write with other rows."""
        return AuditEntry(
            at=at or self.clock.now(),
            actor=actor.id,
            role=token_or_withheld(actor.role),
            purpose=token_or_withheld(purpose),
            action=action,
            case_id=case_id,
            detail=detail,
        )

    def audit(
        self, actor: Actor, purpose: str, action: AuditAction, case_id: str | None, detail: str
    ) -> None:
        """Write one audit entry now (a read's is made durable as the store's reads are)."""
        self._record(action, [self.entry(actor, purpose, action, case_id, detail)])

    def _record(self, action: AuditAction, entries: Sequence[AuditEntry]) -> None:
        """Write audit entries: those of reads as the store makes reads durable."""
        if action in READS:
            self.store.record_reads(entries)
        else:
            self.store.record_audit(entries)

    def audit_reads(
        self, actor: Actor, purpose: str, action: AuditAction, case_ids: Sequence[str]
    ) -> None:
        """Write one audit entry per case read, all with the same time, in one write."""
        at = self.clock.now()
        self._record(
            action,
            [
                AuditEntry(
                    at=at,
                    actor=actor.id,
                    role=token_or_withheld(actor.role),
                    purpose=token_or_withheld(purpose),
                    action=action,
                    case_id=case_id,
                )
                for case_id in case_ids
            ],
        )

    # -- lists of cases ------------------------------------------------------------------

    def search(self, actor: Actor, operation: str, purpose: str, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query`` that the role's grants cover (not audited).

        A role whose grants cover some workflows only, or only its own cases, finds
        only those. The check of the operation itself is audited if refused.

        The store is asked only for what the grants can show, each part through an
        index: the actor's own cases (assigned to them or opened by them) where a grant
        covers only those, and each workflow a grant covers in full. The parts come
        back in the index's order and are merged, so a page costs the same however
        many cases others have.
        """
        permit = self.authorise(actor, operation, purpose, workflow=query.workflow)
        visible = self.rows_filter(actor, operation, purpose)
        parts = self._parts(actor, operation, purpose, query, permit)
        if len(parts) == 1:
            return self._visible(parts[0], visible)
        found: list[CaseRow] = []
        last: str | None = None
        for row in heapq.merge(*(self._visible(p, visible) for p in parts), key=case_order):
            if row.case_id != last:  # an own case of a workflow covered in full comes twice
                found.append(row)
                last = row.case_id
        return found if query.limit is None else found[: query.limit]

    def _parts(
        self, actor: Actor, operation: str, purpose: str, query: CaseQuery, permit: Permit
    ) -> list[CaseQuery]:
        """Return the queries whose answers, merged, are what ``query`` may show the actor."""
        if permit.assigned_only:  # their own cases, found through the index
            return [attrs.evolve(query, involving=actor.id)]
        if query.workflow is not None:
            return [query]
        full = self.policy.workflows_in_full(actor, operation, purpose)
        if full is None:
            return [query]
        own = [] if query.involving is not None else [attrs.evolve(query, involving=actor.id)]
        return [*(attrs.evolve(query, workflow=w) for w in sorted(full)), *own]

    def _visible(self, query: CaseQuery, visible: Callable[[CaseRow], bool]) -> list[CaseRow]:
        """Return the rows of ``query`` the actor may see, up to its limit (counted after)."""
        return first_shown(
            lambda asked: self.store.find_cases(attrs.evolve(query, limit=asked)),
            lambda rows: [row for row in rows if visible(row)],
            query.limit,
        )

    def rows_filter(self, actor: Actor, operation: str, purpose: str) -> Callable[[CaseRow], bool]:
        """Return a test of which index rows the role's grants cover, case by case.

        A workflow no grant covers is left out; one covered only for the actor's own
        cases (scope ``assigned``) shows only those: assigned to the actor or opened
        by them. A case of a municipality no grant reaches is left out.
        """
        scopes: dict[tuple[str, str | None], Scope | None] = {}
        walls = self.policy.walls

        def visible(row: CaseRow) -> bool:
            key = (row.workflow, walls.municipality(row.workflow, row.municipality))
            if key not in scopes:
                scopes[key] = self.policy.scope(
                    actor, operation, purpose, row.workflow, Where(key[1])
                )
            scope = scopes[key]
            if scope is None:
                return False
            return scope is Scope.ALL or actor.id in (row.assignee, row.opened_by)

        return visible

    def case_filter(
        self, actor: Actor, operation: str, purpose: str, permit: Permit
    ) -> Callable[[str | None], bool] | None:
        """Return a test of which cases a grant limited by workflow or scope covers (None: all).

        For operations over many cases (listing disclosures, the audit log, retention):
        a grant for some workflows, or for the actor's own cases, or behind the walls
        of a municipality, sees only those, and no entry that is not about a case.
        """
        allowed = self.policy.workflows(actor, operation, purpose)
        mixed = any(grant.scope is Scope.ASSIGNED for grant in self.policy.grants_of(actor.role))
        walled = self.policy.municipalities(actor, operation, purpose) is not None
        if allowed is None and not permit.assigned_only and not mixed and not walled:
            return None
        rows_visible = self.rows_filter(actor, operation, purpose)
        seen: dict[str, bool] = {}

        def visible(case_id: str | None) -> bool:
            if case_id is None:
                return False
            if case_id not in seen:
                row = self.store.case_row(case_id)
                seen[case_id] = row is not None and rows_visible(row)
            return seen[case_id]

        return visible

    def within_reach(
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        asked: Iterable[str] | None,
        known: Iterable[str],
    ) -> frozenset[str] | None:
        """Return the municipalities a count or export covers: those asked, within reach.

        ``None`` asked means every municipality the role's grants reach (``None``
        back: no municipality is declared, every case counts). A municipality asked
        that is not registered (``known``) is an :class:`~ssp_core.exceptions.UnknownId`;
        one beyond the grants' reach is refused, audited.
        """
        reached = self.policy.reached(actor, operation, purpose)
        if asked is None:
            return reached
        chosen = frozenset(asked)
        registered = list(known)
        for municipality in sorted(chosen):
            if municipality not in registered:
                raise UnknownId("municipality", municipality, registered)
        beyond = sorted(chosen - (reached or frozenset()))
        if beyond:
            text = N_("its grants for it reach municipalities {reach}; not {beyond}")
            reach = ", ".join(sorted(reached or ()))
            values = {"beyond": ", ".join(beyond)}
            denied = AccessDenied(
                actor.id,
                actor.role,
                operation,
                _(text).format(reach=reach or _("none"), **values),
            )
            english = text.format(reach=reach or "none", **values)  # the audit log is in English
            self.audit(actor, purpose, AuditAction.DENIED, None, f"{operation}: {english}")
            raise denied
        return chosen

    def staff_filter(
        self, actor: Actor, operation: str, purpose: str, permit: Permit
    ) -> Callable[[str], bool]:
        """Return a test of which roles' entries about no case the actor's grants show.

        Only a grant for every workflow and every case shows them, and then only those
        of roles acting for a municipality the grant reaches (all of them where no
        municipality is declared).
        """
        if self.policy.workflows(actor, operation, purpose) is not None or permit.assigned_only:
            return lambda _role: False
        reached = self.policy.municipalities(actor, operation, purpose)
        if reached is None:
            return lambda _role: True
        walls = self.policy.walls
        return lambda role: walls.home(role) in reached
