"""Data keys and sealing: each case's key wrapped by the municipal key, with one cipher.

Every case gets its own random data key when it is opened; the key is stored
wrapped (encrypted under the municipal key's wrapping key, bound to the case id)
and every personal field of the case's events is sealed under it, bound to the
event's case, version and type. Destroying the wrapped key makes those fields
unreadable for good: that is how retention erases an append-only history
(crypto-shredding). An identity-vault entry has its own data key the same way.
All of it is encrypted with one cipher, :class:`ssp_core.cipher.AesGcmCipher`
(AES-256-GCM), or the one a :class:`Keyring` is given.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable

from ssp_core.cipher import AesGcmCipher, Cipher, CipherFactory, new_key
from ssp_core.exceptions import DataError, SealError
from ssp_core.privacy.keys import MunicipalKey
from ssp_core.store.records import KeyRecord

__all__ = ["Keyring", "SealError", "new_data_key", "seal", "unseal"]

_REFUSED = (
    "sealed data cannot be opened: the municipal key is not the one it was sealed "
    "with, or the data was altered"
)


def new_data_key() -> bytes:
    """Return a new random 256-bit data key."""
    return new_key()


def seal(
    key: bytes, plaintext: bytes, context: bytes, *, cipher: CipherFactory = AesGcmCipher
) -> bytes:
    """Encrypt ``plaintext`` under ``key``, bound to ``context``: random nonce + sealed text."""
    return cipher(key).encrypt(plaintext, context)


def unseal(
    key: bytes, sealed: bytes, context: bytes, *, cipher: CipherFactory = AesGcmCipher
) -> bytes:
    """Open what :func:`seal` made with the same key and context; else :class:`SealError`."""
    try:
        return _opened(cipher(key), sealed, context)
    except DataError:  # a key of the wrong size: it cannot be the one
        raise SealError(_REFUSED) from None


def _opened(cipher: Cipher, sealed: bytes, context: bytes) -> bytes:
    """Open ``sealed``; say that the municipal key or the data is wrong if it cannot be."""
    try:
        return cipher.decrypt(sealed, context)
    except SealError:
        raise SealError(_REFUSED) from None


def _case_context(case_id: str) -> bytes:
    return b"ssp_core case key\x1f" + case_id.encode()


def _vault_context(pseudonym: str) -> bytes:
    return b"ssp_core vault key\x1f" + pseudonym.encode()


class Keyring:
    """Makes, wraps and opens data keys with the municipal key; keeps recent ones in memory.

    At most ``cache_size`` opened case keys are kept (least recently used first out);
    :meth:`forget` drops erased ones at once. Keys are wrapped with ``cipher`` (made
    once for the wrapping key), which is also the :attr:`cipher` of the data keys.
    """

    def __init__(
        self,
        key: MunicipalKey | None,
        *,
        cache_size: int = 4096,
        cipher: CipherFactory = AesGcmCipher,
    ) -> None:
        self._key = key
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()
        self.cipher: CipherFactory = cipher
        """Makes the cipher of a key: of the wrapping key here, of data keys for their users."""
        self._wrapper: Cipher | None = None

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

    def _wrapping(self) -> Cipher:
        """Return the cipher of the municipal key's wrapping key (made on first use)."""
        if self._wrapper is None:
            self._wrapper = self.cipher(self.key.wrapping_key)
        return self._wrapper

    def new_case_key(
        self, case_id: str, subject: str | None, at: dt.datetime
    ) -> tuple[bytes, KeyRecord]:
        """Return a new data key for a case, and its wrapped record for the store."""
        data_key = new_data_key()
        wrapped = self._wrapping().encrypt(data_key, _case_context(case_id))
        self._remember(case_id, data_key)
        return data_key, KeyRecord(case_id=case_id, wrapped=wrapped, subject=subject, created_at=at)

    def open_case_key(self, record: KeyRecord) -> bytes:
        """Return the data key of a case from its stored record (cached)."""
        with self._lock:
            found = self._cache.get(record.case_id)
            if found is not None:
                self._cache.move_to_end(record.case_id)
                return found
        data_key = _opened(self._wrapping(), record.wrapped, _case_context(record.case_id))
        self._remember(record.case_id, data_key)
        return data_key

    def wrap_vault_key(self, pseudonym: str, data_key: bytes) -> bytes:
        """Wrap the data key of a vault entry, bound to its pseudonym."""
        return self._wrapping().encrypt(data_key, _vault_context(pseudonym))

    def open_vault_key(self, pseudonym: str, wrapped: bytes) -> bytes:
        """Open the data key of a vault entry."""
        return _opened(self._wrapping(), wrapped, _vault_context(pseudonym))

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
