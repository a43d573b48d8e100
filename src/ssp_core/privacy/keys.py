"""The municipalities' secret keys: read from key files or the environment, never a default.

From each secret, HKDF-SHA256 derives independent keys for each use: the key of
the pseudonyms (HMAC-SHA256 of CPR numbers) and the key that wraps the data keys of
cases and of the identity vault. A key file holds the secret as base64 text and
must not be readable by other users (like an SSH key).

A deployment holds a set of keys, :class:`MunicipalKeys`: a *default* key (the one
key of a deployment of one municipality, from ``SSP_KEY_FILE`` or ``SSP_KEY``) and a
key of its own for each municipality that has one (``<municipality>.key`` files in
the folder ``SSP_KEY_DIR`` names). A municipality without a key of its own uses the
default key. "No default key" still holds: a key is never made up; a municipality
with neither is refused with a clear :class:`~ssp_core.exceptions.ConfigError`.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from ssp_core.domain.cpr import MIN_KEY_BYTES, Pseudonymiser
from ssp_core.exceptions import ConfigError
from ssp_core.i18n import N_, _
from ssp_core.settings import KEY_DIR_ENV

__all__ = [
    "KEY_DIR_ENV",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "KEY_SUFFIX",
    "RETIRED_FOLDER",
    "MunicipalKey",
    "MunicipalKeys",
    "write_key_file",
    "write_municipality_key",
]

KEY_ENV = "SSP_KEY"
"""The environment variable that may hold the key itself, as base64 text."""

KEY_FILE_ENV = "SSP_KEY_FILE"
"""The environment variable that may name the key file."""

KEY_SUFFIX = ".key"
"""The ending of a municipality's key file in the key folder: ``<municipality>.key``."""

RETIRED_FOLDER = "retired"
"""The key folder's folder of retired keys: ``retired/<municipality>.<fingerprint>.key``."""

_MUNICIPALITY = re.compile(r"^[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*$")
"""A municipality id (the identifier of :class:`~ssp_core.domain.district.Municipality`)."""

