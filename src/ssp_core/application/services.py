"""The parts every use case works with: registry, store, keys, clock, gate and repository.

:class:`Services` is what each family of use cases in :mod:`ssp_core.application`
is built over (as ``eventsourcing``'s application composes a repository, a recorder
and a mapper). :class:`~ssp_core.application.casework.Casework` makes one and hands
it to every family; an embedding system that needs only some use cases can do the
same with the families it wants.
"""

from __future__ import annotations

from collections.abc import Callable

from ssp_core.application.gate import Gate
from ssp_core.application.keys import check_keys
from ssp_core.application.repository import CaseRepository, uuid_ids
from ssp_core.clock import BusinessCalendar, Clock, SystemClock, danish_calendar
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.access import AccessPolicy
from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys
from ssp_core.privacy.sealing import Keyring
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec, codec
from ssp_core.store.memory import MemoryStore

__all__ = ["Services"]


class Services:
    """The registry, store, codec, keyring, clock and calendar, with the gate and repository.

    :param registry: the loaded plugins' data and engines.
    :param store: an open :class:`~ssp_core.store.base.CaseStore`.
    :param key: the municipal keys, or one key (the default key); an in-memory store
        without one gets a random key that dies with it. A key of its own for a
        municipality the registry does not know is refused (a misnamed key file would
        otherwise leave that municipality on the default key unnoticed).
    :param clock: stamps every event and audit entry (default: the system clock, UTC).
    :param calendar: business days for deadlines (default: Danish).
    :param ids: makes new case ids (default: random).
    :param event_codec: turns events into rows and back (default: the core codec); it
        reads the ids the registry's plugins renamed as their new ids.
    """

    def __init__(
        self,
        registry: Registry,
        store: CaseStore,
        *,
        key: MunicipalKey | MunicipalKeys | None = None,
        clock: Clock | None = None,
        calendar: BusinessCalendar | None = None,
        ids: Callable[[], str] | None = None,
        event_codec: EventCodec | None = None,
    ) -> None:
        if key is None and isinstance(store, MemoryStore):
            key = MunicipalKey.generate()
        self.registry = registry
        self.store = store
        # Histories written before a plugin renamed its ids read with the new ones.
        self.codec = (event_codec or codec).with_renames(registry.id_renames)
        keys = MunicipalKeys.of(key)
        if keys is not None:
            check_keys(registry, keys)
        self.keyring = Keyring(keys)
        self.clock: Clock = clock or SystemClock()
        self.calendar = calendar or danish_calendar()
        self.policy = AccessPolicy.of(registry)
        self.gate = Gate(self.policy, store, self.clock)
        self.repository = CaseRepository(
            registry,
            store,
            self.codec,
            self.keyring,
            self.gate,
            self.clock,
            self.calendar,
            ids or uuid_ids,
        )
