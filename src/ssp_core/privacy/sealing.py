"""Data keys and sealing: each case's key wrapped by its municipality's key, with one cipher.

Every case gets its own random data key when it is opened; the key is stored
wrapped (encrypted under the wrapping key of the case's municipality's key, bound to
the case id) and every personal field of the case's events is sealed under it, bound
to the event's case, version and type. A new case is wrapped under the key of the
municipality it belongs to (its own key, else the default key; see
:class:`~ssp_core.privacy.keys.MunicipalKeys`), which the caller passes, and its key
row names that key by fingerprint (``key_id``, schema 4), so a rotated key's cases
open with whichever key their row names. Destroying the wrapped key makes those fields
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
from ssp_core.i18n import N_, _
from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys
from ssp_core.store.records import KeyRecord

__all__ = ["Keyring", "SealError", "new_data_key", "seal", "unseal"]

_REFUSED = N_(
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
        raise SealError(_(_REFUSED)) from None


def _refused(which: str) -> str:
    """Return the refusal to open sealed data, naming the key tried (``which``) if any."""
    if not which:
        return _(_REFUSED)
    return _("{refused} ({tried})").format(refused=_(_REFUSED), tried=which)


def _opened(cipher: Cipher, sealed: bytes, context: bytes, which: str = "") -> bytes:
    """Open ``sealed``; say that the municipal key (``which``) or the data is wrong if not."""
    try:
        return cipher.decrypt(sealed, context)
    except SealError:
        raise SealError(_refused(which)) from None


def _case_context(case_id: str) -> bytes:
    return b"ssp_core case key\x1f" + case_id.encode()


def _vault_context(pseudonym: str) -> bytes:
    return b"ssp_core vault key\x1f" + pseudonym.encode()


class Keyring:
    """Makes, wraps and opens data keys with the municipal keys; keeps recent ones in memory.

    ``key`` is the deployment's set of keys (:class:`~ssp_core.privacy.keys.MunicipalKeys`),
    or one :class:`~ssp_core.privacy.keys.MunicipalKey`, which is the default key of a
    set. Every method that wraps or opens takes the ``municipality`` of the case (or of
    the vault entry): its data key is wrapped with that municipality's key (``None``,
    or a municipality without a key of its own: the default key).

    At most ``cache_size`` opened case keys are kept (least recently used first out);
    :meth:`forget` drops erased ones at once. Keys are wrapped with ``cipher`` (made
    once for each wrapping key), which is also the :attr:`cipher` of the data keys.
    """

    def __init__(
        self,
        key: MunicipalKey | MunicipalKeys | None,
        *,
        cache_size: int = 4096,
        cipher: CipherFactory = AesGcmCipher,
    ) -> None:
        self._keys = MunicipalKeys.of(key)
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()
        self.cipher: CipherFactory = cipher
        """Makes the cipher of a key: of the wrapping keys here, of data keys for their users."""
        self._wrappers: dict[str, Cipher] = {}

    @property
    def keys(self) -> MunicipalKeys:
        """Return the set of municipal keys, or raise a clear error if none was given."""
        if self._keys is None:
            MunicipalKey.from_env({})  # raises the one "no municipal key" message
        assert self._keys is not None  # noqa: S101 (from_env({}) always raises)
        return self._keys

    @property
    def key(self) -> MunicipalKey:
        """Return the default key, or raise a clear error if there is none."""
        return self.keys.for_municipality(None)

    def key_for(self, municipality: str | None) -> MunicipalKey:
        """Return the key of ``municipality``: its own, else the default (or a clear error)."""
        return self.keys.for_municipality(municipality)

    @property
    def has_key(self) -> bool:
        """Tell whether any municipal key was given."""
        return self._keys is not None

    def adopt(self, keys: MunicipalKeys) -> None:
        """Use ``keys`` from now on (after a rotation wrote a municipality's new key).

        Opened data keys stay cached: a rotation changes their wrapping, not them.
        """
        self._keys = keys

    def _wrapping(self, municipality: str | None) -> tuple[Cipher, str]:
        """Return the cipher of the municipality's wrapping key (made once), and its name."""
        key = self.key_for(municipality)
        own = self.keys.has_own(municipality)
        which = (
            _("tried the own key of municipality {municipality}, fingerprint {fingerprint}")
            if own
            else _("tried the default key, fingerprint {fingerprint}")
        ).format(municipality=repr(municipality), fingerprint=key.fingerprint)
        return self._wrapper(key), which

    def _wrapper(self, key: MunicipalKey) -> Cipher:
        """Return the cipher of ``key``'s wrapping key, made once."""
        with self._lock:
            wrapper = self._wrappers.get(key.fingerprint)
            if wrapper is None:
                wrapper = self._wrappers[key.fingerprint] = self.cipher(key.wrapping_key)
        return wrapper

    def _older(self, municipality: str | None) -> list[MunicipalKey]:
        """Return the keys a row naming no key may also be wrapped under, after the current one.

        The default key (a municipality that got its own key late) and the
        municipality's retired keys.
        """
        keys = self.keys
        older = [keys.default] if keys.default is not None else []
        return [*older, *keys.retired_of(municipality)]

    def _open_any(
        self, municipality: str | None, wrapped: bytes, context: bytes
    ) -> tuple[bytes, MunicipalKey]:
        """Open ``wrapped`` with the municipality's key, else its older keys; say which opened.

        For what names no key (a key row written before schema 4, a vault entry): AES-GCM
        tells a wrong key from the right one, so trying is safe. The error names the
        current key.
        """
        wrapper, which = self._wrapping(municipality)
        current = self.key_for(municipality)
        try:
            return _opened(wrapper, wrapped, context, which), current
        except SealError:
            for key in self._older(municipality):
                if key.fingerprint == current.fingerprint:
                    continue
                try:
                    return self._wrapper(key).decrypt(wrapped, context), key
                except SealError:
                    continue
            raise

    def new_case_key(
        self, case_id: str, subject: str | None, at: dt.datetime, *, municipality: str | None = None
    ) -> tuple[bytes, KeyRecord]:
        """Return a new data key for a case of ``municipality``, and its wrapped record."""
        data_key = new_data_key()
        wrapper, _which = self._wrapping(municipality)
        wrapped = wrapper.encrypt(data_key, _case_context(case_id))
        self._remember(case_id, data_key)
        return data_key, KeyRecord(
            case_id=case_id,
            wrapped=wrapped,
            subject=subject,
            created_at=at,
            key_id=self.key_for(municipality).fingerprint,
        )

    def open_case_key(self, record: KeyRecord, *, municipality: str | None = None) -> bytes:
        """Return the data key of a case of ``municipality`` from its stored record (cached).

        A record naming its key (``key_id``) is opened with that key: the
        municipality's current key, or a retired one while a rotation has not re-wrapped
        it yet. A record naming none (written before schema 4) is opened with the
        municipality's key, else the default key (a municipality given its own key
        after the row was written) or one of its retired keys.

        :raises ConfigError: the municipality has no key at all.
        :raises SealError: no key given opens it; the message names the keys tried.
        """
        with self._lock:
            found = self._cache.get(record.case_id)
            if found is not None:
                self._cache.move_to_end(record.case_id)
                return found
        context = _case_context(record.case_id)
        if record.key_id is None:
            data_key, _key = self._open_any(municipality, record.wrapped, context)
        else:
            named = self.keys.by_fingerprint(record.key_id)
            _wrapper, which = self._wrapping(municipality)  # no key at all: a ConfigError
            if named is None:
                raise SealError(
                    _(
                        "{refused}; case {case}'s data key is wrapped under the municipal key "
                        "of fingerprint {fingerprint}, which is not among the keys given: give "
                        "it back (a retired key goes in the key folder's retired/ folder)"
                    ).format(
                        refused=_refused(which), case=record.case_id, fingerprint=record.key_id
                    )
                )
            which = _("tried the key its key row names, fingerprint {fingerprint}").format(
                fingerprint=named.fingerprint
            )
            data_key = _opened(self._wrapper(named), record.wrapped, context, which)
        self._remember(record.case_id, data_key)
        return data_key

    def rewrap_case_key(
        self, record: KeyRecord, new: MunicipalKey, *, municipality: str | None = None
    ) -> KeyRecord:
        """Return ``record`` with its data key wrapped under ``new`` instead (same data key).

        The data key is opened with ``municipality``'s key of this keyring. Only the
        wrapped bytes change, so the case's sealed events stay as they are: this is
        what rotating or replacing a municipality's key writes for each of its cases.
        """
        data_key = self.open_case_key(record, municipality=municipality)
        wrapped = self._wrapper(new).encrypt(data_key, _case_context(record.case_id))
        return KeyRecord(
            case_id=record.case_id,
            wrapped=wrapped,
            subject=record.subject,
            created_at=record.created_at,
            key_id=new.fingerprint,
        )

    def wrap_vault_key(
        self, pseudonym: str, data_key: bytes, *, municipality: str | None = None
    ) -> bytes:
        """Wrap the data key of a vault entry of ``municipality``, bound to its pseudonym."""
        wrapper, _which = self._wrapping(municipality)
        return wrapper.encrypt(data_key, _vault_context(pseudonym))

    def open_vault_key(
        self, pseudonym: str, wrapped: bytes, *, municipality: str | None = None
    ) -> bytes:
        """Open the data key of a vault entry of ``municipality``.

        A vault entry names no key: it is opened with the municipality's key, else the
        default key or one of the municipality's retired keys (an entry enrolled before
        its key was rotated; see :meth:`open_case_key`).
        """
        data_key, _key = self._open_any(municipality, wrapped, _vault_context(pseudonym))
        return data_key

    def vault_key_id(
        self, pseudonym: str, wrapped: bytes, *, municipality: str | None = None
    ) -> str:
        """Return the fingerprint of the key a vault entry of ``municipality`` opens with."""
        _data_key, key = self._open_any(municipality, wrapped, _vault_context(pseudonym))
        return key.fingerprint

    def rewrap_vault_key(
        self, pseudonym: str, wrapped: bytes, new: MunicipalKey, *, municipality: str | None = None
    ) -> bytes:
        """Return a vault entry's data key wrapped under ``new`` instead (same data key)."""
        data_key = self.open_vault_key(pseudonym, wrapped, municipality=municipality)
        return self._wrapper(new).encrypt(data_key, _vault_context(pseudonym))

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