_NO_KEY = N_(
    "no municipal key is set: set SSP_KEY_FILE to a key file (make one with "
    "`ssp key new FILE`) or SSP_KEY to the key as base64 text, or SSP_KEY_DIR to a folder "
    "of <municipality>.key files; ssp_core has no default key"
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
        raise ConfigError(
            _("{where} must hold the key as base64 text").format(where=where)
        ) from None
    if len(secret) < MIN_KEY_BYTES:
        raise ConfigError(
            _("{where} holds {n} bytes; a key must be at least {least} random bytes").format(
                where=where, n=len(secret), least=MIN_KEY_BYTES
            )
        )
    return secret


class MunicipalKey:
    """The municipality's secret, with the keys derived from it; its repr hides everything.

    ``pseudonyms`` is the pseudonym key carried over from the key this one replaced
    (:meth:`successor`): a rotated key wraps data keys anew but keeps the pseudonyms a
    person already has. Without it the pseudonym key is derived from the secret. The
    fingerprint names the secret alone.
    """

    __slots__ = ("_carried", "_secret", "fingerprint", "pseudonym_key", "wrapping_key")

    def __init__(self, secret: bytes, *, pseudonyms: bytes | None = None) -> None:
        if not isinstance(secret, bytes) or len(secret) < MIN_KEY_BYTES:
            raise ConfigError(f"a municipal key must be at least {MIN_KEY_BYTES} random bytes")
        if pseudonyms is not None and (not isinstance(pseudonyms, bytes) or len(pseudonyms) != 32):
            raise ConfigError("a carried pseudonym key must be 32 bytes")
        self._secret = secret
        self._carried = pseudonyms is not None
        self.pseudonym_key = pseudonyms or _derive(secret, b"ssp_core pseudonyms v1")
        self.wrapping_key = _derive(secret, b"ssp_core data-key wrapping v1")
        self.fingerprint = _derive(secret, b"ssp_core fingerprint v1")[:6].hex()

    def __repr__(self) -> str:
        return f"MunicipalKey(fingerprint={self.fingerprint})"

    @classmethod
    def generate(cls) -> MunicipalKey:
        """Return a new random key (for a new installation, a test or a demo)."""
        return cls(secrets.token_bytes(32))

    def successor(self) -> MunicipalKey:
        """Return a new random key to replace this one, carrying this key's pseudonym key.

        Rotating a key changes what wraps the data keys, not the pseudonyms: a person
        enrolled again gets the pseudonym their cases already carry.
        """
        return MunicipalKey(secrets.token_bytes(32), pseudonyms=self.pseudonym_key)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> MunicipalKey:
        """Read a key file (base64 text); refuse one that other users may read."""
        file = Path(path)
        try:
            mode = file.stat().st_mode
            text = file.read_text(encoding="ascii")
        except FileNotFoundError:
            raise ConfigError(_("the key file {file} does not exist").format(file=file)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                _("the key file {file} cannot be read: {error}").format(
                    file=file, error=type(exc).__name__
                )
            ) from None
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                _(
                    "the key file {file} may be read by other users (mode {mode}); "
                    "allow only its owner: chmod 600 {file}"
                ).format(file=file, mode=f"{stat.S_IMODE(mode):o}")
            )
        return cls._parse(text, _("the key file {file}").format(file=file))

    @classmethod
    def _parse(cls, text: str, where: str) -> MunicipalKey:
        """Read a key's text: the secret (base64), then optionally ``pseudonyms <base64>``."""
        first, _newline, rest = text.strip().partition("\n")
        carried = None
        for line in filter(None, (line.strip() for line in rest.splitlines())):
            head, _space, value = line.partition(" ")
            if head != "pseudonyms" or carried is not None:
                raise ConfigError(
                    _(
                        "{where} must hold the key as base64 text, and at most a second line "
                        "'pseudonyms <base64>'"
                    ).format(where=where)
                )
            try:
                carried = base64.b64decode(value.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise ConfigError(
                    _("{where}: its pseudonym key is not base64 text").format(where=where)
                ) from None
        return cls(_decode(first, where), pseudonyms=carried)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MunicipalKey:
        """Read the key named by ``SSP_KEY_FILE``, or given in ``SSP_KEY``; else a clear error."""
        env = os.environ if environ is None else environ
        if env.get(KEY_FILE_ENV):
            return cls.from_file(env[KEY_FILE_ENV])
        if env.get(KEY_ENV):
            return cls._parse(
                env[KEY_ENV], _("the environment variable {name}").format(name=KEY_ENV)
            )
        raise ConfigError(_(_NO_KEY))

    def pseudonymiser(self) -> Pseudonymiser:
        """Return the pseudonymiser of this municipality (HMAC-SHA256 under a derived key)."""
        return Pseudonymiser(self.pseudonym_key)

    def export_text(self) -> str:
        """Return the secret as base64 text, as a key file holds it (and any carried pseudonyms)."""
        text = base64.b64encode(self._secret).decode("ascii")
        if self._carried:
            text += "\npseudonyms " + base64.b64encode(self.pseudonym_key).decode("ascii")
        return text


def _municipality_id(municipality: object, where: str) -> str:
    if not isinstance(municipality, str) or not _MUNICIPALITY.match(municipality):
        raise ConfigError(
            _(
                "{where}: {municipality} is not a municipality id (lower-case letters, digits "
                "and underscores, parts joined by '.' or '-', e.g. 'aalborg')"
            ).format(where=where, municipality=repr(municipality))
        )
    return municipality


class MunicipalKeys:
    """The keys of a deployment: a default key, and a key of its own for some municipalities.

    A municipality's cases and identity-vault entries are sealed under its own key;
    a municipality without one (and a case of no municipality) uses the default key.
    Either part may be missing, not both. The repr shows fingerprints only.

    :param default: the default key (today's single municipal key), or ``None``.
    :param own: each municipality's own key, by municipality id.
    :param retired: keys a municipality used before its key was rotated, by
        municipality id: they wrap no new data key, and open only the rows that name
        them (:meth:`by_fingerprint`) until those are re-wrapped, and the vault entries
        wrapped under them.
    """

    __slots__ = ("_default", "_own", "_retired")

    def __init__(
        self,
        default: MunicipalKey | None = None,
        own: Mapping[str, MunicipalKey] | None = None,
        retired: Mapping[str, Iterable[MunicipalKey]] | None = None,
    ) -> None:
        own = dict(own or {})
        old = {m: tuple(keys) for m, keys in (retired or {}).items()}
        for municipality, keys in old.items():
            _municipality_id(municipality, "a set of retired municipal keys")
            if not all(isinstance(key, MunicipalKey) for key in keys):
                raise ConfigError(f"the retired keys of municipality {municipality!r} must be keys")
        for municipality, key in own.items():
            _municipality_id(municipality, "a municipal key set")
            if not isinstance(key, MunicipalKey):
                raise ConfigError(
                    f"the key of municipality {municipality!r} must be a MunicipalKey, "
                    f"not {type(key).__name__}"
                )
        if default is not None and not isinstance(default, MunicipalKey):
            raise ConfigError(
                f"the default key must be a MunicipalKey, not {type(default).__name__}"
            )
        if default is None and not own:
            raise ConfigError(_(_NO_KEY))
        self._default = default
        self._own: Mapping[str, MunicipalKey] = MappingProxyType(dict(sorted(own.items())))
        self._retired: Mapping[str, tuple[MunicipalKey, ...]] = MappingProxyType(
            {m: keys for m, keys in sorted(old.items()) if keys}
        )

    def __repr__(self) -> str:
        default = self._default.fingerprint if self._default is not None else None
        own = ", ".join(f"{m}={key.fingerprint}" for m, key in self._own.items())
        retired = ", ".join(
            f"{m}={'+'.join(key.fingerprint for key in keys)}" for m, keys in self._retired.items()
        )
        return f"MunicipalKeys(default={default}, own={{{own}}}, retired={{{retired}}})"

    @property
    def retired(self) -> Mapping[str, tuple[MunicipalKey, ...]]:
        """Return the retired keys, by municipality id (read-only, sorted)."""
        return self._retired

    def retired_of(self, municipality: str | None) -> tuple[MunicipalKey, ...]:
        """Return the keys ``municipality`` used before its key was rotated (none: ``()``)."""
        return self._retired.get(municipality, ()) if municipality is not None else ()

    def by_fingerprint(self, fingerprint: str) -> MunicipalKey | None:
        """Return the key of this set (default, own or retired) with this fingerprint, if any."""
        keys = [self._default, *self._own.values()]
        keys += [key for retired in self._retired.values() for key in retired]
        return next((k for k in keys if k is not None and k.fingerprint == fingerprint), None)

    def rotated(self, municipality: str, new: MunicipalKey) -> MunicipalKeys:
        """Return a copy with ``new`` as ``municipality``'s own key, its old own key retired.

        A municipality on the default key gets its first own key: the default key is
        not retired (other municipalities may use it).
        """
        _municipality_id(municipality, "a municipal key set")
        retired = {m: list(keys) for m, keys in self._retired.items()}
        old = self._own.get(municipality)
        if old is not None and old.fingerprint != new.fingerprint:
            retired.setdefault(municipality, []).insert(0, old)
        return MunicipalKeys(self._default, {**self._own, municipality: new}, retired)

    @classmethod
    def of(cls, key: MunicipalKey | MunicipalKeys | None) -> MunicipalKeys | None:
        """Return ``key`` as a set: one :class:`MunicipalKey` is the default key of a set."""
        if key is None or isinstance(key, MunicipalKeys):
            return key
        return cls(key)

    @property
    def default(self) -> MunicipalKey | None:
        """Return the default key (``None``: only municipalities' own keys are set)."""
        return self._default

    @property
    def own(self) -> Mapping[str, MunicipalKey]:
        """Return the municipalities' own keys, by municipality id (read-only, sorted)."""
        return self._own

    def __iter__(self) -> Iterator[str]:
        """Iterate over the municipalities with a key of their own."""
        return iter(self._own)

    def has_own(self, municipality: str | None) -> bool:
        """Tell whether ``municipality`` has a key of its own (else it uses the default key)."""
        return municipality is not None and municipality in self._own

    def for_municipality(self, municipality: str | None) -> MunicipalKey:
        """Return the key of ``municipality``'s cases: its own, else the default key.

        ``None`` (a case of no municipality) gets the default key.

        :raises ConfigError: there is neither; the message says how to add one.
        """
        if municipality is not None and municipality in self._own:
            return self._own[municipality]
        if self._default is not None:
            return self._default
        own = ", ".join(self._own) or _("none")
        if municipality is None:
            return MunicipalKey.from_env({})  # raises the one "no municipal key" message
        raise ConfigError(
            _(
                "no municipal key for municipality {municipality}: put its key in "
                "{file} in the folder {dir_env} names (make one with "
                "`ssp key new --municipality {id}`), or set a default key with "
                "{file_env} or {key_env}; municipalities with a key of their own: {own}"
            ).format(
                municipality=repr(municipality),
                file=f"{municipality}{KEY_SUFFIX}",
                dir_env=KEY_DIR_ENV,
                id=municipality,
                file_env=KEY_FILE_ENV,
                key_env=KEY_ENV,
                own=own,
            )
        )

    def replace(self, municipality: str, key: MunicipalKey) -> MunicipalKeys:
        """Return a copy of this set with ``municipality``'s own key set to ``key``."""
        _municipality_id(municipality, "a municipal key set")
        return MunicipalKeys(self._default, {**self._own, municipality: key}, self._retired)

    @classmethod
    def from_folder(cls, folder: str | os.PathLike[str]) -> dict[str, MunicipalKey]:
        """Read the ``<municipality>.key`` files of a folder (each checked as a key file).

        Files with another ending, and hidden files, are left alone.

        :raises ConfigError: the folder is missing, a file is not named by a municipality
            id, or a key file is unreadable, readable by other users or not a key.
        """
        path = Path(folder)
        if not path.is_dir():
            raise ConfigError(
                _(
                    "the key folder {path} does not exist or is not a folder ({dir_env} "
                    "names a folder of {files} files)"
                ).format(path=path, dir_env=KEY_DIR_ENV, files=f"<municipality>{KEY_SUFFIX}")
            )
        found: dict[str, MunicipalKey] = {}
        for file in sorted(path.iterdir()):
            if file.name.startswith(".") or file.suffix != KEY_SUFFIX:
                continue
            municipality = _municipality_id(file.stem, _("the key file {file}").format(file=file))
            found[municipality] = MunicipalKey.from_file(file)
        return found

    @classmethod
    def retired_from_folder(
        cls, folder: str | os.PathLike[str]
    ) -> dict[str, tuple[MunicipalKey, ...]]:
        """Read the retired keys kept in the key folder's ``retired`` folder, if it has one.

        Each is ``<municipality>.<fingerprint>.key`` (written by a key rotation); the
        fingerprint in the name must be the key's.

        :raises ConfigError: a file is misnamed, unreadable, readable by others or not a key.
        """
        path = Path(folder) / RETIRED_FOLDER
        if not path.is_dir():
            return {}
        found: dict[str, list[MunicipalKey]] = {}
        for file in sorted(path.iterdir()):
            if file.name.startswith(".") or file.suffix != KEY_SUFFIX:
                continue
            municipality, _dot, fingerprint = file.stem.rpartition(".")
            _municipality_id(municipality, _("the retired key file {file}").format(file=file))
            key = MunicipalKey.from_file(file)
            if key.fingerprint != fingerprint:
                raise ConfigError(
                    _(
                        "the retired key file {file} holds the key of fingerprint "
                        "{fingerprint}, not {named} as its name says"
                    ).format(file=file, fingerprint=key.fingerprint, named=repr(fingerprint))
                )
            found.setdefault(municipality, []).append(key)
        return {m: tuple(keys) for m, keys in found.items()}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MunicipalKeys:
        """Read the default key (``SSP_KEY_FILE`` or ``SSP_KEY``) and the folder ``SSP_KEY_DIR``.

        :raises ConfigError: none of them is set, or a key cannot be read.
        """
        env = os.environ if environ is None else environ
        default = None
        if env.get(KEY_FILE_ENV) or env.get(KEY_ENV):
            default = MunicipalKey.from_env(env)
        own = cls.from_folder(env[KEY_DIR_ENV]) if env.get(KEY_DIR_ENV) else {}
        retired = cls.retired_from_folder(env[KEY_DIR_ENV]) if env.get(KEY_DIR_ENV) else {}
        return cls(default, own, retired)


def write_municipality_key(
    folder: str | os.PathLike[str], municipality: str, key: MunicipalKey | None = None
) -> tuple[Path, MunicipalKey]:
    """Write a new (or the given) key of ``municipality`` to ``folder``; never overwrite.

    The folder is made (readable by its owner only) if it does not exist. Returns the
    file written and the key.
    """
    _municipality_id(municipality, _("a municipality's key file"))
    path = Path(folder)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            _("cannot make the key folder {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    file = path / f"{municipality}{KEY_SUFFIX}"
    return file, write_key_file(file, key)


def write_key_file(path: str | os.PathLike[str], key: MunicipalKey | None = None) -> MunicipalKey:
    """Write a new (or the given) key to ``path``, readable by its owner only; never overwrite."""
    key = key or MunicipalKey.generate()
    file = Path(path)
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            _("{file} exists already; a key file is never overwritten").format(file=file)
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.export_text() + "\n")
    return key
