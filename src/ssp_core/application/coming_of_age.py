"""Coming of age: list the open cases whose person turned or turns 18, and announce each once.

A case about a person under 18 at the concern keeps its card and history when the
person turns 18 (:mod:`ssp_core.domain.coming_of_age`); these use cases make sure
somebody hears of it:

- :meth:`ComingOfAgeCases.coming_of_age` lists the open cases, within the actor's
  walls and grants, whose person turned 18 since the concern or turns 18 within a
  window (``ssp case coming-of-age``);
- :meth:`ComingOfAgeCases.record` stores a
  :class:`~ssp_core.domain.events.ComingOfAgeAnnounced` event once per case and calls
  the plugins' ``ssp_after_coming_of_age`` hook (``ssp case coming-of-age --record``),
  as :meth:`~ssp_core.application.commands.CaseCommands.record_missed_deadlines`
  does for missed due dates.

The cost: the case index holds no personal data, and the birth date is sealed, so
the index finds the open cases the actor may search (one indexed query), their
stored events are read in batches, and the age at the concern (readable) rules out
every case whose person was 18 or over, or cannot turn 18 in the window. Only the
rest, open cases of people under 18 at the concern near or past their 18th birthday,
have their data key unwrapped and their opening event opened (one unwrap and one
AES-GCM decryption each). A case already announced is skipped by the type of its
events, without a key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import attrs

from ssp_core.application.repository import reacting
from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import CASEWORK, FieldGroup
from ssp_core.domain.cases import Case
from ssp_core.domain.coming_of_age import (
    ComingOfAge,
    announced,
    coming_of_age,
    earliest_18th_birthday,
)
from ssp_core.domain.events import CaseOpened, ComingOfAgeAnnounced
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _, language
from ssp_core.store.records import AuditAction, CaseQuery, CaseRow, KeyRecord, StoredEvent
from ssp_core.store.scan import scan_cases
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.explain import Note, TriggerOption

__all__ = [
    "ComingOfAgeCases",
    "ComingOfAgeRow",
    "coming_of_age_note",
    "view_coming_of_age",
    "with_note",
]

_TOPIC = ComingOfAgeAnnounced.__name__


@attrs.frozen
class ComingOfAgeRow:
    """An open case in the coming-of-age list: its index row and when its person turns 18."""

    row: CaseRow
    coming_of_age: ComingOfAge
    announced: bool = False

    def to_dict(self) -> dict[str, object]:
        """Return the entry as JSON-ready data."""
        row = self.row
        return {
            "case": row.case_id,
            "workflow": row.workflow,
            "workflow_version": row.workflow_version,
            "municipality": row.municipality,
            "state": row.state,
            "assignee": row.assignee,
            "announced": self.announced,
            **self.coming_of_age.to_dict(),
        }


def view_coming_of_age(services: Services, case: Case) -> ComingOfAge | None:
    """Return what a case's view says of its person's coming of age (``None``: nothing).

    For an open case: the 18th birthday once it has come (today, Danish time). For a
    closed case: only if it came while the case was open. A case read without the
    ``subject`` field group has no birth date, so nothing is said.
    """
    if not isinstance(case.opening.subject, Subject):
        return None
    today = local_date(services.clock.now())
    definition = services.registry.engine_for(case).definition
    closed_on = local_date(case.entered_at) if case.state in definition.final_states else None
    return coming_of_age(
        case,
        until=today,
        today=today,
        closed_on=closed_on,
        card=definition.kind is WorkflowKind.ACTION_CARD,
    )


def coming_of_age_note(found: ComingOfAge) -> Note:
    """Return the note the options carry once the person came of age (they stay allowed)."""
    text = N_(
        "the person turned 18 on {day}, during this case; the rules stay "
        "those of {workflow} (nothing changes by itself)"
    )
    values = {"day": found.turns_18_on.isoformat(), "workflow": found.workflow}
    with language("da"):
        danish = _(text).format(**values)
    return Note("came_of_age", Labels(da=danish, en=text.format(**values)))


def with_note(
    options: tuple[TriggerOption, ...], found: ComingOfAge | None
) -> tuple[TriggerOption, ...]:
    """Return the options with the coming-of-age note, if the person came of age (open cases)."""
    if found is None or not found.turned or found.closed:
        return options
    note = coming_of_age_note(found)
    return tuple(attrs.evolve(o, notes=(*o.notes, note)) for o in options)


class ComingOfAgeCases:
    """The coming-of-age list and its announcement, over the shared services."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._gate = services.gate
        self._cases = services.repository

    def coming_of_age(
        self,
        actor: Actor,
        *,
        on: dt.date | None = None,
        within: int = 0,
        purpose: str = CASEWORK,
    ) -> list[ComingOfAgeRow]:
        """Return the open cases whose person turned 18 since the concern, or turns 18 soon.

        Soon: on or before ``within`` days after ``on`` (default today). Only cases the
        actor may search and read with the ``subject`` field group are listed (the same
        walls, grants and scopes as :meth:`~ssp_core.Casework.find`). The search is
        audited, and so is each case whose birth date was opened. Soonest first.
        """
        if within < 0:
            raise DataError(
                _("the window must be 0 days or more, got {within}").format(within=within)
            )
        day = on or local_date(self._services.clock.now())
        until = day + dt.timedelta(days=within)
        gate = self._gate
        rows = gate.search(actor, "case.search", purpose, CaseQuery(open_only=True))
        gate.audit(
            actor, purpose, AuditAction.SEARCH, None, f"coming of age: on={day}, within={within}"
        )
        readable = gate.rows_filter(actor, "case.read", purpose)
        found: list[ComingOfAgeRow] = []
        opened: list[str] = []
        for row, events, record in self._candidates([r for r in rows if readable(r)], until):
            permit = self._cases.permit_for(events, actor, "case.read", purpose, row.case_id)
            if FieldGroup.SUBJECT not in permit.field_groups or record is None:
                continue
            case = self._cases.replay(events[:1], record, frozenset({FieldGroup.SUBJECT}))
            opened.append(row.case_id)
            item = coming_of_age(case, until=until, today=day, card=self._is_card(row))
            if item is not None:
                done = any(event.topic == _TOPIC for event in events)
                found.append(ComingOfAgeRow(row, item, announced=done))
        if opened:
            gate.store.record_audit(
                [
                    gate.entry(actor, purpose, AuditAction.LOAD, case_id, "coming of age")
                    for case_id in opened
                ]
            )
        return sorted(found, key=lambda f: (f.coming_of_age.turns_18_on, f.row.case_id))

    def record(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[tuple[Case, ComingOfAge]]:
        """Announce each open case whose person turned 18 on or before ``on``, once.

        For every such case the role's grants cover for ``case.deadlines`` (with the
        ``subject`` field group, to know the birth date), a
        :class:`~ssp_core.domain.events.ComingOfAgeAnnounced` event is stored and the
        plugins' ``ssp_after_coming_of_age`` hook is called. A case announced before is
        not announced again; a second run on the same day records nothing. The card and
        its rules stay as they are.
        """
        services, gate = self._services, self._gate
        today = local_date(services.clock.now())
        day = on or today
        if day > today:
            raise DataError(
                _(
                    "a coming of age can be recorded only once it has happened; "
                    "{day} is after today ({today})"
                ).format(day=day.isoformat(), today=today.isoformat())
            )
        query = CaseQuery(open_only=True)
        rows = gate.search(actor, "case.deadlines", purpose, query)
        gate.audit(actor, purpose, AuditAction.SEARCH, None, f"coming of age: recorded on={day}")
        recorded: list[tuple[Case, ComingOfAge]] = []
        for row, events, _record in self._candidates(rows, day):
            if any(event.topic == _TOPIC for event in events):
                continue
            permit = self._cases.permit_for(events, actor, "case.deadlines", purpose, row.case_id)
            if FieldGroup.SUBJECT not in permit.field_groups:
                continue  # the birth date is not the actor's to read: nothing to announce
            loaded = self._cases.load(row.case_id, actor, "case.deadlines", purpose)
            case, engine = loaded.case, loaded.engine
            item = coming_of_age(case, until=day, today=day, card=self._is_card(row))
            if item is None or announced(case):
                continue
            at = services.clock.now()
            case.apply(
                ComingOfAgeAnnounced(
                    case_id=case.id,
                    version=case.version + 1,
                    at=at,
                    actor=actor.id,
                    role=actor.role,
                )
            )
            self._cases.commit(loaded, purpose)
            with reacting(case.id):
                services.registry.host.after_coming_of_age(
                    case=case, on=item.turns_18_on, definition=engine.definition
                )
            recorded.append((case, item))
        return recorded

    def _is_card(self, row: CaseRow) -> bool:
        kind = self._services.registry.kind_of(row.workflow, row.workflow_version)
        return kind is WorkflowKind.ACTION_CARD

    def _candidates(
        self, rows: Sequence[CaseRow], until: dt.date
    ) -> Iterator[tuple[CaseRow, Sequence[StoredEvent], KeyRecord | None]]:
        """Yield the cases whose readable age at the concern lets the person turn 18 by ``until``.

        Nothing sealed is opened: the opening event is decoded with every personal
        field withheld, which keeps the age at the concern and the concern date.
        """
        codec = self._services.codec
        kinds = {WorkflowKind.SAFETY_WALK, WorkflowKind.SAFETY_FINDING}
        chosen = [
            row
            for row in rows
            if self._services.registry.kind_of(row.workflow, row.workflow_version) not in kinds
        ]
        for scanned in scan_cases(self._services.store, chosen, keys=True):
            opening = codec.decode(scanned.events[0], readable=())
            if not isinstance(opening, CaseOpened):
                continue
            earliest = earliest_18th_birthday(opening)
            if earliest is not None and earliest <= until:
                yield scanned.row, scanned.events, scanned.key
