"""Data keys and sealing: AES-256-GCM, with each case's key wrapped by the municipal key.

Every case gets its own random data key when it is opened; the key is stored
wrapped (encrypted under the municipal key's wrapping key, bound to the case id)
and every personal field of the case's events is sealed under it, bound to the
event's case, version and type. Destroying the wrapped key makes those fields
unreadable for good: that is how retention erases an append-only history
(crypto-shredding). An identity-vault entry has its own data key the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ssp_core.exceptions import SealError
from ssp_core.privacy.keys import MunicipalKey
from ssp_core.store.records import KeyRecord

__all__ = ["Keyring", "SealError", "new_data_key", "seal", "unseal"]

_NONCE = 12


def new_data_key() -> bytes:
    """Return a new random 256-bit data key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt ``plaintext`` under ``key``, bound to ``context``: random nonce + sealed text."""
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    """Open what :func:`seal` made with the same key and context; else :class:`SealError`."""
    try:
        return AESGCM(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], context)
    except (InvalidTag, ValueError):
        raise SealError(
            "sealed data cannot be opened: the municipal key is not the one it was sealed "
            "with, or the data was altered"
        ) from None


def _case_context(case_id: str) -> bytes:
    return b"ssp_core case key\x1f" + case_id.encode()


def _vault_context(pseudonym: str) -> bytes:
    return b"ssp_core vault key\x1f" + pseudonym.encode()


class Keyring:
    """Makes, wraps and opens data keys with the municipal key; keeps recent ones in memory.

    At most ``cache_size`` opened case keys are kept (least recently used first out);
    :meth:`forget` drops erased ones at once.
    """

    def __init__(self, key: MunicipalKey | None, *, cache_size: int = 4096) -> None:
        self._key = key
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    @property
    def key(self) -> MunicipalKey:
        """Return the municipal key, or raise a clear error if none was given."""
        if self._key is None:
            MunicipalKey.from_env({})  # raises the one "no municipal key" message
        assert self._key is not None  # noqa: S101 (from_env({}) always raises)
        return self._key

    @property
    def has_key(self) -> bool:
        """Tell whether a municipal key was given."""
        return self._key is not None

    def new_case_key(
        self, case_id: str, subject: str | None, at: dt.datetime
    ) -> tuple[bytes, KeyRecord]:
        """Return a new data key for a case, and its wrapped record for the store."""
        data_key = new_data_key()
        wrapped = seal(self.key.wrapping_key, data_key, _case_context(case_id))
        self._remember(case_id, data_key)
        return data_key, KeyRecord(case_id=case_id, wrapped=wrapped, subject=subject, created_at=at)

    def open_case_key(self, record: KeyRecord) -> bytes:
        """Return the data key of a case from its stored record (cached)."""
        with self._lock:
            found = self._cache.get(record.case_id)
            if found is not None:
                self._cache.move_to_end(record.case_id)
                return found
        data_key = unseal(self.key.wrapping_key, record.wrapped, _case_context(record.case_id))
        self._remember(record.case_id, data_key)
        return data_key

    def wrap_vault_key(self, pseudonym: str, data_key: bytes) -> bytes:
        """Wrap the data key of a vault entry, bound to its pseudonym."""
        return seal(self.key.wrapping_key, data_key, _vault_context(pseudonym))

    def open_vault_key(self, pseudonym: str, wrapped: bytes) -> bytes:
        """Open the data key of a vault entry."""
        return unseal(self.key.wrapping_key, wrapped, _vault_context(pseudonym))

    def forget(self, case_ids: Iterable[str]) -> None:
        """Drop the data keys of these cases from memory (after erasure)."""
        with self._lock:
            for case_id in case_ids:
                self._cache.pop(case_id, None)

    def _remember(self, case_id: str, data_key: bytes) -> None:
        if self._size <= 0:
            return
        with self._lock:
            self._cache[case_id] = data_key
            self._cache.move_to_end(case_id)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
