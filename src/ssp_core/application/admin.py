"""Administering the store: its schema (info, upgrade), sealing old histories, the audit log.

An upgrade (:func:`upgrade_store_at`) applies the schema migrations a store lacks and
gives old index rows their municipality; :func:`plan_upgrade` says what it would do,
and which ids that plugins renamed the store's history still holds (they are never
rewritten: history is append-only, and is read with the new ids).

Every use case here needs a grant for its operation (``store.upgrade``,
``store.seal``, ``audit.read``) and is audited in the store, except
:func:`describe_store`, which reads only the schema version and counts, and the
refusal of :func:`upgrade_store_at`: a store too old to open cannot be written
before it is upgraded, so that permission is checked before the store is opened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import attrs
import orjson

from ssp_core.application.gate import Gate, first_shown
from ssp_core.application.services import Services
from ssp_core.clock import Clock, SystemClock
from ssp_core.domain.access import ADMINISTRATION
from ssp_core.domain.people import Subject
from ssp_core.domain.renames import EVENT_ID_FIELDS, IdRenames
from ssp_core.domain.roles import Actor
from ssp_core.domain.validators import check_case_id
from ssp_core.exceptions import AccessDenied, SchemaError, StoreUnavailable, UnknownId
from ssp_core.i18n import _, current_language, language
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.access import AccessPolicy
from ssp_core.progress import Progress
from ssp_core.store.base import SCHEMA_VERSION, CaseStore
from ssp_core.store.records import AuditAction, AuditEntry, AuditQuery, CaseQuery
from ssp_core.store.url import open_store, redact

__all__ = [
    "RenamedUse",
    "StoreAdministration",
    "StoreInfo",
    "StoreUpgrade",
    "UpgradePlan",
    "backfill_municipalities",
    "count_renamed",
    "describe_store",
    "plan_upgrade",
    "upgrade_store_at",
]

LOG_BATCH = 5000
"""How many stored events one read of :func:`count_renamed` asks for."""


@attrs.frozen
class StoreInfo:
    """A store's URL (without its password), schema version, and how many cases and events."""

    url: str
    schema_version: int
    library_schema_version: int
    cases: int
    events: int


@attrs.frozen
class StoreUpgrade:
    """What an upgrade did: the store (URL without password), its schema now, if it changed."""

    url: str
    schema_version: int
    upgraded: bool


@attrs.frozen
class RenamedUse:
    """One renamed id that a store's history holds: in how many events and audit entries.

    The events and entries keep the old id; they are read with the new one.
    """

    kind: str
    old: str
    new: str
    events: int
    audit_entries: int


@attrs.frozen
class UpgradePlan:
    """What ``ssp store upgrade`` would do to a store; nothing is changed by making it.

    ``schema_version`` is ``None`` for a store older than the library's: such a
    store cannot be read before its migrations run, so the counts are ``None`` too
    and ``note`` says why; run the dry run again after the upgrade.
    """

    url: str
    schema_version: int | None
    library_schema_version: int
    cases_without_municipality: int | None
    renamed: tuple[RenamedUse, ...] | None
    note: str | None = None


def describe_store(url: str) -> StoreInfo:
    """Open the store at ``url`` and return its :class:`StoreInfo` (nothing personal is read)."""
    with open_store(url, create=False) as opened:
        return StoreInfo(
            url=redact(url),
            schema_version=opened.schema_version(),
            library_schema_version=SCHEMA_VERSION,
            cases=opened.count_cases(),
            events=opened.max_position(),
        )


def backfill_municipalities(store: CaseStore, registry: Registry) -> int:
    """Give the index rows of histories written before 0.2 their workflow's municipality.

    Schema 3 added the case index's ``municipality`` column; rows written before it
    hold none. Only the registry knows whose each workflow is, so the upgrade fills
    them here, workflow by workflow (rows with a municipality are left alone). Rows of
    a shared workflow (the core's safety walks) take the only municipality of a
    deployment of one; with several they stay without one (whose they are cannot be
    told from the index). Returns how many rows were filled.
    """
    filled = 0
    only = registry.only_municipality()
    for definition in registry.latest_workflows():
        home = registry.workflow_home(definition.id) or only
        if home is not None:
            filled += store.set_municipality(definition.id, home)
    return filled


def _fillable(store: CaseStore, registry: Registry) -> int:
    """Count the index rows :func:`backfill_municipalities` would fill."""
    only = registry.only_municipality()
    return sum(
        1
        for definition in registry.latest_workflows()
        if (registry.workflow_home(definition.id) or only) is not None
        for row in store.find_cases(CaseQuery(workflow=definition.id))
        if row.municipality is None
    )


