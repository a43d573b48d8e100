"""The application layer: opening, moving and reading cases, over a case store.

:class:`Casework` composes the registry (data and engines), the clock, a
:class:`~ssp_core.store.base.CaseStore` and the plugins' ``ssp_after_*`` hooks. Every
command loads the case from the store, asks its workflow engine for the new event,
and writes the event, the case's index row and an audit entry in one commit, with
the version it expects: a concurrent writer gets a
:class:`~ssp_core.exceptions.ConcurrencyError`, never a silent overwrite. Every
read is audited too. Plugins hear of each event after it is stored.

Every call is checked against the plugins' grants (:mod:`ssp_core.privacy.access`)
for the actor's role, the operation, the workflow and the purpose; a refusal raises
:class:`~ssp_core.exceptions.AccessDenied`, is audited, and changes nothing. Every
case has its own data key: personal fields are sealed under it when stored, and
shown on reading only in the field groups the reader's grants allow.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from ssp_core.clock import BusinessCalendar, Clock, SystemClock, danish_calendar, local_date
from ssp_core.domain.access import FieldGroup, Scope
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import Observation
from ssp_core.domain.cpr import Pseudonymiser, birth_date_from_cpr
from ssp_core.domain.disclosure import Consent
from ssp_core.domain.events import (
    CaseEvent,
    CaseOpened,
    DeadlineMissed,
    Disclosure,
    FindingAssigned,
    FindingRecorded,
    WalkPlanned,
)
from ssp_core.domain.people import CaseSubject, Environment, Subject
from ssp_core.domain.roles import Actor
from ssp_core.domain.walks import Place, WalkPlan
from ssp_core.exceptions import (
    AccessDenied,
    CaseNotFound,
    ConcurrencyError,
    ConfigError,
    DataError,
    UnknownId,
)
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.access import AccessPolicy, Permit
from ssp_core.privacy.keys import MunicipalKey
from ssp_core.privacy.retention import ErasureItem, ErasureReport, plan_erasure
from ssp_core.privacy.sealing import Keyring
from ssp_core.privacy.vault import Identity, open_identity, seal_identity
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec, codec
from ssp_core.store.memory import MemoryStore
from ssp_core.store.projection import case_row
from ssp_core.store.records import (
    AuditAction,
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    Commit,
    EventQuery,
    KeyRecord,
    StoredEvent,
)
from ssp_core.store.select import case_matches, case_order
from ssp_core.store.url import open_store
from ssp_core.walks.views import Finding, Walk
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.engine import Deadline, WorkflowEngine
from ssp_core.workflows.explain import TriggerOption

if TYPE_CHECKING:
    from ssp_core.evaluation.evaluate import Evaluation
    from ssp_core.privacy.export import ExportResult

__all__ = [
    "CASEWORK",
    "Casework",
    "DisclosureEntry",
    "DisclosureRefused",
    "MovedSincePlan",
    "sequential_ids",
    "uuid_ids",
]

CASEWORK = "casework"
"""The purpose of ordinary case handling, used when a write or a search names no other."""


class DisclosureRefused(DataError):
    """A disclosure lacks a lawful basis or exceeds the recipient's profile; nothing was shared."""


@attrs.frozen
class DisclosureEntry:
    """One disclosure, as ``ssp disclosures`` lists it: what went to whom, on what basis."""

    case_id: str
    at: dt.datetime
    actor: str
    role: str
    recipient: str
    legal_basis: str
    purpose: str
    categories: tuple[str, ...]
    consent_given_on: dt.date | None


@attrs.frozen
class _Head:
    """What the access check needs of a stored case, read without opening anything sealed."""

    workflow: str
    opened_by: str
    assignee: str | None

    @classmethod
    def of(cls, rows: Sequence[StoredEvent]) -> _Head:
        first = rows[0]
        assignee = None
        for row in reversed(rows):
            if row.topic == "Assigned":
                assignee = orjson.loads(row.data).get("assignee")
                break
        return cls(orjson.loads(first.data)["workflow"], first.actor, assignee)


class MovedSincePlan(DataError):
    """A case planned for migration has moved to another state (or version) since the plan."""

    def __init__(self, case_id: str, state: str, workflow_version: int) -> None:
        self.case_id = case_id
        super().__init__(
            f"case {case_id} has changed since the migration was planned (now in state "
            f"{state!r} on version {workflow_version}); plan again"
        )


def uuid_ids() -> str:
    """Return a new random case id (the default)."""
    return f"C-{uuid.uuid4().hex[:16]}"


def sequential_ids(prefix: str = "C-", start: int = 1) -> Callable[[], str]:
    """Return a factory of readable sequential case ids, e.g. ``C-0001`` (for demos and tests)."""
    counter = itertools.count(start)
    return lambda: f"{prefix}{next(counter):04d}"


def _plain(text: str | None) -> str | None:
    """Return ``text`` without surrounding white space, or ``None`` if nothing is left."""
    if text is None:
        return None
    return text.strip() or None


def _kind_of(registry: Registry, row: CaseRow) -> WorkflowKind | None:
    """Return the kind of a case's workflow, or ``None`` if its plugin is gone."""
    try:
        return registry.workflow(row.workflow, row.workflow_version).kind
    except UnknownId:
        return None


