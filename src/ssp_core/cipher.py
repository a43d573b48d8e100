"""The one cipher everything sealed is sealed with: AES-256-GCM, bound to a context.

A :class:`Cipher` holds one key and encrypts bytes bound to a *context* (AES-GCM's
associated data: what the sealed bytes belong to, e.g. an event's case, version and
type), so that sealed bytes moved elsewhere cannot be opened. It is handed to its
users as a part, the way eventsourcing's ``Mapper(transcoder, cipher=...)`` takes
its cipher; as every case has a key of its own, they take a :data:`CipherFactory`
(a key in, a cipher out) and make one cipher per key. :class:`AesGcmCipher` is the
implementation: the codec seals event fields with it, and the keyring and identity
vault wrap and seal keys and identities with it.

Sealed bytes are ``nonce (12 random bytes) + ciphertext + tag (16 bytes)``, as
``cryptography``'s ``AESGCM.encrypt`` returns them after the nonce. The
``cryptography`` package (its OpenSSL bindings are slow to import) is imported when
the first cipher is made, not when this module is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ssp_core.exceptions import DataError, SealError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "KEY_SIZE",
    "NONCE_SIZE",
    "TAG_SIZE",
    "AesGcmCipher",
    "Cipher",
    "CipherFactory",
    "new_key",
]

KEY_SIZE = 32
"""Bytes in a key: 32, for AES-256."""

NONCE_SIZE = 12
"""Bytes of the random nonce sealed bytes start with: 12 (96 bits), as GCM recommends."""

TAG_SIZE = 16
"""Bytes of the authentication tag sealed bytes end with."""

_REFUSED = (
    "sealed data cannot be opened: the key is not the one it was sealed with, or the data "
    "or what it is bound to was altered"
)


class Cipher(Protocol):
    """Authenticated encryption under one key, each message bound to a context.

    Opening needs the same key and the same context as sealing; anything else, or
    altered bytes, raises :class:`~ssp_core.exceptions.SealError` (whose message
    quotes neither the data nor the key).
    """

    def encrypt(self, plaintext: bytes, context: bytes) -> bytes:
        """Return ``plaintext`` sealed under the key, bound to ``context``."""
        ...

    def decrypt(self, sealed: bytes, context: bytes) -> bytes:
        """Return the plaintext of ``sealed``, bound to ``context``; else :class:`SealError`."""
        ...


CipherFactory = Callable[[bytes], Cipher]
"""Makes the cipher of a key (e.g. :class:`AesGcmCipher`); users make one per key."""


_AESGCM: type[AESGCM] | None = None
_REFUSALS: tuple[type[Exception], ...] = (ValueError,)


def _load() -> type[AESGCM]:
    """Import ``cryptography``'s AES-GCM on first use (and what it raises on a wrong tag)."""
    global _AESGCM, _REFUSALS  # noqa: PLW0603 (a cache filled once)
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415 (slow: on first use)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    _REFUSALS = (InvalidTag, ValueError)
    _AESGCM = AESGCM
    return AESGCM


def new_key() -> bytes:
    """Return a new random key (:data:`KEY_SIZE` bytes from the operating system)."""
    return os.urandom(KEY_SIZE)


class AesGcmCipher:
    """AES-256-GCM under one key: a random 96-bit nonce per message, put before it.

    Make one per key and reuse it: the key schedule is set up once, here.
    """

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) != KEY_SIZE:
            size = len(key) if isinstance(key, bytes) else type(key).__name__
            raise DataError(f"an AES-256-GCM key is {KEY_SIZE} bytes, not {size}")
        self._aead = (_AESGCM or _load())(key)

    def __repr__(self) -> str:
        return "AesGcmCipher(<key hidden>)"

    def encrypt(self, plaintext: bytes, context: bytes) -> bytes:
        """Return ``nonce + ciphertext + tag`` of ``plaintext``, bound to ``context``."""
        nonce = os.urandom(NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, sealed: bytes, context: bytes) -> bytes:
        """Return the plaintext of what :meth:`encrypt` made under this key and ``context``.

        Another key, another context or altered bytes raise :class:`SealError`.
        """
        if len(sealed) < NONCE_SIZE + TAG_SIZE:
            raise SealError(_REFUSED)
        try:
            return self._aead.decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], context)
        except _REFUSALS:
            raise SealError(_REFUSED) from None
