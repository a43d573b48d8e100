"""Rotating a municipality's key: a new key, and every data key of its cases re-wrapped under it.

A rotation makes a new key for the municipality (carrying its pseudonym key, so
people keep their pseudonyms), keeps the old one as a retired key in the key folder,
and re-wraps the data key of each of its cases from the key its row names to the new
one, in batches: each batch replaces its key rows in one transaction with an audit
entry per case (:meth:`~ssp_core.store.base.CaseStore.replace_keys`). The data keys
do not change, so no event is touched and no other municipality's row is read or
written. A crash between batches leaves every case readable under the key its row
names (the new one, or the retired one); ``resume`` finishes the work. Vault entries
of the municipality's people wrapped under its retired key are re-wrapped too. Once
nothing names the retired key, its file can be deleted (and with it, what it could
still open).

Only a role granted ``key.rotate`` for the municipality may rotate its key.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import attrs

from ssp_core.application.keys import install_rotated_key, rotation_lock
from ssp_core.application.services import Services
from ssp_core.domain.access import ADMINISTRATION
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ConfigError, UnknownId
from ssp_core.i18n import _
from ssp_core.privacy.access import Where
from ssp_core.privacy.keys import KEY_DIR_ENV, MunicipalKey
from ssp_core.store.records import AuditAction, CaseQuery, KeyRecord, KeyReplacement

__all__ = ["KeyRotation", "RotationReport"]


@attrs.frozen
class RotationReport:
    """What a rotation did: the municipality, its keys by fingerprint, and what it re-wrapped.

    ``old`` is the key rotated away from (``None`` when an unfinished rotation was
    resumed); ``retired_file`` is where the old own key is kept (``None``: it was the
    default key, which stays). ``rewrapped``: case keys re-wrapped now; ``identities``:
    vault entries re-wrapped; ``left``: case keys still under another key (0 when done).
    """

    municipality: str
    old: str | None
    new: str
    rewrapped: int
    identities: int
    left: int
    key_file: Path | None = None
    retired_file: Path | None = None


class KeyRotation:
    """The use case of rotating a municipality's key."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def pending(self, municipality: str) -> list[KeyRecord]:
        """Return the key rows of ``municipality``'s cases not wrapped under its current key."""
        services = self._services
        current = services.keyring.key_for(municipality).fingerprint
        walls = services.policy.walls
        ids = [
            row.case_id
            for row in services.store.find_cases(CaseQuery())
            if walls.municipality(row.workflow, row.municipality) == municipality
        ]
        rows = services.store.read_keys(ids)
        return [record for record in rows.values() if record.key_id != current]

    def rotate(
        self,
        actor: Actor,
        municipality: str,
        *,
        key_dir: str | os.PathLike[str] | None,
        resume: bool = False,
        batch: int = 200,
        progress: Callable[[int, int], None] | None = None,
        purpose: str = ADMINISTRATION,
    ) -> RotationReport:
        """Rotate ``municipality``'s key, or (``resume``) finish a rotation a crash cut short.

        Checks, before anything is written: the municipality is registered; the
        actor's role is granted ``key.rotate`` for it (a refusal is audited); it has a
        key (its own, or the default); the key folder is named; no earlier rotation is
        unfinished (then ``resume`` is needed), or with ``resume`` that one is. Then
        the new key is written (the old own key kept in ``retired/``) and used, and the
        case keys are re-wrapped ``batch`` at a time, each batch in one transaction;
        ``progress(done, total)`` is called after each.

        :raises UnknownId: the municipality is not registered.
        :raises AccessDenied: the role may not rotate its key.
        :raises ConfigError: no key, no key folder, an unfinished rotation, or nothing
            to resume.
        """
        services = self._services
        registry, gate, keyring = services.registry, services.gate, services.keyring
        if municipality not in registry.municipalities:
            raise UnknownId("municipality", municipality, list(registry.municipalities))
        gate.authorise(actor, "key.rotate", purpose, where=Where(municipality))
        current = keyring.key_for(municipality)
        if key_dir is None:
            raise ConfigError(
                _(
                    "name the key folder for municipality {municipality}'s new key with "
                    "--key-dir DIR or {variable}"
                ).format(municipality=repr(municipality), variable=KEY_DIR_ENV)
            )
        self._check(municipality, current, resume=resume)  # before the lock file is made
        with rotation_lock(key_dir, municipality):
            pending = self._check(municipality, current, resume=resume)
            if resume:
                return self._rewrap(actor, municipality, pending, None, batch, progress, purpose)
            keys = keyring.keys
            old_own = keys.own.get(municipality)
            new = current.successor()
            key_file, retired_file = install_rotated_key(key_dir, municipality, old_own, new)
            keyring.adopt(keys.rotated(municipality, new))
            services.store.seal_under(
                municipality,
                new.fingerprint,
                services.clock.now(),
                replacing=(current.fingerprint,),
            )
            source = "its own key" if old_own is not None else "the default key"
            gate.audit(
                actor,
                purpose,
                AuditAction.ADMIN,
                None,
                f"municipality {municipality}'s key rotated from {source} {current.fingerprint} "
                f"to {new.fingerprint}",
            )
            pending = self.pending(municipality)  # every row: none is under the new key yet
            report = self._rewrap(actor, municipality, pending, current, batch, progress, purpose)
            return attrs.evolve(report, key_file=key_file, retired_file=retired_file)

    def _check(self, municipality: str, current: MunicipalKey, *, resume: bool) -> list[KeyRecord]:
        """Return the pending key rows; refuse resuming nothing, or rotating anew mid-way."""
        pending = self.pending(municipality)
        if resume and not pending:
            raise ConfigError(
                _(
                    "municipality {municipality} has no rotation to resume: every key of its "
                    "cases is wrapped under its key {fingerprint}"
                ).format(municipality=repr(municipality), fingerprint=current.fingerprint)
            )
        if not resume and any(record.key_id is not None for record in pending):
            raise ConfigError(
                _(
                    "an earlier rotation of municipality {municipality}'s key is unfinished: "
                    "{n} case key(s) are not under its key {fingerprint} yet; finish it first "
                    "with {command}"
                ).format(
                    municipality=repr(municipality),
                    n=len(pending),
                    fingerprint=current.fingerprint,
                    command=f"`ssp key rotate --municipality {municipality} --resume`",
                )
            )
        return pending

    def _rewrap(  # noqa: PLR0917 (one rotation's parts)
        self,
        actor: Actor,
        municipality: str,
        pending: list[KeyRecord],
        old: MunicipalKey | None,
        batch: int,
        progress: Callable[[int, int], None] | None,
        purpose: str,
    ) -> RotationReport:
        """Re-wrap the pending case keys under the municipality's key, batch by batch."""
        services = self._services
        store, keyring, gate = services.store, services.keyring, services.gate
        new = keyring.key_for(municipality)
        pending = sorted(pending, key=lambda record: record.case_id)
        for start in range(0, len(pending), max(batch, 1)):
            chunk = pending[start : start + max(batch, 1)]
            at = services.clock.now()
            changes = [
                KeyReplacement(
                    record, keyring.rewrap_case_key(record, new, municipality=municipality)
                )
                for record in chunk
            ]
            audit = [
                gate.entry(
                    actor,
                    purpose,
                    AuditAction.REWRAP,
                    record.case_id,
                    f"data key re-wrapped from key {record.key_id or '(none named)'} to key "
                    f"{new.fingerprint}",
                    at,
                )
                for record in chunk
            ]
            store.replace_keys(changes, audit)
            if progress is not None:
                progress(start + len(chunk), len(pending))
        identities = self._rewrap_identities(actor, municipality, new, purpose)
        left = len(self.pending(municipality))
        gate.audit(
            actor,
            purpose,
            AuditAction.ADMIN,
            None,
            f"municipality {municipality}'s case keys re-wrapped to key {new.fingerprint}: "
            f"{len(pending)} case key(s), {identities} vault entr(ies); {left} left",
        )
        return RotationReport(
            municipality,
            old.fingerprint if old is not None else None,
            new.fingerprint,
            len(pending),
            identities,
            left,
        )

    def _rewrap_identities(
        self, actor: Actor, municipality: str, new: MunicipalKey, purpose: str
    ) -> int:
        """Re-wrap the vault entries of the municipality's people still under a retired key.

        The people are the subjects of its cases' key rows. An entry opened by a key
        other than the municipality's retired ones (the default key, which another
        municipality may share an entry under) is left as it is. Each entry is replaced
        in its own transaction, with its audit entry; the sealed identity is unchanged.
        """
        services = self._services
        store, keyring, gate = services.store, services.keyring, services.gate
        retired = {key.fingerprint for key in keyring.keys.retired_of(municipality)}
        if not retired:
            return 0
        walls = services.policy.walls
        ids = [
            row.case_id
            for row in store.find_cases(CaseQuery())
            if walls.municipality(row.workflow, row.municipality) == municipality
        ]
        people = sorted({r.subject for r in store.read_keys(ids).values() if r.subject})
        done = 0
        for person in people:
            record = store.read_identity(person)
            if record is None:
                continue
            opened_by = keyring.vault_key_id(person, record.wrapped, municipality=municipality)
            if opened_by not in retired:
                continue
            wrapped = keyring.rewrap_vault_key(
                person, record.wrapped, new, municipality=municipality
            )
            entry = gate.entry(
                actor,
                purpose,
                AuditAction.REWRAP,
                None,
                f"identity vault entry re-wrapped from key {opened_by} to key {new.fingerprint}",
            )
            store.put_identity(attrs.evolve(record, wrapped=wrapped), [entry])
            done += 1
        return done