class Casework:
    """Open, move and read cases on the workflows of a :class:`Registry`, kept in a store.

    :param registry: the loaded plugins' data and engines.
    :param store: a :class:`~ssp_core.store.base.CaseStore` or a store URL (default: a new
        in-memory store; the CLI uses the embedded SQLite file).
    :param clock: stamps every event and audit entry (default: the system clock, UTC).
    :param calendar: business days for deadlines (default: Danish).
    :param ids: makes new case ids (default: random).
    :param key: the municipality's secret key (:class:`~ssp_core.privacy.keys.MunicipalKey`),
        which derives the pseudonyms and wraps every data key. A store that outlives
        the process needs it for anything that seals or opens personal data; there is
        no default key. An in-memory store without one gets a random key that dies
        with it.

    Every method takes the ``actor`` who reads or writes and the ``purpose`` they do it
    for; both go to the audit log with the time. Reads of personal data must name
    their purpose.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        store: CaseStore | str | None = None,
        key: MunicipalKey | None = None,
        clock: Clock | None = None,
        calendar: BusinessCalendar | None = None,
        ids: Callable[[], str] | None = None,
        event_codec: EventCodec | None = None,
    ) -> None:
        self.registry = registry
        self.store: CaseStore = (
            open_store(store) if isinstance(store, str) else store or MemoryStore()
        )
        if key is None and isinstance(self.store, MemoryStore):
            key = MunicipalKey.generate()
        self.keyring = Keyring(key)
        self.policy = AccessPolicy(registry.grants.values(), registry.roles, registry.purposes)
        self.clock: Clock = clock or SystemClock()
        self.calendar = calendar or danish_calendar()
        self.codec = event_codec or codec
        self._ids = ids or uuid_ids

    @property
    def pseudonymiser(self) -> Pseudonymiser:
        """Return the municipality's pseudonymiser (needs the municipal key)."""
        return self.keyring.key.pseudonymiser()

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # -- reading -----------------------------------------------------------------------

    def case(self, case_id: str, actor: Actor, *, purpose: str) -> Case:
        """Load the case with ``case_id`` (an audited read; fields outside the grants withheld)."""
        case, _ = self._read(case_id, actor, "case.read", purpose)
        self._audit_reads(actor, purpose, AuditAction.LOAD, [case_id])
        return case

    def load_cases(self, case_ids: Iterable[str], actor: Actor, *, purpose: str) -> list[Case]:
        """Load several cases at once, each checked against its workflow version (audited).

        Unknown ids raise :class:`~ssp_core.exceptions.CaseNotFound` naming the first;
        a case the actor may not read raises :class:`~ssp_core.exceptions.AccessDenied`.
        """
        wanted = list(dict.fromkeys(case_ids))
        found = self.store.read_cases(wanted)
        keys = self.store.read_keys(wanted)
        cases = []
        for case_id in wanted:
            rows = found.get(case_id)
            if not rows:
                raise CaseNotFound(case_id)
            permit = self._permit_for(rows, actor, "case.read", purpose, case_id)
            case = self._replay(rows, keys.get(case_id), permit.field_groups)
            self.registry.engine_for(case)
            cases.append(case)
        self._audit_reads(actor, purpose, AuditAction.LOAD, wanted)
        return cases

    def find(
        self, actor: Actor, query: CaseQuery | None = None, *, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Search the case index (an audited read); all cases if ``query`` is not given.

        The index holds no personal data. A role whose grants cover some workflows
        only, or only its own cases, finds only those.
        """
        query = query or CaseQuery()
        permit = self._authorise(actor, "case.search", purpose, workflow=query.workflow)
        if permit.assigned_only:
            rows = self._own(actor, query)
        else:
            visible = self._rows_filter(actor, "case.search", purpose)
            rows = [row for row in self.store.find_cases(query) if visible(row)]
        self._audit(actor, purpose, AuditAction.SEARCH, None, query.describe())
        return rows

    def _rows_filter(self, actor: Actor, operation: str, purpose: str) -> Callable[[CaseRow], bool]:
        """Return a test of which index rows the role's grants cover, case by case.

        A workflow no grant covers is left out; one covered only for the actor's own
        cases (scope ``assigned``) shows only those: assigned to the actor or opened
        by them.
        """
        scopes: dict[str, Scope | None] = {}
        own: set[str] | None = None

        def visible(row: CaseRow) -> bool:
            nonlocal own
            if row.workflow not in scopes:
                scopes[row.workflow] = self.policy.scope(actor, operation, purpose, row.workflow)
            scope = scopes[row.workflow]
            if scope is None:
                return False
            if scope is Scope.ALL:
                return True
            if own is None:
                own = {r.case_id for r in self._own(actor, CaseQuery())}
            return row.case_id in own

        return visible

    def _own(self, actor: Actor, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows of cases assigned to ``actor`` or opened by them."""
        if query.assignee not in (None, actor.id):
            return []
        wide = attrs.evolve(query, limit=None)
        rows = {
            row.case_id: row for row in self.store.find_cases(attrs.evolve(wide, assignee=actor.id))
        }
        for event in self.store.read_events(EventQuery(actor=actor.id, first_only=True)):
            if event.case_id not in rows:
                row = self.store.case_row(event.case_id)
                if row is not None and case_matches(row, wide):
                    rows[row.case_id] = row
        found = sorted(rows.values(), key=case_order)
        return found if query.limit is None else found[: query.limit]

    def overdue(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Return the open cases with a due date before ``on`` (default: today)."""
        day = on or local_date(self.clock.now())
        return self.find(actor, CaseQuery(due_before=day), purpose=purpose)

    def history(self, case_id: str, actor: Actor, *, purpose: str) -> tuple[CaseEvent, ...]:
        """Return the events of a case, oldest first (an audited read)."""
        return self.case(case_id, actor, purpose=purpose).events

    def export(self, case_id: str, actor: Actor, *, purpose: str) -> list[dict[str, Any]]:
        """Return a case's history as JSON-ready records (an audited export; name its purpose).

        Fields outside the actor's grants read ``[withheld]``.
        """
        case, _ = self._read(case_id, actor, "case.export", purpose)
        self._audit(actor, purpose, AuditAction.EXPORT, case_id, "history")
        return [self.codec.to_record(event) for event in case.events]

    def options(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[TriggerOption, ...]:
        """Return what ``actor`` can do with the case now, and why not for the rest."""
        case = self.case(case_id, actor, purpose=purpose)
        return self.registry.engine_for(case).options(case, actor)

    def deadlines(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[Deadline, ...]:
        """Return the deadlines running for the case in its current state."""
        case = self.case(case_id, actor, purpose=purpose)
        return self.registry.engine_for(case).deadlines(case)

    def audit_log(
        self, actor: Actor, query: AuditQuery | None = None, *, purpose: str
    ) -> list[AuditEntry]:
        """Return audit entries (by case, actor or period); reading the log is audited too."""
        permit = self._authorise(actor, "audit.read", purpose)
        query = query or AuditQuery()
        entries = self.store.read_audit(query)
        visible = self._case_filter(actor, "audit.read", purpose, permit)
        if visible is not None:
            entries = [entry for entry in entries if visible(entry.case_id)]
        self._audit(actor, purpose, AuditAction.ADMIN, query.case_id, "read the audit log")
        return entries

    # -- identities ------------------------------------------------------------------

    def enrol(
        self,
        cpr: str,
        actor: Actor,
        *,
        name: str | None = None,
        contact: str | None = None,
        purpose: str = CASEWORK,
    ) -> Subject:
        """Enter a person into the identity vault and return the :class:`Subject` cases use.

        The CPR number is turned into the keyed pseudonym and the birth date at once;
        it, the name and the contact are kept only sealed in the vault. Enrolling the
        same number again replaces the name and contact given before.
        """
        self._authorise(actor, "identity.enrol", purpose)
        subject = Subject(self.pseudonymiser.pseudonym(cpr), birth_date_from_cpr(cpr))
        at = self.clock.now()
        record = seal_identity(self.keyring, subject.pseudonym, Identity(cpr, name, contact), at)
        self.store.put_identity(
            record,
            [self._entry(actor, purpose, AuditAction.ENROL, None, "identity vault entry", at)],
        )
        return subject

    def reidentify(self, case_id: str, actor: Actor, *, purpose: str) -> Identity:
        """Return the identity of the person a case is about (permission-checked, audited).

        Raises :class:`~ssp_core.exceptions.DataError` if the case is not about a
        person, was erased, or its person was entered by pseudonym only.
        """
        rows = self._rows(case_id)
        self._permit_for(rows, actor, "identity.reidentify", purpose, case_id)
        record = self.store.read_keys([case_id]).get(case_id)
        if record is None or record.subject is None:
            raise DataError(
                f"case {case_id} has no person to re-identify: it is about a group or an "
                "environment, or its data were erased"
            )
        identity = self.store.read_identity(record.subject)
        self._audit(actor, purpose, AuditAction.REIDENTIFY, case_id, "identity vault entry")
        if identity is None:
            raise DataError(
                f"the person of case {case_id} is not in the identity vault (the case was "
                "opened with a pseudonym only, or the entry was erased)"
            )
        return open_identity(self.keyring, identity)

    # -- disclosure ------------------------------------------------------------------

    def disclose(
        self,
        case_id: str,
        actor: Actor,
        *,
        recipient: str,
        legal_basis: str,
        categories: Iterable[str],
        purpose: str,
        consent: Consent | None = None,
        note: str | None = None,
    ) -> Case:
        """Record that case information is disclosed to a partner or agency, lawfully.

        The disclosure names its legal basis (plugin data), its purpose, the recipient
        (a registered partner) and the data categories (field groups). It is refused
        with :class:`DisclosureRefused`, audited and nothing recorded, if the basis does
        not serve the purpose, needs consent that is not given, or a category is
        outside the disclosure profile of the recipient's kind or the actor's grants.
        """
        wanted = tuple(dict.fromkeys(categories))
        at = self.clock.now()
        case, engine, data_key, permit = self._load(case_id, actor, "case.disclose", purpose)
        try:
            groups = self._disclosure_groups(wanted, recipient, legal_basis, purpose, consent, at)
            beyond = [
                g for g in groups if g is not FieldGroup.CASE and g not in permit.field_groups
            ]
            if beyond:
                raise DisclosureRefused(
                    f"{actor} may not disclose {', '.join(beyond)}: their grants show them "
                    f"only {', '.join(sorted(permit.field_groups)) or 'no personal fields'}"
                )
        except DisclosureRefused as refused:
            self._audit(actor, purpose, AuditAction.DENIED, case_id, f"case.disclose: {refused}")
            raise
        before = case_row(case, engine.definition.final_states)
        engine.record_disclosure(
            case,
            actor,
            at=at,
            recipient=recipient,
            legal_basis=legal_basis,
            purpose=purpose,
            categories=tuple(g.value for g in groups),
            consent=consent,
            note=note,
        )
        self._commit(case, engine, purpose, 1, data_key, before=before)
        return case

    def _disclosure_groups(  # noqa: PLR0917 (the parts of one disclosure)
        self,
        wanted: tuple[str, ...],
        recipient: str,
        legal_basis: str,
        purpose: str,
        consent: Consent | None,
        at: dt.datetime,
    ) -> tuple[FieldGroup, ...]:
        if not wanted:
            raise DisclosureRefused("a disclosure must name at least one data category")
        known = ", ".join(g.value for g in FieldGroup)
        unknown = [c for c in wanted if c not in FieldGroup.__members__.values()]
        if unknown:
            raise DisclosureRefused(f"unknown data category {unknown[0]!r}; known: {known}")
        groups = tuple(FieldGroup(c) for c in wanted)
        if recipient not in self.registry.partners:
            raise DisclosureRefused(
                f"unknown recipient {recipient!r}: a disclosure goes to a registered partner"
            )
        if legal_basis not in self.registry.legal_bases:
            raise DisclosureRefused(
                f"unknown legal basis {legal_basis!r}; known: "
                f"{', '.join(self.registry.legal_bases)}"
            )
        basis = self.registry.legal_bases[legal_basis]
        if not basis.serves(purpose):
            raise DisclosureRefused(
                f"{basis.citation} does not allow disclosure for purpose {purpose!r} "
                f"(it serves: {', '.join(basis.purposes)})"
            )
        if basis.requires_consent and consent is None:
            raise DisclosureRefused(
                f"{basis.citation} needs the person's consent: give its date and scope"
            )
        if consent is not None and consent.given_on > local_date(at):
            raise DisclosureRefused("a consent cannot be dated in the future")
        kind = self.registry.partners[recipient].kind
        if kind not in self.registry.disclosure_profiles:
            raise DisclosureRefused(
                f"partner kind {kind!r} has no disclosure profile: {recipient} may receive nothing"
            )
        allowed = self.registry.disclosure_profiles[kind].field_groups
        beyond = [g.value for g in groups if g not in allowed]
        if beyond:
            raise DisclosureRefused(
                f"a {kind} may never receive {', '.join(beyond)} (its disclosure profile "
                f"allows: {', '.join(g.value for g in allowed) or 'nothing'})"
            )
        return groups

    def disclosures(
        self,
        actor: Actor,
        *,
        purpose: str,
        recipient: str | None = None,
        case_id: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[DisclosureEntry]:
        """List disclosures (what went to whom, on what basis), oldest first (audited)."""
        permit = self._authorise(actor, "disclosure.list", purpose)
        rows = self.store.read_events(
            EventQuery(topics=("Disclosure",), case_id=case_id, since=since, until=until)
        )
        visible = self._case_filter(actor, "disclosure.list", purpose, permit)
        if visible is not None:
            rows = [row for row in rows if visible(row.case_id)]
        entries = []
        for row in rows:
            event = self.codec.decode(row, readable=frozenset())
            assert isinstance(event, Disclosure)  # noqa: S101 (the query asked for this topic)
            if recipient is not None and event.recipient != recipient:
                continue
            entries.append(
                DisclosureEntry(
                    case_id=event.case_id,
                    at=event.at,
                    actor=event.actor,
                    role=event.role,
                    recipient=event.recipient,
                    legal_basis=event.legal_basis,
                    purpose=event.purpose,
                    categories=event.categories,
                    consent_given_on=event.consent.given_on if event.consent else None,
                )
            )
        detail = ", ".join(
            f"{name}={value}"
            for name, value in (("recipient", recipient), ("case", case_id))
            if value is not None
        )
        self._audit(actor, purpose, AuditAction.SEARCH, case_id, f"disclosures {detail}".strip())
        return entries

    # -- research --------------------------------------------------------------------

    def research_export(
        self,
        actor: Actor,
        *,
        kind: str,
        out: str | os.PathLike[str],
        fmt: str = "csv",
        purpose: str = "research",
        age_bands: Sequence[str] | None = None,
    ) -> ExportResult:
        """Write a research export: events under fresh ids, or tables with small cells suppressed.

        Needs the ``research.export`` permission; audited. See :mod:`ssp_core.privacy.export`.
        """
        from ssp_core.privacy.export import run_export  # noqa: PLC0415 (it imports this module)

        return run_export(
            self,
            actor,
            kind=kind,
            out=os.fspath(out),
            fmt=fmt,
            purpose=purpose,
            age_bands=age_bands,
        )

    # -- evaluation ------------------------------------------------------------------

    def evaluate(
        self,
        actor: Actor,
        *,
        initiative: str | None = None,
        term: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        strategy: str | None = None,
        survey: str | os.PathLike[str] | None = None,
        crime: str | os.PathLike[str] | None = None,
        index_config: str | os.PathLike[str] | None = None,
        purpose: str = "research",
    ) -> Evaluation:
        """Evaluate an initiative (over ``since``/``until`` or a ``term``), or a council term.

        Needs the ``report.evaluate`` permission; audited. Counts only, small ones
        hidden; the safety-index indicators need the ``survey`` (and ``crime``) files.
        See ``ssp_core.evaluation``.
        """
        from ssp_core.evaluation.evaluate import run_evaluation  # noqa: PLC0415 (imports this)

        return run_evaluation(
            self,
            actor,
            initiative=initiative,
            term=term,
            since=since,
            until=until,
            strategy=strategy,
            survey=os.fspath(survey) if survey is not None else None,
            crime=os.fspath(crime) if crime is not None else None,
            index_config=os.fspath(index_config) if index_config is not None else None,
            purpose=purpose,
        )

    # -- retention -------------------------------------------------------------------

    def retention_due(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = "retention"
    ) -> tuple[list[ErasureItem], list[str]]:
        """Return the cases due for erasure on ``on`` (default: today), and those no rule covers.

        Nothing is changed; the listing is audited.
        """
        permit = self._authorise(actor, "retention.run", purpose)
        due, without = self._due(on, self._case_filter(actor, "retention.run", purpose, permit))
        self._audit(actor, purpose, AuditAction.ADMIN, None, f"retention plan: {len(due)} due")
        return due, without

    def _due(
        self, on: dt.date | None, visible: Callable[[str | None], bool] | None
    ) -> tuple[list[ErasureItem], list[str]]:
        day = on or local_date(self.clock.now())
        if day > local_date(self.clock.now()):
            raise DataError(f"erasure cannot be planned for a future day ({day.isoformat()})")
        periods = [rule.period for rule in self.registry.retention_rules.values()]
        shortest = min((p.after(day) - day for p in periods), default=dt.timedelta(0))
        cutoff = dt.datetime.combine(day - shortest, dt.time(23, 59, 59), dt.UTC)
        # Every closed case that could be due: closed before the shortest period ago.
        rows = self.store.find_cases(CaseQuery(closed_before=cutoff + dt.timedelta(days=1)))
        if visible is not None:
            rows = [row for row in rows if visible(row.case_id)]
        keyed = self.store.read_keys(row.case_id for row in rows)
        return plan_erasure(rows, keyed, self.registry.retention_rules.values(), day)

    def erase_due(
        self,
        actor: Actor,
        *,
        on: dt.date | None = None,
        purpose: str = "retention",
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
        permit = self._authorise(actor, "retention.run", purpose)
        due, without = self._due(on, self._case_filter(actor, "retention.run", purpose, permit))
        if dry_run:
            self._audit(
                actor, purpose, AuditAction.ADMIN, None, f"retention dry run: {len(due)} due"
            )
            return ErasureReport(tuple(due), 0, tuple(without), dry_run=True)
        identities = 0
        for start in range(0, len(due), batch):
            chunk = due[start : start + batch]
            ids = [item.case_id for item in chunk]
            records = self.store.read_keys(ids)
            erasing = set(ids)
            people = {r.subject for r in records.values() if r.subject is not None}
            gone = [
                person
                for person in sorted(people)
                if set(self.store.subject_cases(person)) <= erasing
                and self.store.read_identity(person) is not None
            ]
            at = self.clock.now()
            audit = [
                self._entry(
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
                self._entry(
                    actor, purpose, AuditAction.ERASE, None, "identity vault entry destroyed", at
                )
                for _ in gone
            ]
            self.store.erase(ids, gone, audit)
            self.keyring.forget(ids)
            identities += len(gone)
            if progress is not None:
                progress(start + len(chunk), len(due))
        return ErasureReport(tuple(due), identities, tuple(without), dry_run=False)

    def seal_unsealed(
        self,
        actor: Actor,
        *,
        purpose: str = "administration",
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Seal the histories a schema-1 store wrote before sealing existed; return their ids.

        Each such case gets its data key and its events' personal fields are sealed,
        in one transaction per case (the one sanctioned rewrite of stored events; the
        event's content is unchanged). Erased cases are left as they are. Audited.
        """
        self._authorise(actor, "store.seal", purpose)
        ids = [row.case_id for row in self.store.find_cases(CaseQuery())]
        keyed = self.store.read_keys(ids)
        todo = [case_id for case_id in ids if case_id not in keyed]
        done: list[str] = []
        for count, case_id in enumerate(todo, 1):
            rows = self.store.read_case(case_id)
            if any(self.codec.is_sealed(row) for row in rows) or any(
                entry.action is AuditAction.ERASE
                for entry in self.store.read_audit(AuditQuery(case_id=case_id))
            ):
                continue  # erased: its key is gone on purpose
            case = self.codec.replay(rows)
            person = case.subject.pseudonym if isinstance(case.subject, Subject) else None
            at = self.clock.now()
            data_key, record = self.keyring.new_case_key(case_id, person, at)
            updates = [
                (row.case_id, row.version, self.codec.encode(event, key=data_key).data)
                for row, event in zip(rows, case.events, strict=True)
            ]
            entry = self._entry(
                actor, purpose, AuditAction.ADMIN, case_id, "sealed an unsealed history", at
            )
            self.store.rewrite_event_data(updates, [record], [entry])
            done.append(case_id)
            if progress is not None:
                progress(count, len(todo))
        self._audit(actor, purpose, AuditAction.ADMIN, None, f"sealed {len(done)} histories")
        return done

    def upgrade_store(self, actor: Actor, *, purpose: str = "administration") -> tuple[int, ...]:
        """Apply the schema migrations the store lacks; return the versions applied (audited).

        A store too old to open needs ``open_store(url, upgrade=True)`` first, as
        ``ssp store upgrade`` does after the same permission check.
        """
        self._authorise(actor, "store.upgrade", purpose)
        applied = self.store.upgrade()
        detail = f"store upgraded to schema version {self.store.schema_version()}"
        self._audit(actor, purpose, AuditAction.ADMIN, None, detail if applied else "store current")
        return applied

    # -- opening -----------------------------------------------------------------------

    def open_concern(
        self,
        *,
        situation: str,
        subject: Subject,
        concern_date: dt.date,
        actor: Actor,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Open a concern on the action card for ``situation`` and the person's age then.

        The card is chosen from the registered cards by the situation and the age band
        that holds the subject's age on ``concern_date``.
        """
        today = local_date(self.clock.now())
        if concern_date > today:
            raise DataError(f"the concern date {concern_date.isoformat()} is in the future")
        age = subject.age_on(concern_date)
        card = self.registry.select_card(situation, age)
        return self._open(
            self.registry.engine(card.id, card.version),
            subject=subject,
            actor=actor,
            situation=situation,
            concern_date=concern_date,
            reason=reason,
            purpose=purpose,
        )

    def open_case(
        self,
        *,
        workflow: str,
        subject: CaseSubject,
        actor: Actor,
        version: int | None = None,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Open a case on ``workflow`` (the newest version unless ``version`` is given)."""
        return self._open(
            self.registry.engine(workflow, version),
            subject=subject,
            actor=actor,
            reason=reason,
            purpose=purpose,
        )

    def _open(
        self,
        engine: WorkflowEngine,
        *,
        subject: CaseSubject,
        actor: Actor,
        purpose: str,
        situation: str | None = None,
        concern_date: dt.date | None = None,
        reason: str | None = None,
        details: Callable[[Case, dt.datetime], CaseEvent] | None = None,
    ) -> Case:
        """Open a case, with its opening event and ``details`` (the next event) in one commit."""
        self._authorise(actor, "case.open", purpose, workflow=engine.definition.id)
        at = self.clock.now()
        case = engine.open(
            case_id=self._ids(),
            subject=subject,
            actor=actor,
            at=at,
            situation=situation,
            concern_date=concern_date,
            reason=reason,
            calendar=self.calendar,
        )
        if details is not None:
            case.apply(details(case, at))
        person = subject.pseudonym if isinstance(subject, Subject) else None
        data_key, record = self.keyring.new_case_key(case.id, person, at)
        try:
            self._commit(case, engine, purpose, case.version, data_key, key_record=record)
        except ConcurrencyError:
            raise DataError(f"case id {case.id!r} is already in use") from None
        return case

    # -- safety walks ------------------------------------------------------------------

    def plan_walk(
        self,
        *,
        locality: str,
        held_on: dt.date,
        actor: Actor,
        participants: Iterable[str] = (),
        citizens: int = 0,
        topics: Iterable[str] = (),
        note: str | None = None,
        workflow: str | None = None,
        source: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Plan a safety walk in a registered locality: a walk case with its plan, in one commit.

        ``participants`` are registered partners (community councils, housing sections,
        clubs, the police, the emergency service); citizens take part by count only;
        ``topics`` are finding categories. ``workflow`` is a walk workflow (the core's
        ``core.safety_walk`` if there is one and none is named).
        """
        plan = self._walk_plan(locality, participants, citizens, topics)
        engine = self._walk_engine(workflow, WorkflowKind.SAFETY_WALK)
        area = self.registry.localities[locality]
        return self._open(
            engine,
            subject=Environment(area.id, area.labels),
            actor=actor,
            purpose=purpose,
            details=lambda case, at: WalkPlanned(
                case_id=case.id,
                version=2,
                at=at,
                actor=actor.id,
                role=actor.role,
                locality=locality,
                held_on=held_on,
                participants=plan[0],
                citizens=citizens,
                topics=plan[1],
                note=_plain(note),
                source=source,
            ),
        )

    def _walk_plan(
        self, locality: str, participants: Iterable[str], citizens: int, topics: Iterable[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Check a walk's locality, partners, citizens and topics against the registry."""
        self.registry.localities[locality]
        who = tuple(dict.fromkeys(participants))
        for partner in who:
            self.registry.partners[partner]
        what = tuple(dict.fromkeys(topics))
        for category in what:
            self.registry.finding_categories[category]
        if isinstance(citizens, bool) or not isinstance(citizens, int) or citizens < 0:
            raise DataError(f"citizens is a count of 0 or more, got {citizens!r}")
        return who, what

    def _walk_engine(self, workflow: str | None, kind: WorkflowKind) -> WorkflowEngine:
        """Return the engine of the named workflow of ``kind``, or the core's default one."""
        if workflow is None:
            found = self.registry.latest_workflows(kind)
            core = [d for d in found if d.id.startswith("core.")]
            if not found:
                raise ConfigError(f"no plugin registers a workflow of kind {kind.value}")
            workflow = (core or found)[0].id
        engine = self.registry.engine(workflow)
        if engine.definition.kind is not kind:
            raise DataError(
                f"workflow {workflow!r} is a {engine.definition.kind.value} workflow, "
                f"not a {kind.value} workflow"
            )
        return engine

    def record_finding(
        self,
        walk_id: str,
        *,
        place: Place,
        category: str,
        description: str,
        actor: Actor,
        responsible: str | None = None,
        workflow: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record a finding of the walk ``walk_id``: a finding case of its own, in one commit.

        Findings are recorded once the walk is held (past its workflow's initial
        state) and until it is closed or cancelled (a final state). ``category`` is a
        registered finding category, ``responsible`` (optional) a registered partner;
        the description is sealed like a note.
        """
        self.registry.finding_categories[category]
        if responsible is not None:
            self.registry.partners[responsible]
        text = _plain(description)
        if text is None:
            raise DataError("a finding must have a description")
        engine = self._walk_engine(workflow, WorkflowKind.SAFETY_FINDING)
        self._authorise(actor, "case.open", purpose, workflow=engine.definition.id)
        walk = self._walk_row(walk_id)
        plan = self.registry.workflow(walk.workflow, walk.workflow_version)
        if walk.state == plan.initial or walk.state in plan.final_states:
            raise DataError(
                f"findings are recorded on a walk once it is held and until it is closed; "
                f"walk {walk_id} is {walk.state!r}"
            )
        opening = self.codec.decode(self._rows(walk_id)[0], readable=set())
        if not isinstance(opening, CaseOpened) or not isinstance(opening.subject, Environment):
            raise DataError(f"case {walk_id} is not a safety walk")
        return self._open(
            engine,
            subject=opening.subject,
            actor=actor,
            purpose=purpose,
            details=lambda case, at: FindingRecorded(
                case_id=case.id,
                version=2,
                at=at,
                actor=actor.id,
                role=actor.role,
                walk=walk_id,
                place=place,
                category=category,
                description=text,
                responsible=responsible,
            ),
        )

    def _walk_row(self, walk_id: str) -> CaseRow:
        row = self.store.case_row(walk_id)
        if row is None:
            raise CaseNotFound(walk_id)
        kind = self.registry.workflow(row.workflow, row.workflow_version).kind
        if kind is not WorkflowKind.SAFETY_WALK:
            raise DataError(f"case {walk_id} is a {kind.value} case, not a safety walk")
        return row

    def assign_finding(
        self,
        case_id: str,
        partner: str,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Make a registered partner responsible for a finding, and pass it on, in one commit.

        A finding still ``reported`` moves on by its ``assign`` trigger; one already
        assigned only gets its new responsible partner recorded.
        """
        self.registry.partners[partner]

        def command(case: Case, engine: WorkflowEngine, at: dt.datetime) -> int:
            if engine.definition.kind is not WorkflowKind.SAFETY_FINDING:
                raise DataError(f"case {case_id} is not a safety-walk finding")
            if case.state in engine.definition.final_states:
                raise DataError(f"finding {case_id} is closed ({case.state})")
            case.apply(
                FindingAssigned(
                    case_id=case.id,
                    version=case.version + 1,
                    at=at,
                    actor=actor.id,
                    role=actor.role,
                    partner=partner,
                    reason=_plain(reason),
                )
            )
            if case.state != engine.definition.initial:
                return 1
            engine.fire(case, "assign", actor, at=at, calendar=self.calendar)
            return 2

        case, engine, data_key, _ = self._load(case_id, actor, "case.assign", purpose)
        before = case_row(case, engine.definition.final_states)
        count = command(case, engine, self.clock.now())
        self._commit(case, engine, purpose, count, data_key, before=before)
        return case

    def import_walk(
        self, walk: WalkPlan | str, actor: Actor, *, purpose: str = CASEWORK
    ) -> list[Case]:
        """Put an example walk (a :class:`WalkPlan`, or the id of a registered one) in the store.

        The walk is planned, held if its date has passed, its findings recorded and
        followed up to their outcomes, and closed if it is in the past. A walk imported
        before (by its id) is not imported again: the result is then empty. Returns the
        walk case and its finding cases.
        """
        plan = self.registry.example_walks[walk] if isinstance(walk, str) else walk
        for row in self.find(actor, CaseQuery(), purpose=purpose):
            if (
                _kind_of(self.registry, row) is WorkflowKind.SAFETY_WALK
                and self._source_of(row.case_id) == plan.id
            ):
                return []
        case = self.plan_walk(
            locality=plan.locality,
            held_on=plan.held_on,
            actor=actor,
            participants=plan.participants,
            citizens=plan.citizens,
            topics=plan.topics,
            note=plan.note,
            source=plan.id,
            purpose=purpose,
        )
        if plan.held_on > local_date(self.clock.now()):
            return [case]
        case = self.fire(case.id, "hold", actor, purpose=purpose)
        found = []
        for item in plan.findings:
            finding = self.record_finding(
                case.id,
                place=item.place,
                category=item.category,
                description=item.description,
                responsible=item.responsible,
                actor=actor,
                purpose=purpose,
            )
            if item.outcome == "resolved":
                self.fire(finding.id, "assign", actor, purpose=purpose)
                finding = self.fire(finding.id, "resolve", actor, purpose=purpose)
            elif item.outcome == "declined":
                finding = self.fire(
                    finding.id, "decline", actor, reason=item.reason, purpose=purpose
                )
            elif item.responsible is not None:
                finding = self.fire(finding.id, "assign", actor, purpose=purpose)
            found.append(finding)
        case = self.fire(case.id, "close", actor, purpose=purpose)
        return [case, *found]

    def _source_of(self, walk_id: str) -> str | None:
        """Return the example walk a walk case was imported from (its plan is not sealed)."""
        for row in self._rows(walk_id)[1:]:
            event = self.codec.decode(row, readable=set())
            if isinstance(event, WalkPlanned):
                return event.source
        return None

    def walks(self, actor: Actor, *, purpose: str) -> list[Walk]:
        """Return every safety walk the actor may read, oldest first (an audited read)."""
        walks = [
            Walk.of(case)
            for case in self._kind_cases(actor, WorkflowKind.SAFETY_WALK, purpose, open_only=False)
        ]
        return sorted(walks, key=lambda w: (w.held_on, w.opened_at, w.case_id))

    def findings(
        self,
        actor: Actor,
        *,
        purpose: str,
        walk: str | None = None,
        open_only: bool = False,
    ) -> list[Finding]:
        """Return safety-walk findings (of one walk, or open ones only), oldest first; audited.

        Open findings across walks are the follow-up list: each with its state and
        running due date. A description outside the actor's grants reads ``[withheld]``.
        """
        found = []
        for case in self._kind_cases(
            actor, WorkflowKind.SAFETY_FINDING, purpose, open_only=open_only
        ):
            definition = self.registry.workflow(case.workflow, case.workflow_version)
            finding = Finding.of(case, definition)
            if walk is None or finding.walk == walk:
                found.append(finding)
        return sorted(found, key=lambda f: (f.reported_at, f.case_id))

    def _kind_cases(
        self, actor: Actor, kind: WorkflowKind, purpose: str, *, open_only: bool
    ) -> list[Case]:
        rows = self.find(actor, CaseQuery(open_only=open_only), purpose=purpose)
        ids = [row.case_id for row in rows if _kind_of(self.registry, row) is kind]
        return self.load_cases(ids, actor, purpose=purpose) if ids else []

    # -- changing ----------------------------------------------------------------------

    def fire(
        self,
        case_id: str,
        trigger: str,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Fire ``trigger`` on the case; a refused trigger raises and changes nothing."""
        return self._change(
            case_id,
            actor,
            "case.fire",
            purpose,
            lambda case, engine, at: engine.fire(
                case, trigger, actor, at=at, reason=reason, calendar=self.calendar
            ),
        )

    def record_fact(
        self,
        case_id: str,
        fact: str,
        actor: Actor,
        *,
        detail: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record a fact the case's workflow declares, e.g. ``children_services_notified``."""
        return self._change(
            case_id,
            actor,
            "case.fact",
            purpose,
            lambda case, engine, at: engine.record_fact(case, fact, actor, at=at, detail=detail),
        )

    def record_observation(
        self,
        case_id: str,
        *,
        catalogue: str,
        sign: str,
        observed_by: str,
        observed_on: dt.date,
        actor: Actor,
        text: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record who saw which worry sign and when; the sign must be in the catalogue."""
        self.registry.catalogues[catalogue].sign(sign)
        observation = Observation(
            catalogue=catalogue,
            sign=sign,
            observed_by=observed_by,
            observed_on=observed_on,
            text=text,
        )
        return self._change(
            case_id,
            actor,
            "case.observe",
            purpose,
            lambda case, engine, at: engine.record_observation(case, observation, actor, at=at),
        )

    def add_note(self, case_id: str, text: str, actor: Actor, *, purpose: str = CASEWORK) -> Case:
        """Add a free-text note to the case."""
        return self._change(
            case_id,
            actor,
            "case.note",
            purpose,
            lambda case, engine, at: engine.add_note(case, text, actor, at=at),
        )

    def assign(
        self,
        case_id: str,
        assignee: str | None,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Assign the case to ``assignee`` (an actor id), or unassign it with ``None``."""
        return self._change(
            case_id,
            actor,
            "case.assign",
            purpose,
            lambda case, engine, at: engine.assign(case, assignee, actor, at=at, reason=reason),
        )

    def record_session(
        self,
        case_id: str,
        actor: Actor,
        *,
        held_on: dt.date,
        participants: int | None = None,
        note: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record a session of a prevention track."""
        return self._change(
            case_id,
            actor,
            "case.note",
            purpose,
            lambda case, engine, at: engine.record_session(
                case, actor, at=at, held_on=held_on, participants=participants, note=note
            ),
        )

    # -- deadlines -------------------------------------------------------------------

    def suspend(self, case_id: str, actor: Actor, *, reason: str, purpose: str = CASEWORK) -> Case:
        """Put the case on hold, giving a reason: its deadlines stop running."""
        return self._change(
            case_id,
            actor,
            "case.hold",
            purpose,
            lambda case, engine, at: engine.suspend(case, actor, at=at, reason=reason),
        )

    def resume(
        self, case_id: str, actor: Actor, *, reason: str | None = None, purpose: str = CASEWORK
    ) -> Case:
        """Take the case off hold; its due dates move by the business days it was on hold."""
        return self._change(
            case_id,
            actor,
            "case.hold",
            purpose,
            lambda case, engine, at: engine.resume(
                case, actor, at=at, reason=reason, calendar=self.calendar
            ),
        )

    def extend_deadline(
        self,
        case_id: str,
        rule: str,
        due: dt.date,
        actor: Actor,
        *,
        reason: str,
        purpose: str = CASEWORK,
    ) -> Case:
        """Move the due date of deadline ``rule`` to the later ``due``, giving a reason."""
        return self._change(
            case_id,
            actor,
            "case.extend",
            purpose,
            lambda case, engine, at: engine.extend_deadline(
                case, rule, due, actor, at=at, reason=reason
            ),
        )

    def record_missed_deadlines(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[tuple[Case, Deadline]]:
        """Record each due date passed before ``on`` (default: today) once, and escalate it.

        For every open case past a due date not yet recorded, a
        :class:`~ssp_core.domain.events.DeadlineMissed` event is stored and the
        plugins' ``ssp_after_deadline_missed`` hook is called with the deadline.
        Returns what was recorded now; a second run on the same day records nothing.
        """
        today = local_date(self.clock.now())
        day = on or today
        if day > today:
            raise DataError(
                f"a missed deadline can be recorded only once it has passed; "
                f"{day.isoformat()} is after today ({today.isoformat()})"
            )
        permit = self._authorise(actor, "case.deadlines", purpose)
        query = CaseQuery(due_before=day)
        rows = self._own(actor, query) if permit.assigned_only else self.store.find_cases(query)
        allowed = self.policy.workflows(actor, "case.deadlines", purpose)
        self._audit(actor, purpose, AuditAction.SEARCH, None, query.describe())
        recorded: list[tuple[Case, Deadline]] = []
        for row in rows:
            if allowed is not None and row.workflow not in allowed:
                continue
            case, engine, data_key, _ = self._load(row.case_id, actor, "case.deadlines", purpose)
            before = case_row(case, engine.definition.final_states)
            missed = [d for d in case.due if not d.missed and d.due < day]
            if not missed:
                continue
            at = self.clock.now()
            for due in missed:
                engine.record_missed(case, due.rule, actor, at=at)
            self._commit(
                case, engine, purpose, len(missed), data_key, before=before, announce=False
            )
            for event in case.events[-len(missed) :]:
                self._announce(engine, case, event)
                assert isinstance(event, DeadlineMissed)  # noqa: S101 (just recorded above)
                deadline = next(d for d in engine.deadlines(case) if d.rule == event.rule)
                self.registry.host.after_deadline_missed(
                    case=case, deadline=deadline, definition=engine.definition
                )
                recorded.append((case, deadline))
        return recorded

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
        it has moved since (or is on another version by now), :class:`MovedSincePlan`
        is raised and nothing is written. A note or a fact added since changes nothing
        about the move. Use :mod:`ssp_core.migration` to plan moves.
        """
        case, old, data_key, _ = self._load(case_id, actor, "case.migrate", purpose)
        if case.state != expected_state or case.workflow_version >= to_version:
            raise MovedSincePlan(case_id, case.state, case.workflow_version)
        engine = self.registry.engine(case.workflow, to_version)
        before = case_row(case, old.definition.final_states)
        engine.migrate(case, dest, actor, at=self.clock.now(), calendar=self.calendar)
        self._commit(case, engine, purpose, 1, data_key, before=before)
        return case

    # -- internals -------------------------------------------------------------------

    def _authorise(
        self,
        actor: Actor,
        operation: str,
        purpose: str,
        *,
        workflow: str | None = None,
        head: _Head | None = None,
        case_id: str | None = None,
    ) -> Permit:
        """Check the operation against the grants; audit and re-raise a refusal."""
        try:
            return self.policy.check(
                actor,
                operation,
                purpose=purpose,
                workflow=head.workflow if head else workflow,
                assignee=head.assignee if head else None,
                opened_by=head.opened_by if head else None,
                case_id=case_id,
            )
        except AccessDenied as denied:
            self._audit(
                actor, purpose, AuditAction.DENIED, case_id, f"{operation}: {denied.permission}"
            )
            raise

    def _case_filter(
        self, actor: Actor, operation: str, purpose: str, permit: Permit
    ) -> Callable[[str | None], bool] | None:
        """Return a test of which cases a grant limited by workflow or scope covers (None: all).

        For operations over many cases (listing disclosures, the audit log, retention):
        a grant for some workflows, or for the actor's own cases, sees only those, and
        no entry that is not about a case.
        """
        allowed = self.policy.workflows(actor, operation, purpose)
        mixed = any(grant.scope is Scope.ASSIGNED for grant in self.policy.grants_of(actor.role))
        if allowed is None and not permit.assigned_only and not mixed:
            return None
        rows_visible = self._rows_filter(actor, operation, purpose)
        seen: dict[str, bool] = {}

        def visible(case_id: str | None) -> bool:
            if case_id is None:
                return False
            if case_id not in seen:
                row = self.store.case_row(case_id)
                seen[case_id] = row is not None and rows_visible(row)
            return seen[case_id]

        return visible

    def _rows(self, case_id: str) -> list[StoredEvent]:
        rows = self.store.read_case(case_id)
        if not rows:
            raise CaseNotFound(case_id)
        return rows

    def _permit_for(
        self, rows: Sequence[StoredEvent], actor: Actor, operation: str, purpose: str, case_id: str
    ) -> Permit:
        return self._authorise(actor, operation, purpose, head=_Head.of(rows), case_id=case_id)

    def _replay(
        self, rows: Sequence[StoredEvent], record: KeyRecord | None, groups: frozenset[FieldGroup]
    ) -> Case:
        """Fold a case, opening the sealed fields of ``groups`` with its key (if not erased)."""
        if not groups or record is None:
            return self.codec.replay(rows, readable=groups, erased=record is None)
        return self.codec.replay(rows, key=self.keyring.open_case_key(record), readable=groups)

    def _read(
        self, case_id: str, actor: Actor, operation: str, purpose: str
    ) -> tuple[Case, Permit]:
        rows = self._rows(case_id)
        permit = self._permit_for(rows, actor, operation, purpose, case_id)
        if not permit.field_groups:
            return self.codec.replay(rows, readable=permit.field_groups), permit
        record = self.store.read_keys([case_id]).get(case_id)
        return self._replay(rows, record, permit.field_groups), permit

    def _load(
        self, case_id: str, actor: Actor, operation: str, purpose: str
    ) -> tuple[Case, WorkflowEngine, bytes, Permit]:
        """Load a case to write to it: checked, with its data key (refused once erased)."""
        rows = self._rows(case_id)
        permit = self._permit_for(rows, actor, operation, purpose, case_id)
        record = self.store.read_keys([case_id]).get(case_id)
        if record is None:
            raise DataError(
                f"case {case_id} has no data key: its personal data were erased under a "
                "retention rule (or it was stored unsealed before schema 2); it takes no "
                "more events"
            )
        data_key = self.keyring.open_case_key(record)
        case = self.codec.replay(rows, key=data_key, readable=permit.field_groups)
        return case, self.registry.engine_for(case), data_key, permit

    def _change(
        self,
        case_id: str,
        actor: Actor,
        operation: str,
        purpose: str,
        command: Callable[[Case, WorkflowEngine, dt.datetime], object],
    ) -> Case:
        case, engine, data_key, _ = self._load(case_id, actor, operation, purpose)
        before = case_row(case, engine.definition.final_states)
        command(case, engine, self.clock.now())
        self._commit(case, engine, purpose, 1, data_key, before=before)
        return case

    def _commit(
        self,
        case: Case,
        engine: WorkflowEngine,
        purpose: str,
        count: int,
        data_key: bytes,
        *,
        before: CaseRow | None = None,
        announce: bool = True,
        key_record: KeyRecord | None = None,
    ) -> None:
        """Store the case's newest ``count`` events, sealed, with its index row, at once.

        An event stored with its purpose is the audit entry of the write. The index row
        is written only if it changed from ``before`` (the row before the command), so a
        note, a fact or an observation writes its event alone. ``key_record`` is the
        wrapped data key of a case being opened, written in the same commit.
        """
        new = case.events[-count:]
        row = case_row(case, engine.definition.final_states)
        self.store.append(
            Commit(
                events=[self.codec.encode(event, purpose=purpose, key=data_key) for event in new],
                cases=() if row == before else (row,),
                keys=() if key_record is None else (key_record,),
            )
        )
        if announce:
            for event in new:
                self._announce(engine, case, event)

    def _announce(self, engine: WorkflowEngine, case: Case, event: CaseEvent) -> None:
        self.registry.host.after_case_event(case=case, event=event, definition=engine.definition)

    def _entry(  # noqa: PLR0917 (the fields of one audit entry)
        self,
        actor: Actor,
        purpose: str,
        action: AuditAction,
        case_id: str | None,
        detail: str | None,
        at: dt.datetime | None = None,
    ) -> AuditEntry:
        return AuditEntry(
            at=at or self.clock.now(),
            actor=actor.id,
            role=actor.role,
            purpose=purpose,
            action=action,
            case_id=case_id,
            detail=detail,
        )

    def _audit(
        self, actor: Actor, purpose: str, action: AuditAction, case_id: str | None, detail: str
    ) -> None:
        self.store.record_audit([self._entry(actor, purpose, action, case_id, detail)])

    def _audit_reads(
        self, actor: Actor, purpose: str, action: AuditAction, case_ids: Sequence[str]
    ) -> None:
        at = self.clock.now()
        self.store.record_audit(
            [
                AuditEntry(
                    at=at,
                    actor=actor.id,
                    role=actor.role,
                    purpose=purpose,
                    action=action,
                    case_id=case_id,
                )
                for case_id in case_ids
            ]
        )