def count_renamed(store: CaseStore, renames: IdRenames) -> tuple[RenamedUse, ...]:
    """Count, per renamed id, the stored events and audit entries that hold the old id.

    Reads the whole log in batches (the readable columns and fields only: a renamed
    id is never sealed); returns the renames that are in use, by kind and old id.
    """
    if not renames:
        return ()
    events: dict[tuple[str, str], int] = {}
    roles = renames.of("role")
    after = 0
    while batch := store.read_log(after, LOG_BATCH):
        for stored in batch:
            if stored.role in roles:
                events[("role", stored.role)] = events.get(("role", stored.role), 0) + 1
            fields = EVENT_ID_FIELDS.get(stored.topic)
            if fields:
                data: dict[str, Any] = orjson.loads(stored.data)
                for name, kind in fields.items():
                    value = data.get(name)
                    if isinstance(value, str) and value in renames.of(kind):
                        events[(kind, value)] = events.get((kind, value), 0) + 1
        last = batch[-1].position
        if last is None:  # a store gives every stored event its position
            break
        after = last
    entries: dict[tuple[str, str], int] = {}
    for entry in store.read_audit(AuditQuery()):
        if entry.action is not AuditAction.WRITE and entry.role in roles:
            entries[("role", entry.role)] = entries.get(("role", entry.role), 0) + 1
    return tuple(
        RenamedUse(kind, old, renames.new_id(kind, old), events.get(key, 0), entries.get(key, 0))
        for key in sorted({*events, *entries})
        for kind, old in [key]
    )


def _older_schema(url: str, refused: SchemaError) -> bool:
    """Tell whether ``refused`` says the store's schema is older than this library's.

    The message is read in English (where the language is another, the store is
    opened again in English to read it).
    """
    if current_language() == "en":
        return "older than this library" in str(refused)
    with language("en"):
        try:
            with open_store(url, create=False):
                return False
        except SchemaError as english:
            return "older than this library" in str(english)


def plan_upgrade(
    url: str,
    actor: Actor,
    *,
    registry: Registry,
    clock: Clock | None = None,
    purpose: str = ADMINISTRATION,
) -> UpgradePlan:
    """Say what :func:`upgrade_store_at` would do to the store at ``url``, changing nothing.

    The actor's role needs ``store.upgrade``, as for the upgrade itself. The plan of
    a current store is audited there (as reading it); an older store is not opened.
    """
    policy = AccessPolicy.of(registry)
    _check_upgrade(policy, url, actor, purpose, None)
    try:
        opened = open_store(url, create=False)
    except SchemaError as exc:
        if not _older_schema(url, exc):
            raise
        return UpgradePlan(
            redact(url),
            None,
            SCHEMA_VERSION,
            None,
            None,
            note=_("{error}; then plan again").format(error=exc),
        )
    with opened:
        plan = UpgradePlan(
            url=redact(url),
            schema_version=opened.schema_version(),
            library_schema_version=SCHEMA_VERSION,
            cases_without_municipality=_fillable(opened, registry),
            renamed=count_renamed(opened, registry.id_renames),
        )
        gate = Gate(policy, opened, clock or SystemClock())
        gate.audit(actor, purpose, AuditAction.ADMIN, None, "planned a store upgrade (dry run)")
    return plan


def _upgraded(gate: Gate, actor: Actor, purpose: str, *, changed: bool, filled: int = 0) -> int:
    """Audit an upgrade of ``gate``'s store and return its schema version now."""
    version = gate.store.schema_version()
    detail = f"store upgraded to schema version {version}" if changed else "store current"
    if filled:
        detail += f"; municipality set on {filled} case(s) written before it was kept"
    gate.audit(actor, purpose, AuditAction.ADMIN, None, detail)
    return version


def _check_upgrade(
    policy: AccessPolicy, url: str, actor: Actor, purpose: str, clock: Clock | None
) -> None:
    """Check ``store.upgrade`` before the store is opened; audit a refusal where it can be.

    A store at the current schema gets the refusal in its audit log; one too old to
    open (or none) cannot take it, and the refusal is only raised.
    """
    try:
        policy.check(actor, "store.upgrade", purpose=purpose)
    except (AccessDenied, UnknownId) as refused:
        what = (
            refused.permission if isinstance(refused, AccessDenied) else f"unknown {refused.kind}"
        )
        with (
            contextlib.suppress(SchemaError, StoreUnavailable),
            open_store(url, create=False) as opened,
        ):
            Gate(policy, opened, clock or SystemClock()).audit(
                actor, purpose, AuditAction.DENIED, None, f"store.upgrade: {what}"
            )
        raise


def upgrade_store_at(
    url: str,
    actor: Actor,
    *,
    registry: Registry,
    clock: Clock | None = None,
    purpose: str = ADMINISTRATION,
    progress: Progress | None = None,
) -> StoreUpgrade:
    """Apply the schema migrations the store at ``url`` lacks, also one too old to open.

    Index rows of histories written before 0.2 then get their workflow's
    municipality (:func:`backfill_municipalities`). The actor's role needs
    ``store.upgrade``. The check comes before the store is
    opened, so a refusal changes nothing (and cannot be audited in a store that is
    not upgraded yet); an upgrade is audited. A current store is left alone.
    ``progress(done, total)`` follows the migrations applied.
    """
    policy = AccessPolicy.of(registry)
    _check_upgrade(policy, url, actor, purpose, clock)
    try:
        with open_store(url, create=False) as current:
            version = current.schema_version()
    except SchemaError:
        pass  # older (upgraded below); foreign, corrupt or newer (refused again below)
    else:
        return StoreUpgrade(redact(url), version, upgraded=False)
    with open_store(url, upgrade=True, create=False, progress=progress) as opened:
        opened.upgrade()
        filled = backfill_municipalities(opened, registry)
        gate = Gate(policy, opened, clock or SystemClock())
        version = _upgraded(gate, actor, purpose, changed=True, filled=filled)
    return StoreUpgrade(redact(url), version, upgraded=True)


