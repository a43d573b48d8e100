"""The case repository: load a case, let its engine decide, commit the events, announce them.

:class:`CaseRepository` is the one way a use case reads or changes a case. Reading
checks the operation with the :class:`~ssp_core.application.gate.Gate` before any
key is unwrapped, and opens only the field groups the grants show. Changing loads
the case with its data key (:meth:`~CaseRepository.load`), lets a command apply
events through the workflow engine, and commits the new events with the case's
index row in one append at the version the case had when loaded
(:meth:`~CaseRepository.commit`): a concurrent writer gets a
:class:`~ssp_core.exceptions.ConcurrencyError` and nothing is written. After the
commit, the plugins' ``ssp_after_case_event`` hook hears of every new event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NoReturn

import attrs

from ssp_core.application.decoded import DecodedEvents
from ssp_core.application.gate import CaseHead, Gate
from ssp_core.application.snapshots import CaseSnapshots, Snapshot
from ssp_core.cipher import Cipher
from ssp_core.clock import BusinessCalendar, Clock
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.activities import ACTIVITY_GUIDANCE
from ssp_core.domain.advice import UNNAMED_GUIDANCE, check_unnamed_events
from ssp_core.domain.cases import Case
from ssp_core.domain.events import CaseEvent
from ssp_core.domain.fields import READ_IN_FULL
from ssp_core.domain.people import CaseSubject, Subject
from ssp_core.domain.roles import Actor
from ssp_core.domain.validators import check_case_id, check_pseudonym, naming_problem
from ssp_core.exceptions import (
    AccessDenied,
    CaseNotFound,
    ConcurrencyError,
    DataError,
    PluginError,
    ReactionFailed,
    SspError,
    StoreError,
    WrongKey,
)
from ssp_core.i18n import N_, _
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.access import Permit, Where
from ssp_core.privacy.sealing import Keyring
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.projection import case_row
from ssp_core.store.records import CaseRow, Commit, KeyRecord, KeyReplacement, StoredEvent
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.engine import WorkflowEngine

__all__ = [
    "CaseRepository",
    "Command",
    "Fetched",
    "Loaded",
    "reacting",
    "sequential_ids",
    "uuid_ids",
]

_log = logging.getLogger(__name__)


@contextlib.contextmanager
def reacting(case_id: str) -> Iterator[None]:
    """Report the plugins' failed reactions to what case ``case_id`` just stored, as warnings.

    The commit stands, so a failed ``ssp_after_*`` hook is not the command's failure:
    it is logged and warned (:class:`~ssp_core.exceptions.ReactionFailed`), naming the
    case, the hook, the plugins and their error types, never their messages (which may
    quote a decrypted note).
    """
    try:
        yield
    except PluginError as failed:
        each = failed.failures or (failed,)
        who = ", ".join(
            f"{f.plugin or '?'} ({type(f.__cause__).__name__ if f.__cause__ else 'error'})"
            for f in each
        )
        text = N_(
            "case {case} is stored; the plugins' reaction {hook} failed "
            "in: {who}. Do not repeat the command; see the plugin's own log"
        )
        values = {"case": case_id, "hook": failed.hook or "hook", "who": who}
        _log.warning("%s", text.format(**values))  # the log is in English
        warnings.warn(ReactionFailed(_(text).format(**values)), stacklevel=3)


_NAMING_NO_ONE: dict[WorkflowKind, str] = {
    WorkflowKind.ADVICE_REQUEST: UNNAMED_GUIDANCE,
    WorkflowKind.INITIATIVE_ACTIVITY: ACTIVITY_GUIDANCE,
}
"""The kinds of case that name no one, and what a refused text tells the writer."""

Command = Callable[[Case, WorkflowEngine, dt.datetime], object]
"""A change to a loaded case: applies its events (through the engine) at the given time."""


UNSEEN = N_("there is no such case, or it is not one this role may reach")
"""Why an operation on a case id was refused, as the actor is told (the audit keeps the reason)."""


def unseen(actor: Actor, operation: str, case_id: str) -> AccessDenied:
    """Return the refusal of ``operation`` on ``case_id``, the same whether the case exists.

    The id is not repeated: the user knows what they asked for, and a case behind
    another municipality's wall is not to be named to its staff.
    """
    del case_id
    return AccessDenied(actor.id, actor.role, operation, _(UNSEEN), None)


def uuid_ids() -> str:
    """Return a new random case id (the default), never shaped like a CPR number."""
    while True:  # ten digits in a row that read as a date: about 1 in 1,000 draws
        found = f"C-{uuid.uuid4().hex[:16]}"
        if naming_problem(found) is None:
            return found


def sequential_ids(prefix: str = "C-", start: int = 1) -> Callable[[], str]:
    """Return a factory of readable sequential case ids, e.g. ``C-0001`` (for demos and tests)."""
    counter = itertools.count(start)
    return lambda: f"{prefix}{next(counter):04d}"


@attrs.frozen
class Loaded:
    """A case loaded to be changed: its engine, its data key's cipher, the permit, how it stood.

    ``version`` and ``before`` (its index row) are as loaded; :meth:`CaseRepository.commit`
    writes the events applied since, and the index row only if it changed. ``head``
    and ``key`` (the case's data key) let the commit keep the case as written.
    """

    case: Case
    engine: WorkflowEngine
    cipher: Cipher
    permit: Permit
    version: int
    before: CaseRow
    head: CaseHead | None = None
    key: bytes | None = attrs.field(default=None, repr=False)

    @property
    def new_events(self) -> tuple[CaseEvent, ...]:
        """Return the events applied to the case since it was loaded."""
        return self.case.events[self.version :]


@attrs.frozen
class Fetched:
    """A stored case as read to be checked: its head, its events since ``snapshot``, its key.

    ``rows`` are the whole history when no snapshot was kept of the case, else only
    the events after the snapshot's version (none if nothing was appended since).
    ``record`` is its key row, read with them (``None``: erased, or never sealed).
    """

    case_id: str
    head: CaseHead
    rows: list[StoredEvent]
    record: KeyRecord | None = attrs.field(repr=False)
    snapshot: Snapshot | None = None


class CaseRepository:
    """Reads, loads, commits and opens cases; every access goes through the gate.

    :param registry: the workflows (one engine per version) and the plugins to announce to.
    :param store: where the events, the case index and the keys are kept.
    :param codec: turns events into stored rows and back, sealing personal fields.
    :param keyring: makes and opens the cases' data keys.
    :param gate: checks each read and write against the grants.
    :param clock: stamps every event.
    :param calendar: business days for the deadlines of a new case or state.
    :param ids: makes new case ids.
    """

    def __init__(  # noqa: PLR0917 (the parts a repository composes)
        self,
        registry: Registry,
        store: CaseStore,
        codec: EventCodec,
        keyring: Keyring,
        gate: Gate,
        clock: Clock,
        calendar: BusinessCalendar,
        ids: Callable[[], str] = uuid_ids,
    ) -> None:
        self.registry = registry
        self.store = store
        self.codec = codec
        self.keyring = keyring
        self.gate = gate
        self.clock = clock
        self.calendar = calendar
        self.ids = ids
        #: The events decoded lately (see :mod:`ssp_core.application.decoded`).
        self.decoded = DecodedEvents(codec)
        #: The cases read lately, folded (see :mod:`ssp_core.application.snapshots`).
        self.snapshots = CaseSnapshots()
        self._sealing_checked: dict[str, str] = {}

    # -- reading -------------------------------------------------------------------------

    def check_sealing_key(self, municipality: str | None) -> None:
        """Refuse with :class:`WrongKey` a key the store does not seal the municipality under.

        The first key a store seals a municipality's data under is recorded (by
        fingerprint); any other key is refused before anything is sealed with it. Once
        checked, a key is not asked about again by this repository.
        """
        key = self.keyring.key_for(municipality)
        slot = municipality or ""
        if self._sealing_checked.get(slot) == key.fingerprint:
            return
        kept = self.store.seal_under(slot, key.fingerprint, self.clock.now())
        if kept != key.fingerprint:
            if municipality:
                text = _(
                    "the store {store} seals municipality {municipality}'s data under the key "
                    "with fingerprint {kept}, not the key given ({given}); nothing was written. "
                    "Give that key (--key-file, --key-dir, SSP_KEY_FILE), or rotate to a new "
                    "key with `ssp key rotate`"
                )
            else:
                text = _(
                    "the store {store} seals the deployment's data under the key with "
                    "fingerprint {kept}, not the key given ({given}); nothing was written. Give "
                    "that key (--key-file, --key-dir, SSP_KEY_FILE), or rotate to a new key "
                    "with `ssp key rotate`"
                )
            raise WrongKey(
                text.format(
                    store=self.store.url,
                    municipality=repr(municipality),
                    kept=kept,
                    given=key.fingerprint,
                )
            )
        self._sealing_checked[slot] = key.fingerprint

    def rows(self, case_id: str) -> list[StoredEvent]:
        """Return the stored events of a case; :class:`CaseNotFound` if it has none.

        A CPR- or pseudonym-shaped id is refused before it is looked up (no case id is).
        """
        rows = self.store.read_case(check_case_id(case_id))
        if not rows:
            raise CaseNotFound(case_id)
        return rows

    def permit_for(
        self, rows: Sequence[StoredEvent], actor: Actor, operation: str, purpose: str, case_id: str
    ) -> Permit:
        """Check ``operation`` on the case these rows are (audited if refused).

        A refusal says the same as for an id no case has (:meth:`checked_rows`): it
        never names the case's workflow or why; the audit entry keeps the reason.
        """
        return self.permit_at(CaseHead.of(rows), actor, operation, purpose, case_id)

    def permit_at(
        self, head: CaseHead, actor: Actor, operation: str, purpose: str, case_id: str
    ) -> Permit:
        """Check ``operation`` on the case of this head, as :meth:`permit_for` does."""
        try:
            return self.gate.authorise(actor, operation, purpose, head=head, case_id=case_id)
        except AccessDenied as denied:
            try:  # refused whatever the case: say why (it tells nothing of this case)
                self.gate.policy.check(actor, operation, purpose=purpose)
            except AccessDenied:
                raise AccessDenied(
                    actor.id, actor.role, operation, denied.permission, None
                ) from None
            raise unseen(actor, operation, case_id) from None

    def checked_rows(
        self, case_id: str, actor: Actor, operation: str, purpose: str
    ) -> tuple[list[StoredEvent], Permit]:
        """Return a case's stored events and the permit for ``operation`` on it.

        An id no case has is refused as a case the actor may not reach is, with the
        same :class:`AccessDenied` and message, and audited likewise: whether a case
        exists is not told to whom it is not shown.
        """
        rows = self.store.read_case(check_case_id(case_id))
        if not rows:
            self.refuse_unknown(actor, operation, purpose, case_id)
        return rows, self.permit_for(rows, actor, operation, purpose, case_id)

    def fetch(self, case_id: str) -> Fetched | None:
        """Read a stored case to check it: only its new events if a snapshot of it is kept.

        ``None`` if no case has the id. A CPR- or pseudonym-shaped id is refused
        before it is looked up.
        """
        check_case_id(case_id)
        snapshot = self.snapshots.get(case_id)
        if snapshot is not None:
            rows, record = self.store.read_case_and_key(case_id, after=snapshot.version)
            return Fetched(case_id, snapshot.head.then(rows), rows, record, snapshot)
        rows, record = self.store.read_case_and_key(case_id)
        return Fetched(case_id, CaseHead.of(rows), rows, record) if rows else None

    def checked(
        self, case_id: str, actor: Actor, operation: str, purpose: str
    ) -> tuple[Fetched, Permit]:
        """Read a case (:meth:`fetch`) and return it with the permit for ``operation`` on it.

        Refused as :meth:`checked_rows` refuses.
        """
        fetched = self.fetch(case_id)
        if fetched is None:
            self.refuse_unknown(actor, operation, purpose, case_id)
        return fetched, self.permit_at(fetched.head, actor, operation, purpose, case_id)

    def fold(
        self, fetched: Fetched, record: KeyRecord, groups: frozenset[FieldGroup]
    ) -> tuple[Case, bytes, CaseHead]:
        """Return the case folded with its data key for ``groups``, the key and its head; keep it.

        A snapshot opened with the same key for the same groups is brought up to date
        with the events read after it; otherwise the whole history is folded.
        """
        head = fetched.head
        data_key = self.keyring.open_case_key(record, municipality=self.municipality_at(head))
        snapshot = fetched.snapshot
        if snapshot is not None and snapshot.fits(data_key, groups):
            case = snapshot.case.copy()
            if not fetched.rows:  # nothing since: the kept case stands
                return case, data_key, head
            for row in fetched.rows:
                case.apply(self.decoded.event(row, data_key, groups))
        else:
            rows = fetched.rows if snapshot is None else self.store.read_case(fetched.case_id)
            head = head if snapshot is None else CaseHead.of(rows)
            case = self.decoded.replay(rows, data_key, groups)
        self.snapshots.keep(head, data_key, groups, case)
        return case, data_key, head

    def history(self, fetched: Fetched) -> list[StoredEvent]:
        """Return the whole stored history of a fetched case (read again after a snapshot)."""
        if fetched.snapshot is None:
            return fetched.rows
        self.snapshots.drop(fetched.case_id)
        return self.store.read_case(fetched.case_id)

    def refuse_unknown(self, actor: Actor, operation: str, purpose: str, case_id: str) -> NoReturn:
        """Refuse ``operation`` on an id no case has, as a refused existing case is refused."""
        try:  # refused whatever the case (or an unknown role or purpose): say why
            self.gate.authorise(actor, operation, purpose)
        except AccessDenied as denied:
            raise AccessDenied(actor.id, actor.role, operation, denied.permission, None) from None
        self.gate.refuse_unknown_case(actor, operation, purpose, case_id)
        raise unseen(actor, operation, case_id)

    def replay(
        self, rows: Sequence[StoredEvent], record: KeyRecord | None, groups: frozenset[FieldGroup]
    ) -> Case:
        """Fold a case, opening the sealed fields of ``groups`` with its key (if not erased)."""
        if not groups or record is None:
            return self.codec.replay(rows, readable=groups, erased=record is None)
        data_key = self.keyring.open_case_key(record, municipality=self.municipality_of(rows))
        return self.decoded.replay(rows, data_key, groups)

    def municipality_of(self, rows: Sequence[StoredEvent]) -> str | None:
        """Return the municipality of a stored case: its key wraps the case's data key.

        The one the case names (opened in, or last handed over to), else its
        workflow's (histories before 0.2); ``None`` in a deployment of no municipality.
        """
        return self.municipality_at(CaseHead.of(rows))

    def municipality_at(self, head: CaseHead) -> str | None:
        """Return the municipality of the case of this head (see :meth:`municipality_of`)."""
        return self.gate.policy.walls.municipality(head.workflow, head.municipality)

    def read(self, case_id: str, actor: Actor, operation: str, purpose: str) -> tuple[Case, Permit]:
        """Return a case for ``operation`` (checked), with what the grants show, and the permit."""
        fetched, permit = self.checked(case_id, actor, operation, purpose)
        groups, record = permit.field_groups, fetched.record
        if not groups:
            return self.codec.replay(self.history(fetched), readable=groups), permit
        if record is None:  # erased: read as erased, never kept
            return self.codec.replay(self.history(fetched), readable=groups, erased=True), permit
        return self.fold(fetched, record, groups)[0], permit

    def read_many(
        self, case_ids: Sequence[str], actor: Actor, operation: str, purpose: str
    ) -> list[Case]:
        """Return several cases at once, each checked and replayed on its workflow version.

        An unknown id, like a case the actor may not read, raises
        :class:`~ssp_core.exceptions.AccessDenied` (see :meth:`checked_rows`).
        """
        found = self.store.read_cases(case_ids)
        keys = self.store.read_keys(case_ids)
        cases = []
        for case_id in case_ids:
            rows = found.get(case_id)
            if not rows:
                self.refuse_unknown(actor, operation, purpose, case_id)
            permit = self.permit_for(rows, actor, operation, purpose, case_id)
            case = self.replay(rows, keys.get(case_id), permit.field_groups)
            self.registry.engine_for(case)
            cases.append(case)
        return cases

    # -- changing ------------------------------------------------------------------------

    def load(self, case_id: str, actor: Actor, operation: str, purpose: str) -> Loaded:
        """Load a case to change it: checked, with its data key (refused once erased)."""
        fetched, permit = self.checked(case_id, actor, operation, purpose)
        record = fetched.record
        if record is None:
            self.snapshots.drop(case_id)
            raise DataError(
                _(
                    "case {case} has no data key: its personal data were erased under a "
                    "retention rule (or it was stored unsealed before schema 2); it takes no "
                    "more events"
                ).format(case=case_id)
            )
        case, data_key, head = self.fold(fetched, record, permit.field_groups)
        cipher = self.codec.cipher(data_key)
        engine = self.registry.engine_for(case)
        return Loaded(
            case=case,
            engine=engine,
            cipher=cipher,
            permit=permit,
            version=case.version,
            before=case_row(case, engine.definition.final_states),
            head=head,
            key=data_key,
        )

    def kept(self, case_id: str, actor: Actor, operation: str, purpose: str) -> Loaded | None:
        """Return the case as kept folded, to change it without reading it first.

        ``None`` if no snapshot of it is kept, if the check on the kept head refuses
        (nothing is audited: :meth:`load` decides on the stored case), or if the
        snapshot was folded for other field groups than the actor's permit gives.
        """
        snapshot = self.snapshots.get(case_id)
        if snapshot is None:
            return None
        permit = self.gate.permits(actor, operation, purpose, head=snapshot.head, case_id=case_id)
        if permit is None or permit.field_groups != snapshot.groups:
            return None
        case = snapshot.case.copy()
        engine = self.registry.engine_for(case)
        return Loaded(
            case=case,
            engine=engine,
            cipher=self.codec.cipher(snapshot.key),
            permit=permit,
            version=case.version,
            before=case_row(case, engine.definition.final_states),
            head=snapshot.head,
            key=snapshot.key,
        )

    def change(
        self, case_id: str, actor: Actor, operation: str, purpose: str, command: Command
    ) -> Case:
        """Apply ``command`` to the case at the clock's time, and commit what it applied.

        A case kept folded (:meth:`kept`) is changed as kept, without reading it
        first: the commit names the version it follows and the case's key row, and
        the store takes it only if no event was appended to the case since and its
        key row is still there (both checked in the commit's transaction). If it is
        refused, or the check or the command refuses on the kept case, the case is
        read (:meth:`load`) and the command applied to it as stored: the answer is
        always the one the stored case gives.
        """
        with self.store.held():  # the read and the append on one connection
            changed = self._change(case_id, actor, operation, purpose, command)
        self.announce(changed.engine, changed.case, changed.new_events)  # none held meanwhile
        return changed.case

    def _change(
        self, case_id: str, actor: Actor, operation: str, purpose: str, command: Command
    ) -> Loaded:
        """Do what :meth:`change` says, but for telling the plugins; return the case changed."""
        kept = self.kept(case_id, actor, operation, purpose)
        if kept is not None and self._applied(kept, command):
            try:
                stored = self._store(kept, purpose)
            except ConcurrencyError:
                self.snapshots.drop(case_id)  # appended to, or erased, since it was kept
            except StoreError:
                raise  # the store could not write: reading it again would not help
            except SspError:
                pass  # refused as kept (say, free text naming someone): decided below
            else:
                self._stored(kept, stored, announce=False)
                return kept
        loaded = self.load(case_id, actor, operation, purpose)
        command(loaded.case, loaded.engine, self.clock.now())
        self.commit(loaded, purpose, announce=False)
        return loaded

    def commit(
        self,
        loaded: Loaded,
        purpose: str,
        *,
        engine: WorkflowEngine | None = None,
        announce: bool = True,
        rewrapped: Sequence[KeyReplacement] = (),
    ) -> tuple[CaseEvent, ...]:
        """Store the events applied since ``loaded`` was loaded, sealed, with its index row.

        The index row is written only if it changed, so a note, a fact or an
        observation writes its event alone. ``engine`` is the engine the case is on
        now, if a migration moved it. ``rewrapped`` replaces key rows in the same
        commit (a case moved to a municipality with another key). Returns the events
        stored.
        """
        stored = self._store(loaded, purpose, engine=engine, rewrapped=rewrapped)
        self._stored(loaded, stored, engine=engine, announce=announce)
        return loaded.new_events

    def _applied(self, kept: Loaded, command: Command) -> bool:
        """Apply ``command`` to a kept case; tell whether it applied without an error.

        Any error there is left to the stored case to give (the kept one may be stale),
        where the command runs again: commands change only the case they are given.
        """
        try:
            command(kept.case, kept.engine, self.clock.now())
        except Exception:  # noqa: BLE001 (raised again, if it still applies, on the stored case)
            return False
        return True

    def _store(
        self,
        loaded: Loaded,
        purpose: str,
        *,
        engine: WorkflowEngine | None = None,
        rewrapped: Sequence[KeyReplacement] = (),
    ) -> list[StoredEvent]:
        """Append the events applied since ``loaded`` was loaded (the store's part of a commit)."""
        return self._append(
            loaded.case,
            engine or loaded.engine,
            purpose,
            loaded.new_events,
            loaded.cipher,
            before=loaded.before,
            announce=False,
            rewrapped=rewrapped,
        )

    def _stored(
        self,
        loaded: Loaded,
        stored: Sequence[StoredEvent],
        *,
        engine: WorkflowEngine | None = None,
        announce: bool = True,
    ) -> None:
        """Keep the case as written and tell the plugins (what follows a stored commit)."""
        self.keep_written(loaded, stored)
        if announce:
            self.announce(engine or loaded.engine, loaded.case, loaded.new_events)

    def keep_written(self, loaded: Loaded, stored: Sequence[StoredEvent]) -> None:
        """Keep the case as just committed, if its writer may read every field group.

        The events the writer applied are then exactly what reading their stored rows
        gives, so the next read of the case need not decode them. A writer who may
        not read some group keeps nothing: its case holds fields it could not read back.
        """
        groups = loaded.permit.field_groups
        if loaded.head is None or loaded.key is None or not groups >= READ_IN_FULL:
            return
        self.snapshots.keep(loaded.head.then(stored), loaded.key, groups, loaded.case)

    def open(
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
        municipality: str | None = None,
        together: Callable[[Case, dt.datetime], Loaded] | None = None,
        then: Command | None = None,
    ) -> Case:
        """Open a case, with its opening event and ``details`` (the next event) in one commit.

        The case belongs to ``municipality`` (see :meth:`municipality_for`). The
        operation ``case.open`` on the workflow, in that municipality, is checked
        first; the case gets a new data key, wrapped with that municipality's key and
        written in the same commit. ``together`` changes another, loaded case once
        the new one exists (e.g. links an advice request to the concern opened from
        it); its new events go into the same commit, so both or neither are stored.
        ``then`` applies more events to the new case after ``details`` (e.g. marks an
        activity logged after its date as held), in the same commit.
        """
        if isinstance(subject, Subject):  # a CPR number is never stored as a pseudonym
            check_pseudonym(subject.pseudonym)
        where = self.municipality_for(actor, engine.definition.id, municipality)
        self.gate.authorise(
            actor, "case.open", purpose, workflow=engine.definition.id, where=Where(where)
        )
        at = self.clock.now()
        case = engine.open(
            case_id=check_case_id(self.ids()),  # an id factory of a plugin's too
            subject=subject,
            actor=actor,
            at=at,
            situation=situation,
            concern_date=concern_date,
            reason=reason,
            calendar=self.calendar,
            municipality=where,
        )
        if details is not None:
            case.apply(details(case, at))
        if then is not None:
            then(case, engine, at)
        person = subject.pseudonym if isinstance(subject, Subject) else None
        self.check_sealing_key(where)
        data_key, record = self.keyring.new_case_key(case.id, person, at, municipality=where)
        cipher = self.codec.cipher(data_key)
        other = together(case, at) if together is not None else None
        try:
            self._append(case, engine, purpose, case.events, cipher, key_record=record, other=other)
        except ConcurrencyError as conflict:
            if other is not None and conflict.case_id == other.case.id:
                raise
            raise DataError(
                _("case id {case} is already in use").format(case=repr(case.id))
            ) from None
        return case

    def municipality_for(self, actor: Actor, workflow: str | None, named: str | None) -> str | None:
        """Return the municipality a new case of ``workflow`` opened by ``actor`` belongs to.

        The one ``named``; else the one the actor's role acts for; else the workflow's;
        else the only municipality loaded. A workflow of one municipality opens only
        that municipality's cases. With several municipalities loaded and none of these
        deciding, the caller must name one.

        :raises UnknownId: ``named`` is not a registered municipality.
        :raises DataError: none can be decided, or the workflow is another municipality's.
        """
        registry = self.registry
        if named is not None:
            registry.municipalities[named]
        home = registry.workflow_home(workflow) if workflow is not None else None
        found = named or registry.role_home(actor.role) or home or registry.only_municipality()
        if found is None and registry.municipalities:
            text = (
                _("name the municipality the case of {workflow} belongs to; one of: {known}")
                if workflow is not None
                else _("name the municipality the case belongs to; one of: {known}")
            )
            raise DataError(
                text.format(workflow=workflow, known=", ".join(registry.municipalities))
            )
        if home is not None and home != found:
            raise DataError(
                _(
                    "workflow {workflow} is municipality {home}'s; it does not open cases of "
                    "municipality {found}"
                ).format(workflow=workflow, home=repr(home), found=repr(found))
            )
        return found

    def announce(self, engine: WorkflowEngine, case: Case, events: Iterable[CaseEvent]) -> None:
        """Tell the plugins of events just stored (``ssp_after_case_event``).

        A failing plugin does not undo or fail the command: see :func:`reacting`.
        """
        if not self.registry.host.reacts("ssp_after_case_event"):
            return
        for event in events:
            with reacting(case.id):
                self.registry.host.after_case_event(
                    case=case, event=event, definition=engine.definition
                )

    def _append(
        self,
        case: Case,
        engine: WorkflowEngine,
        purpose: str,
        new: Sequence[CaseEvent],
        cipher: Cipher,
        *,
        before: CaseRow | None = None,
        announce: bool = True,
        key_record: KeyRecord | None = None,
        rewrapped: Sequence[KeyReplacement] = (),
        other: Loaded | None = None,
    ) -> list[StoredEvent]:
        """Append ``new`` events, sealed, the index row if changed and a new key, at once.

        ``other`` is a second, loaded case whose new events go into the same commit.
        Returns the rows stored, those of ``case`` first.
        An event stored with its purpose is the audit entry of the write. Free text on
        an advice request or an initiative's activity is checked first
        (:func:`~ssp_core.domain.advice.check_unnamed_events`).
        """
        parts = [(case, engine, new, cipher, before)]
        if other is not None:
            parts.append((other.case, other.engine, other.new_events, other.cipher, other.before))
        events, rows = [], []
        for each, each_engine, each_new, each_cipher, each_before in parts:
            definition = each_engine.definition
            guidance = _NAMING_NO_ONE.get(definition.kind)
            if guidance is not None:
                automatic = [fact.id for fact in definition.facts if fact.automatic]
                check_unnamed_events(each_new, guidance, automatic)
            events += [self.codec.encode(e, purpose=purpose, key=each_cipher) for e in each_new]
            row = case_row(each, each_engine.definition.final_states)
            rows += [] if row == each_before else [row]
        # Every case here but one being opened is stored already, its events sealed
        # under its key row: the commit goes in only if that row is still there.
        keyed = [each.id for each, *_ in parts[1 if key_record is not None else 0 :]]
        self.store.append(
            Commit(
                events=events,
                cases=rows,
                keys=() if key_record is None else (key_record,),
                rewrapped=rewrapped,
                keyed=keyed,
            )
        )
        if _log.isEnabledFor(logging.DEBUG):  # ids and event kinds only: never their data
            for each, _engine, each_new, _x, _y in parts:
                kinds = ", ".join(type(event).__name__ for event in each_new)
                _log.debug("case %s: stored %s (version %d)", each.id, kinds, each.version)
        if announce:
            for each, each_engine, each_new, _x, _y in parts:
                self.announce(each_engine, each, each_new)
        return events
