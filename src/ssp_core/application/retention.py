"""Retention: which closed cases are due for erasure, and erasing them by crypto-shredding.

The rules are plugin data (:class:`~ssp_core.domain.retention.RetentionRule`);
planning is :func:`ssp_core.privacy.retention.plan_erasure`. Erasing destroys each
case's data key, and with a person's last case their identity-vault entry: every
personal field of the history becomes unreadable, while states, dates and counts
stay for statistics. Every erasure is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import RETENTION
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.i18n import _
from ssp_core.privacy.retention import ErasureItem, ErasureReport, plan_erasure
from ssp_core.store.records import AuditAction, CaseQuery

__all__ = ["Retention"]


class Retention:
    """The use cases of retention and erasure."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def retention_due(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = RETENTION
    ) -> tuple[list[ErasureItem], list[str]]:
        """Return the cases due for erasure on ``on`` (default: today), and those no rule covers.

        Nothing is changed; the listing is audited.
        """
        gate = self._services.gate
        permit = gate.authorise(actor, "retention.run", purpose)
        visible = gate.case_filter(actor, "retention.run", purpose, permit)
        due, without = self._due(on, visible, preview=True)
        gate.audit(actor, purpose, AuditAction.ADMIN, None, f"retention plan: {len(due)} due")
        return due, without

    def _due(
        self, on: dt.date | None, visible: Callable[[str | None], bool] | None, *, preview: bool
    ) -> tuple[list[ErasureItem], list[str]]:
        """Return what is due on ``on``; a future day only as a ``preview`` (nothing erased)."""
        services = self._services
        today = local_date(services.clock.now())
        day = on or today
        if day > today and not preview:
            raise DataError(
                _(
                    "nothing can be erased on a future day ({day}, today is {today}); to see "
                    "what falls due then, plan it with --dry-run"
                ).format(day=day.isoformat(), today=today.isoformat())
            )
        rules = services.registry.retention_rules.values()
        shortest = min((r.period.after(day) - day for r in rules), default=dt.timedelta(0))
        cutoff = dt.datetime.combine(day - shortest, dt.time(23, 59, 59), dt.UTC)
        # Every closed case that could be due: closed before the shortest period ago.
        rows = services.store.find_cases(CaseQuery(closed_before=cutoff + dt.timedelta(days=1)))
        if visible is not None:
            rows = [row for row in rows if visible(row.case_id)]
        keyed = services.store.read_keys(row.case_id for row in rows)
        return plan_erasure(rows, keyed, rules, day)

    def scrub(self, actor: Actor, *, purpose: str = RETENTION) -> tuple[str, ...]:
        """Make the bytes of earlier erasures gone where the store can; return what may remain.

        For when an erasure reported that a copy may remain (another reader held
        back SQLite's checkpoint). Needs ``retention.run``; audited.
        """
        gate = self._services.gate
        gate.authorise(actor, "retention.run", purpose)
        remains = self._services.store.scrub()
        gate.audit(
            actor, purpose, AuditAction.ADMIN, None, f"store scrubbed: {len(remains)} remark(s)"
        )
        return remains

    def erase_due(
        self,
        actor: Actor,
        *,
        on: dt.date | None = None,
        purpose: str = RETENTION,
        dry_run: bool = False,
        batch: int = 200,
        progress: Callable[[int, int], None] | None = None,
    ) -> ErasureReport:
        """Erase the closed cases due under the retention rules by crypto-shredding.

        Each case's data key is destroyed, and with the last case of a person their
        identity-vault entry: every personal field of the history becomes unreadable,
        while states, dates and counts stay for statistics. Each erasure is audited.
        Cases are erased ``batch`` at a time, each batch in one transaction;
        ``progress(done, total)`` is called after each. ``dry_run`` changes nothing.
        """
        services = self._services
        gate, store = services.gate, services.store
        permit = gate.authorise(actor, "retention.run", purpose)
        visible = gate.case_filter(actor, "retention.run", purpose, permit)
        due, without = self._due(on, visible, preview=dry_run)
        if dry_run:
            gate.audit(
                actor, purpose, AuditAction.ADMIN, None, f"retention dry run: {len(due)} due"
            )
            return ErasureReport(tuple(due), 0, tuple(without), dry_run=True)
        identities = 0
        remains: dict[str, None] = {}
        for start in range(0, len(due), batch):
            chunk = due[start : start + batch]
            ids = [item.case_id for item in chunk]
            records = store.read_keys(ids)
            erasing = set(ids)
            people = {r.subject for r in records.values() if r.subject is not None}
            gone = [
                person
                for person in sorted(people)
                if set(store.subject_cases(person)) <= erasing
                and store.read_identity(person) is not None
            ]
            at = services.clock.now()
            audit = [
                gate.entry(
                    actor,
                    purpose,
                    AuditAction.ERASE,
                    item.case_id,
                    f"data key destroyed under retention rule {item.rule}",
                    at,
                )
                for item in chunk
            ]
            audit += [
                gate.entry(
                    actor, purpose, AuditAction.ERASE, None, "identity vault entry destroyed", at
                )
                for _pseudonym in gone
            ]
            remains.update(dict.fromkeys(store.erase(ids, gone, audit)))
            services.keyring.forget(ids)
            identities += len(gone)
            if progress is not None:
                progress(start + len(chunk), len(due))
        return ErasureReport(
            tuple(due), identities, tuple(without), dry_run=False, remains=tuple(remains)
        )