class StoreAdministration:
    """The administrative use cases on an open store."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def _store(self) -> CaseStore:
        return self._services.store

    def upgrade_store(self, actor: Actor, *, purpose: str = ADMINISTRATION) -> tuple[int, ...]:
        """Apply the schema migrations the store lacks; return the versions applied (audited).

        A store too old to open needs :func:`upgrade_store_at` instead (as
        ``ssp store upgrade`` does).
        """
        gate = self._services.gate
        gate.authorise(actor, "store.upgrade", purpose)
        applied = self._store.upgrade()
        filled = backfill_municipalities(self._store, self._services.registry)
        _upgraded(gate, actor, purpose, changed=bool(applied), filled=filled)
        return applied

    def seal_unsealed(
        self,
        actor: Actor,
        *,
        purpose: str = ADMINISTRATION,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Seal the histories a schema-1 store wrote before sealing existed; return their ids.

        Each such case gets its data key and its events' personal fields are sealed,
        in one transaction per case (the one sanctioned rewrite of stored events; the
        event's content is unchanged). Erased cases are left as they are. Audited.
        """
        services = self._services
        gate, store, codec = services.gate, self._store, services.codec
        gate.authorise(actor, "store.seal", purpose)
        ids = [row.case_id for row in store.find_cases(CaseQuery())]
        keyed = store.read_keys(ids)
        todo = [case_id for case_id in ids if case_id not in keyed]
        done: list[str] = []
        for count, case_id in enumerate(todo, 1):
            rows = store.read_case(case_id)
            if any(codec.is_sealed(row) for row in rows) or any(
                entry.action is AuditAction.ERASE
                for entry in store.read_audit(AuditQuery(case_id=case_id))
            ):
                continue  # erased: its key is gone on purpose
            case = codec.replay(rows)
            person = case.subject.pseudonym if isinstance(case.subject, Subject) else None
            at = services.clock.now()
            where = services.repository.municipality_of(rows)
            services.repository.check_sealing_key(where)
            data_key, record = services.keyring.new_case_key(
                case_id, person, at, municipality=where
            )
            cipher = codec.cipher(data_key)
            updates = [
                (row.case_id, row.version, codec.encode(event, key=cipher).data)
                for row, event in zip(rows, case.events, strict=True)
            ]
            entry = gate.entry(
                actor, purpose, AuditAction.ADMIN, case_id, "sealed an unsealed history", at
            )
            store.rewrite_event_data(updates, [record], [entry])
            done.append(case_id)
            if progress is not None:
                progress(count, len(todo))
        gate.audit(actor, purpose, AuditAction.ADMIN, None, f"sealed {len(done)} histories")
        return done

    def audit_log(
        self, actor: Actor, query: AuditQuery | None = None, *, purpose: str
    ) -> list[AuditEntry]:
        """Return audit entries (by case, actor or period); reading the log is audited too.

        A role limited by its grants sees the entries about the cases it may see; of
        the entries about no case (searches, refusals, administration), those of
        staff acting for a municipality within its reach (and none if it is limited to
        some workflows or to its own cases).
        """
        gate = self._services.gate
        permit = gate.authorise(actor, "audit.read", purpose)
        query = query or AuditQuery()
        if query.case_id is not None and not self._store.read_case(check_case_id(query.case_id)):
            # An id no case has is refused before anything keeps it (it may be anything typed).
            self._services.repository.refuse_unknown(actor, "audit.read", purpose, query.case_id)
        renamed = self._services.registry.id_renames.of("role")
        visible = gate.case_filter(actor, "audit.read", purpose, permit)
        staff = gate.staff_filter(actor, "audit.read", purpose, permit)

        def shown(entries: list[AuditEntry]) -> list[AuditEntry]:
            if renamed:  # entries written before a plugin renamed its roles: the new ids
                entries = [
                    attrs.evolve(e, role=renamed[e.role]) if e.role in renamed else e
                    for e in entries
                ]
            if visible is None:
                return entries
            return [
                entry
                for entry in entries
                if (visible(entry.case_id) if entry.case_id is not None else staff(entry.role))
            ]

        # The log's order is total (time, then kind, then id), as first_shown needs.
        entries = first_shown(
            lambda asked: self._store.read_audit(attrs.evolve(query, limit=asked)),
            shown,
            query.limit,
        )
        gate.audit(actor, purpose, AuditAction.ADMIN, query.case_id, "read the audit log")
        return entries
