"""The municipality's secret key: read from a key file or the environment, never a default.

From the one secret, HKDF-SHA256 derives independent keys for each use: the key of
the pseudonyms (HMAC-SHA256 of CPR numbers) and the key that wraps the data keys of
cases and of the identity vault. A key file holds the secret as base64 text and
must not be readable by other users (like an SSH key).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from ssp_core.domain.cpr import MIN_KEY_BYTES, Pseudonymiser
from ssp_core.exceptions import ConfigError

__all__ = ["KEY_ENV", "KEY_FILE_ENV", "MunicipalKey", "write_key_file"]

KEY_ENV = "SSP_KEY"
"""The environment variable that may hold the key itself, as base64 text."""

KEY_FILE_ENV = "SSP_KEY_FILE"
"""The environment variable that may name the key file."""

_NO_KEY = (
    "no municipal key is set: set SSP_KEY_FILE to a key file (make one with "
    "`ssp key new FILE`) or SSP_KEY to the key as base64 text; ssp_core has no default key"
)


def _derive(secret: bytes, purpose: bytes) -> bytes:
    """Return the 32-byte key for ``purpose`` (HKDF-SHA256, no salt) derived from ``secret``."""
    # Imported here: cryptography's OpenSSL bindings are slow to import, and only a key needs them.
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: PLC0415

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def _decode(text: str, where: str) -> bytes:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where} must hold the key as base64 text") from None
    if len(secret) < MIN_KEY_BYTES:
        raise ConfigError(
            f"{where} holds {len(secret)} bytes; a key must be at least {MIN_KEY_BYTES} "
            "random bytes"
        )
    return secret


class MunicipalKey:
    """The municipality's secret, with the keys derived from it; its repr hides everything."""

    __slots__ = ("_secret", "fingerprint", "pseudonym_key", "wrapping_key")

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes) or len(secret) < MIN_KEY_BYTES:
            raise ConfigError(f"a municipal key must be at least {MIN_KEY_BYTES} random bytes")
        self._secret = secret
        self.pseudonym_key = _derive(secret, b"ssp_core pseudonyms v1")
        self.wrapping_key = _derive(secret, b"ssp_core data-key wrapping v1")
        self.fingerprint = _derive(secret, b"ssp_core fingerprint v1")[:6].hex()

    def __repr__(self) -> str:
        return f"MunicipalKey(fingerprint={self.fingerprint})"

    @classmethod
    def generate(cls) -> MunicipalKey:
        """Return a new random key (for a new installation, a test or a demo)."""
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> MunicipalKey:
        """Read a key file (base64 text); refuse one that other users may read."""
        file = Path(path)
        try:
            mode = file.stat().st_mode
            text = file.read_text(encoding="ascii")
        except FileNotFoundError:
            raise ConfigError(f"the key file {file} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"the key file {file} cannot be read: {type(exc).__name__}") from None
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"the key file {file} may be read by other users (mode {stat.S_IMODE(mode):o}); "
                f"allow only its owner: chmod 600 {file}"
            )
        return cls(_decode(text, f"the key file {file}"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MunicipalKey:
        """Read the key named by ``SSP_KEY_FILE``, or given in ``SSP_KEY``; else a clear error."""
        env = os.environ if environ is None else environ
        if env.get(KEY_FILE_ENV):
            return cls.from_file(env[KEY_FILE_ENV])
        if env.get(KEY_ENV):
            return cls(_decode(env[KEY_ENV], f"the environment variable {KEY_ENV}"))
        raise ConfigError(_NO_KEY)

    def pseudonymiser(self) -> Pseudonymiser:
        """Return the pseudonymiser of this municipality (HMAC-SHA256 under a derived key)."""
        return Pseudonymiser(self.pseudonym_key)

    def export_text(self) -> str:
        """Return the secret as base64 text, as a key file holds it."""
        return base64.b64encode(self._secret).decode("ascii")


def write_key_file(path: str | os.PathLike[str], key: MunicipalKey | None = None) -> MunicipalKey:
    """Write a new (or the given) key to ``path``, readable by its owner only; never overwrite."""
    key = key or MunicipalKey.generate()
    file = Path(path)
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{file} exists already; a key file is never overwritten") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.export_text() + "\n")
    return key
