"""Turning case events into stored rows and back: a JSON payload per event, by topic.

Given a case's data key, the codec seals the personal fields of each event
(:data:`ssp_core.domain.fields.SEALED_FIELDS`) into one envelope bound to the
event's case, version and type, with the cipher it was given (by default
:class:`ssp_core.cipher.AesGcmCipher`, AES-256-GCM; one cipher per case key); the
other fields stay readable JSON. On reading, a field is opened only for the field
groups the reader may see; others read as ``[withheld]``, and all of them as
``[erased]`` once the key is destroyed.

The common stamp of an event (case, version, time, actor, role) goes in columns of
its own; the rest of its fields are the JSON ``data`` (written and read with
orjson, several times faster than the standard library's json on these small
documents). A topic names the event type
(its class name); decoding an unknown topic is a clear error, never a guess. The
structuring is done by cattrs with functions generated once per event type.

Histories keep the ids they were written with. A codec given the renames in force
(:class:`~ssp_core.domain.renames.IdRenames`) reads old ids as their new ones: the
event's role and the id fields of :data:`~ssp_core.domain.renames.EVENT_ID_FIELDS`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import Any

import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from ssp_core.cipher import AesGcmCipher, Cipher, CipherFactory
from ssp_core.domain import events as ev
from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.events import CaseEvent
from ssp_core.domain.fields import PERSON_FIELDS, SEALED_FIELDS
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import CaseSubject, Environment, Group, Subject, Unnamed
from ssp_core.domain.redaction import ERASED, WITHHELD, Redacted, RedactedPerson
from ssp_core.domain.renames import IdRenames
from ssp_core.exceptions import DataError, SchemaError, SealError
from ssp_core.store.base import utc
from ssp_core.store.records import StoredEvent

__all__ = ["EVENT_TYPES", "EventCodec", "codec"]

EVENT_TYPES: dict[str, type[CaseEvent]] = {
    cls.__name__: cls
    for cls in (
        ev.CaseOpened,
        ev.Transitioned,
        ev.FactRecorded,
        ev.ObservationRecorded,
        ev.NoteAdded,
        ev.Assigned,
        ev.MovedToMunicipality,
        ev.SessionRecorded,
        ev.CaseSuspended,
        ev.CaseResumed,
        ev.DeadlineExtended,
        ev.DeadlineMissed,
        ev.WorkflowMigrated,
        ev.ComingOfAgeAnnounced,
        ev.Disclosure,
        ev.ConsentGiven,
        ev.ConsentWithdrawn,
        ev.WalkPlanned,
        ev.FindingRecorded,
        ev.FindingAssigned,
        ev.AdviceRequested,
        ev.OpenedFromAdvice,
        ev.ResourceObserved,
        ev.ActivityLogged,
    )
}
"""Every event type a store can hold, by topic."""

_STAMP = ("case_id", "version", "at", "actor", "role")
_SUBJECTS: dict[str, type[Subject | Group | Environment | Unnamed]] = {
    "person": Subject,
    "group": Group,
    "environment": Environment,
    "unnamed": Unnamed,
}


def _structure_datetime(value: dt.datetime | str, _type: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _structure_dues(value: list[dict[str, Any]], _type: object) -> tuple[DueDate, ...]:
    return tuple(
        DueDate(item["rule"], dt.date.fromisoformat(item["due"]), item.get("missed", False))
        for item in value
    )


def _make_converter() -> cattrs.Converter:
    # Stored events were validated when they were made; decoding trusts their shape, and
    # any mismatch still fails (and is reported as a SchemaError by the codec).
    converter = cattrs.Converter(detailed_validation=False)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook(dt.date, lambda value, _: dt.date.fromisoformat(value))
    converter.register_structure_hook(dt.datetime, _structure_datetime)
    converter.register_structure_hook_func(lambda t: t == tuple[DueDate, ...], _structure_dues)
    converter.register_unstructure_hook(Labels, lambda labels: {"da": labels.da, "en": labels.en})

    plain = {cls: make_dict_unstructure_fn(cls, converter) for cls in _SUBJECTS.values()}

    def unstructure_subject(subject: CaseSubject) -> dict[str, Any]:
        data: dict[str, Any] = plain[type(subject)](subject)
        data["kind"] = subject.kind.value
        return data

    made = {kind: (cls, make_dict_structure_fn(cls, converter)) for kind, cls in _SUBJECTS.items()}

    def structure_subject(value: dict[str, Any], _type: object) -> CaseSubject:
        cls, structure = made[value["kind"]]  # the generated function ignores "kind"
        return structure(value, cls)

    def structure_stored_subject(
        value: dict[str, Any], _type: object
    ) -> CaseSubject | RedactedPerson:
        if value["kind"] == _REDACTED:
            return RedactedPerson(value.get("age"), Redacted(value["redaction"]))
        return structure_subject(value, _type)

    def unstructure_redacted(subject: RedactedPerson) -> dict[str, Any]:
        return {"kind": subject.kind.value, "age": subject.age, "redaction": str(subject.redaction)}

    converter.register_unstructure_hook(CaseSubject, unstructure_subject)
    converter.register_structure_hook(CaseSubject, structure_subject)
    converter.register_structure_hook(CaseSubject | RedactedPerson, structure_stored_subject)
    converter.register_unstructure_hook(
        CaseSubject | RedactedPerson,
        lambda subject: (
            unstructure_redacted(subject)
            if isinstance(subject, RedactedPerson)
            else unstructure_subject(subject)
        ),
    )
    converter.register_unstructure_hook(RedactedPerson, unstructure_redacted)
    for cls in (Subject, Group, Environment, Unnamed):
        converter.register_unstructure_hook(cls, unstructure_subject)
    return converter


_REDACTED = "redacted"
_PATH_GROUPS = {
    topic: {**fields, **(PERSON_FIELDS if topic == "CaseOpened" else {})}
    for topic, fields in SEALED_FIELDS.items()
}
_SEALED = "sealed"


def _context(stored_case: str, version: int, topic: str) -> bytes:
    return f"{stored_case}\x1f{version}\x1f{topic}".encode()


def _take(data: dict[str, Any], path: str) -> Any:
    head, _, tail = path.partition(".")
    if not tail:
        return data.pop(head, None)
    inner = data.get(head)
    return inner.pop(tail, None) if isinstance(inner, dict) else None


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    head, _, tail = path.partition(".")
    if not tail:
        data[head] = value
    elif isinstance(data.get(head), dict):
        data[head][tail] = value


def _placeholder(path: str, redaction: Redacted) -> str:
    # A worry sign's id must stay an identifier: "withheld" / "erased".
    return redaction.strip("[]") if path == "observation.sign" else redaction


def _withhold_plain(topic: str, data: dict[str, Any], readable: Collection[str]) -> None:
    """Withhold the personal fields of an event written unsealed (before schema 2)."""
    for path, group in SEALED_FIELDS.get(topic, {}).items():
        if group not in readable and _take(data, path) is not None:
            _put(data, path, _placeholder(path, WITHHELD))
        elif group not in readable:
            _put(data, path, None)
    subject = data.get("subject") if topic == "CaseOpened" else None
    if isinstance(subject, dict) and subject.get("kind") == "person" and "subject" not in readable:
        data["subject"] = {"kind": _REDACTED, "age": None, "redaction": str(WITHHELD)}


def _redact(
    data: dict[str, Any],
    fields: list[str],
    shown: list[str],
    secret: dict[str, Any],
    redaction: Redacted,
) -> None:
    """Put the opened fields back, and a placeholder for each field not shown."""
    person = False
    for path in fields:
        if path in PERSON_FIELDS:
            person = True
            if path in shown:
                _put(data, path, secret[path])
        else:
            _put(data, path, secret[path] if path in shown else _placeholder(path, redaction))
    if person and "subject.pseudonym" not in shown:
        data["subject"] = {
            "kind": _REDACTED,
            "age": data["subject"].get("age"),
            "redaction": str(redaction),
        }


class EventCodec:
    """Encodes events to :class:`StoredEvent` rows and decodes them again.

    Personal fields are sealed with the cipher ``cipher`` makes of a case's data key
    (:class:`~ssp_core.cipher.AesGcmCipher` unless another is given). Old ids are
    read as the new ids of ``renames``.
    """

    def __init__(
        self,
        types: dict[str, type[CaseEvent]] | None = None,
        *,
        cipher: CipherFactory = AesGcmCipher,
        renames: IdRenames | None = None,
    ) -> None:
        self.types = dict(types or EVENT_TYPES)
        self.cipher: CipherFactory = cipher
        """Makes the cipher of a case's data key."""
        self.renames = renames or IdRenames()
        """The renamed ids an old history is read through."""
        self._roles = self.renames.of("role")
        self._classes = frozenset(self.types.values())
        self._converter = _make_converter()
        # The functions of each event type are generated on its first use (cattrs
        # compiles them), so a process that reads a few types does not pay for all.
        self._structure: dict[str, Callable[[dict[str, Any]], CaseEvent]] = {}
        self._unstructure: dict[type[CaseEvent], Callable[[CaseEvent], dict[str, Any]]] = {}

    def _structurer(self, topic: str) -> Callable[[dict[str, Any]], CaseEvent] | None:
        cls = self.types.get(topic)
        if cls is None:
            return None
        hook = self._converter.get_structure_hook(cls)
        made = self._structure[topic] = lambda data: hook(data, cls)
        return made

    def _unstructurer(self, cls: type[CaseEvent]) -> Callable[[CaseEvent], dict[str, Any]] | None:
        if cls not in self._classes:
            return None
        made = self._unstructure[cls] = self._converter.get_unstructure_hook(cls)
        return made

    def encode(
        self,
        event: CaseEvent,
        *,
        purpose: str | None = None,
        key: bytes | Cipher | None = None,
    ) -> StoredEvent:
        """Return the stored row of ``event``, written for ``purpose`` (its audit entry).

        With the case's data ``key`` (or its cipher) the personal fields are sealed;
        without it they are written as they are (only for tests, benchmarks and records
        that never reach a store: :class:`~ssp_core.application.casework.Casework` always seals).
        """
        cls = type(event)
        unstructure = self._unstructure.get(cls) or self._unstructurer(cls)
        if unstructure is None:
            raise DataError(f"a store cannot hold a {cls.__name__} event")
        data = unstructure(event)
        for name in _STAMP:
            del data[name]
        if key is not None:
            self._seal(event, cls.__name__, data, key)
        return StoredEvent(
            case_id=event.case_id,
            version=event.version,
            topic=cls.__name__,
            at=utc(event.at),
            actor=event.actor,
            role=event.role,
            data=orjson.dumps(data).decode(),
            purpose=purpose,
        )

    def _seal(
        self, event: CaseEvent, topic: str, data: dict[str, Any], key: bytes | Cipher
    ) -> None:
        secret: dict[str, Any] = {}
        paths = dict(SEALED_FIELDS.get(topic, {}))
        if isinstance(event, ev.CaseOpened) and isinstance(event.subject, Subject):
            paths.update(PERSON_FIELDS)
            data["subject"]["age"] = event.age_at_concern
        for path in paths:
            value = _take(data, path)
            if value is not None:
                secret[path] = value
        if secret:
            cipher = self.cipher(key) if isinstance(key, bytes) else key
            sealed = cipher.encrypt(
                orjson.dumps(secret), _context(event.case_id, event.version, topic)
            )
            data[_SEALED] = {"f": list(secret), "v": base64.b64encode(sealed).decode()}

    def decode(
        self,
        stored: StoredEvent,
        *,
        key: bytes | Cipher | None = None,
        readable: Collection[str] | None = None,
        erased: bool = False,
    ) -> CaseEvent:
        """Return the event a stored row holds.

        Sealed fields are opened with the case's data ``key`` (or its cipher, made once
        for all the events of the case) for the field groups in
        ``readable`` (all if ``None``); the rest read as ``[withheld]``, or as
        ``[erased]`` if ``erased`` (the case's key was destroyed).
        """
        structure = self._structure.get(stored.topic) or self._structurer(stored.topic)
        if structure is None:
            raise SchemaError(
                f"event {stored.version} of case {stored.case_id} has unknown type "
                f"{stored.topic!r}; this library knows: {', '.join(sorted(self.types))}"
            )
        data = orjson.loads(stored.data)
        envelope = data.pop(_SEALED, None)
        if envelope is not None:
            self._open(stored, data, envelope, key, readable, erased=erased)
        elif readable is not None:
            _withhold_plain(stored.topic, data, readable)
        data["case_id"] = stored.case_id
        data["version"] = stored.version
        data["at"] = stored.at
        data["actor"] = stored.actor
        data["role"] = self._roles.get(stored.role, stored.role)
        if self.renames:
            self.renames.upcast(stored.topic, data)
        try:
            return structure(data)
        except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
            raise SchemaError(
                f"event {stored.version} of case {stored.case_id} ({stored.topic}) cannot be "
                f"read: {type(exc).__name__}"
            ) from None

    def _open(
        self,
        stored: StoredEvent,
        data: dict[str, Any],
        envelope: dict[str, Any],
        key: bytes | Cipher | None,
        readable: Collection[str] | None,
        *,
        erased: bool,
    ) -> None:
        fields: list[str] = envelope["f"]
        if readable is None:
            shown = fields
        else:
            groups = _PATH_GROUPS.get(stored.topic, PERSON_FIELDS)
            shown = [path for path in fields if groups.get(path) in readable]
        if shown and key is not None and not erased:
            cipher = self.cipher(key) if isinstance(key, bytes) else key
            try:
                plain = cipher.decrypt(
                    base64.b64decode(envelope["v"]),
                    _context(stored.case_id, stored.version, stored.topic),
                )
            except (SealError, binascii.Error):  # another key, or a damaged envelope
                raise SealError(
                    f"event {stored.version} of case {stored.case_id} cannot be opened with "
                    "the case's data key: the data was altered or moved"
                ) from None
            secret: dict[str, Any] = orjson.loads(plain)
            if shown is fields:
                for path, value in secret.items():
                    if path in PERSON_FIELDS or "." in path:
                        _put(data, path, value)
                    else:
                        data[path] = value
                return
        else:
            secret, shown = {}, []
        _redact(data, fields, shown, secret, ERASED if erased else WITHHELD)

    @staticmethod
    def is_sealed(stored: StoredEvent) -> bool:
        """Tell whether a stored row carries sealed fields (rows before schema 2 never do)."""
        return _SEALED in orjson.loads(stored.data)

    def to_record(self, event: CaseEvent) -> dict[str, Any]:
        """Return ``event`` as one JSON-ready record: its type, stamp and data."""
        stored = self.encode(event)
        return {
            "type": stored.topic,
            "case_id": stored.case_id,
            "version": stored.version,
            "at": stored.at.isoformat(),
            "actor": stored.actor,
            "role": stored.role,
            **orjson.loads(stored.data),
        }

    def with_renames(self, renames: IdRenames) -> EventCodec:
        """Return a codec like this one that reads old ids as the new ids of ``renames``."""
        if not renames and not self.renames:
            return self
        other = EventCodec(self.types, cipher=self.cipher, renames=renames)
        # The generated functions do not depend on the renames: both codecs share them.
        other._converter = self._converter
        other._structure = self._structure
        other._unstructure = self._unstructure
        return other

    def replay(
        self,
        rows: Iterable[StoredEvent],
        *,
        key: bytes | Cipher | None = None,
        readable: Collection[str] | None = None,
        erased: bool = False,
    ) -> Case:
        """Fold a case from its stored rows, oldest first (see :meth:`decode` for the key).

        The case's cipher is made once, for all its rows.
        """
        cipher = self.cipher(key) if isinstance(key, bytes) else key
        return Case.replay(
            self.decode(row, key=cipher, readable=readable, erased=erased) for row in rows
        )


codec = EventCodec()
"""The codec of the core event types."""
