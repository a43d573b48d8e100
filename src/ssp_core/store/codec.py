"""Turning case events into stored rows and back: a JSON payload per event, by topic.

The common stamp of an event (case, version, time, actor, role) goes in columns of
its own; the rest of its fields are the JSON ``data`` (written and read with
orjson, several times faster than the standard library's json on these small
documents). A topic names the event type
(its class name); decoding an unknown topic is a clear error, never a guess. The
structuring is done by cattrs with functions generated once per event type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from ssp_core.domain import events as ev
from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.events import CaseEvent
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import CaseSubject, Environment, Group, Subject
from ssp_core.exceptions import DataError, SchemaError
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
        ev.SessionRecorded,
        ev.CaseSuspended,
        ev.CaseResumed,
        ev.DeadlineExtended,
        ev.DeadlineMissed,
        ev.WorkflowMigrated,
    )
}
"""Every event type a store can hold, by topic."""

_STAMP = ("case_id", "version", "at", "actor", "role")
_SUBJECTS: dict[str, type[Subject | Group | Environment]] = {
    "person": Subject,
    "group": Group,
    "environment": Environment,
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

    converter.register_unstructure_hook(CaseSubject, unstructure_subject)
    converter.register_structure_hook(CaseSubject, structure_subject)
    for cls in (Subject, Group, Environment):
        converter.register_unstructure_hook(cls, unstructure_subject)
    return converter


class EventCodec:
    """Encodes events to :class:`StoredEvent` rows and decodes them again."""

    def __init__(self, types: dict[str, type[CaseEvent]] | None = None) -> None:
        self.types = dict(types or EVENT_TYPES)
        self._converter = _make_converter()
        self._structure: dict[str, Callable[[dict[str, Any]], CaseEvent]] = {}
        self._unstructure: dict[type[CaseEvent], Callable[[CaseEvent], dict[str, Any]]] = {}
        for topic, cls in self.types.items():
            self._structure[topic] = self._structurer(cls)
            self._unstructure[cls] = self._converter.get_unstructure_hook(cls)

    def _structurer(self, cls: type[CaseEvent]) -> Callable[[dict[str, Any]], CaseEvent]:
        hook = self._converter.get_structure_hook(cls)
        return lambda data: hook(data, cls)

    def encode(self, event: CaseEvent, *, purpose: str | None = None) -> StoredEvent:
        """Return the stored row of ``event``, written for ``purpose`` (its audit entry)."""
        cls = type(event)
        unstructure = self._unstructure.get(cls)
        if unstructure is None:
            raise DataError(f"a store cannot hold a {cls.__name__} event")
        data = unstructure(event)
        for name in _STAMP:
            del data[name]
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

    def decode(self, stored: StoredEvent) -> CaseEvent:
        """Return the event a stored row holds."""
        structure = self._structure.get(stored.topic)
        if structure is None:
            raise SchemaError(
                f"event {stored.version} of case {stored.case_id} has unknown type "
                f"{stored.topic!r}; this library knows: {', '.join(sorted(self.types))}"
            )
        data = orjson.loads(stored.data)
        data["case_id"] = stored.case_id
        data["version"] = stored.version
        data["at"] = stored.at
        data["actor"] = stored.actor
        data["role"] = stored.role
        try:
            return structure(data)
        except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
            raise SchemaError(
                f"event {stored.version} of case {stored.case_id} ({stored.topic}) cannot be "
                f"read: {type(exc).__name__}"
            ) from None

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

    def replay(self, rows: Iterable[StoredEvent]) -> Case:
        """Fold a case from its stored rows, oldest first."""
        return Case.replay(self.decode(row) for row in rows)


codec = EventCodec()
"""The codec of the core event types."""
