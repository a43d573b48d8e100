"""Renamed ids: an id a plugin gave up for a new one, and how stored histories read it.

A plugin that moves its ids into its municipality's namespace (``ssp_consultant``
becomes ``aalborg.ssp_consultant``) declares each change as data, a
:class:`RenamedId`. History is never rewritten: events and audit entries keep the
ids they were written with, and are read through :class:`IdRenames`, which gives the
new id of every old one, the way ``eventsourcing`` upcasts old events when it reads
them. ``ssp store upgrade`` records the renames in the store, so its histories stay
readable when a later plugin version no longer ships them.

Only ids that stored events hold (:data:`EVENT_ID_FIELDS` and the role of every
event and audit entry) are translated on reading; the others (age bands, reference
texts, retention rules, ...) are looked up by name only, where an old id is refused
with the new one in the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ssp_core.domain.validators import identifier

__all__ = ["EVENT_ID_FIELDS", "RENAMABLE_KINDS", "IdRenames", "RenamedId"]

RENAMABLE_KINDS: frozenset[str] = frozenset(
    {
        "role",
        "situation",
        "age band",
        "partner kind",
        "partner",
        "corps",
        "INFO house",
        "action group",
        "worry-sign catalogue",
        "reference text",
        "strategy",
        "retention rule",
        "finding category",
        "locality",
        "example walk",
        "activity kind",
        "example activity",
    }
)
"""The kinds of contribution whose ids can be renamed.

Not workflows (a case names its workflow and version; a new id is a new workflow,
and cases move to it by migration), municipalities and police districts (they are the
namespaces), nor grants and disclosure profiles (they have no ids of their own).
Legal bases are national and shared, so no plugin renames them.
"""

EVENT_ID_FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "CaseOpened": {"situation": "situation"},
        "Disclosure": {"recipient": "partner"},
        "WalkPlanned": {"locality": "locality", "source": "example walk"},
        "FindingRecorded": {"category": "finding category"},
        "FindingAssigned": {"partner": "partner"},
        "ActivityLogged": {
            "strategy": "strategy",
            "activity_kind": "activity kind",
            "locality": "locality",
            "source": "example activity",
        },
    }
)
"""Per event type (its topic), the fields that hold a contributed id, and its kind."""


@attrs.frozen
class RenamedId:
    """One id a plugin renamed: what was stored as ``old`` now reads as ``new``.

    Each kind and old id may be renamed once (a rename's key is ``<kind>:<old>``).

    :ivar kind: the kind of contribution, one of ``role``, ``situation``, ``age band``,
        ``partner kind``, ``partner``, ``corps``, ``INFO house``, ``action group``,
        ``worry-sign catalogue``, ``reference text``, ``strategy``, ``retention rule``,
        ``finding category``, ``locality``, ``example walk``, ``activity kind`` or
        ``example activity`` (spelt exactly so, spaces included).
    :ivar old: the id as histories written before the rename hold it; no plugin may still
        contribute it. An identifier (lower-case letters, digits and ``_``, starting with
        a letter; parts joined by ``.`` or ``-``).
    :ivar new: the id the plugin contributes now: a registered id of that kind, and this
        plugin's own (or one it overrides). An identifier, as ``old``.
    :ivar since: the plugin version that made the change (text, e.g. ``"0.2"``), for the
        record only; may be left out.
    """

    kind: str
    old: str = attrs.field(validator=identifier)
    new: str = attrs.field(validator=identifier)
    since: str | None = None

    @property
    def id(self) -> str:
        """Return the key of the rename: its kind and old id (one new id per old)."""
        return f"{self.kind}:{self.old}"


class IdRenames:
    """Every rename in force, by kind: the new id of each old one.

    Reading a stored event through :meth:`upcast` gives the fields named in
    :data:`EVENT_ID_FIELDS` (and the event's role) their new ids; everything else,
    and every id that was never renamed, is left as it is.
    """

    __slots__ = ("_by_kind", "_topics")

    def __init__(self, renames: Iterable[RenamedId] = ()) -> None:
        by_kind: dict[str, dict[str, str]] = {}
        for rename in renames:
            by_kind.setdefault(rename.kind, {})[rename.old] = rename.new
        self._by_kind = {kind: MappingProxyType(ids) for kind, ids in by_kind.items()}
        self._topics = {
            topic: tuple(
                (name, self._by_kind[kind]) for name, kind in fields.items() if kind in by_kind
            )
            for topic, fields in EVENT_ID_FIELDS.items()
        }

    def __bool__(self) -> bool:
        return bool(self._by_kind)

    def __repr__(self) -> str:
        count = sum(len(ids) for ids in self._by_kind.values())
        return f"IdRenames({count} ids)"

    def of(self, kind: str) -> Mapping[str, str]:
        """Return the renames of one kind, old id to new."""
        return self._by_kind.get(kind, MappingProxyType({}))

    def new_id(self, kind: str, item_id: str) -> str:
        """Return the id ``item_id`` of ``kind`` reads as now (itself if never renamed)."""
        return self.of(kind).get(item_id, item_id)

    def old_ids(self, kind: str, item_id: str) -> tuple[str, ...]:
        """Return ``item_id`` and every old id that now reads as it (for queries by id)."""
        return (item_id, *(old for old, new in self.of(kind).items() if new == item_id))

    def upcast(self, topic: str, data: dict[str, Any]) -> None:
        """Give the id fields of one stored event's ``data`` (of type ``topic``) their new ids."""
        for name, ids in self._topics.get(topic, ()):
            value = data.get(name)
            if isinstance(value, str) and value in ids:
                data[name] = ids[value]
