"""The municipal keys of a deployment: which municipality uses which key, and making one.

Each municipality's cases and identity-vault entries are sealed under its own key if
it has one (a ``<municipality>.key`` file in the folder ``SSP_KEY_DIR`` names), else
under the default key (``SSP_KEY_FILE`` or ``SSP_KEY``); see
:class:`~ssp_core.privacy.keys.MunicipalKeys`. The rules of ``ssp key`` live here:
a key of its own only for a registered municipality, and the overview that says for
each municipality which key it uses, by fingerprint, never the key.

Key files live outside the store, so nothing here opens the store or writes the
audit log.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import attrs

from ssp_core.exceptions import ConfigError, UnknownId
from ssp_core.i18n import _
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.keys import (
    KEY_SUFFIX,
    RETIRED_FOLDER,
    MunicipalKey,
    MunicipalKeys,
    write_key_file,
    write_municipality_key,
)

__all__ = [
    "KeySource",
    "KeyStatus",
    "check_keys",
    "install_rotated_key",
    "key_overview",
    "new_municipality_key",
    "rotation_lock",
]


class KeySource(StrEnum):
    """Where the key a municipality's cases are sealed under comes from."""

    OWN = "own"
    """A key of the municipality's own, in the key folder."""
    DEFAULT = "default"
    """The default key (the municipality has none of its own)."""
    NONE = "none"
    """No key at all: its personal data can be neither sealed nor opened."""
    UNKNOWN = "unknown municipality"
    """A key in the key folder for a municipality the registry does not know."""


@attrs.frozen
class KeyStatus:
    """One line of the overview: a municipality (``None``: the default key), its key's source.

    ``fingerprint`` identifies the key used (``None``: no key); it is derived from the
    key one way and shows nothing of it.
    """

    municipality: str | None
    source: KeySource
    fingerprint: str | None


def check_keys(registry: Registry, keys: MunicipalKeys) -> None:
    """Refuse keys of their own for municipalities the registry does not know.

    :raises ConfigError: naming the keys and the municipalities that are registered.
    """
    unknown = [m for m in keys if m not in registry.municipalities]
    if unknown:
        known = ", ".join(registry.municipalities) or _("none")
        raise ConfigError(
            _(
                "there are keys of their own for municipalities that are not registered: "
                "{unknown}; registered municipalities: {known} (rename or remove the key "
                "files, or load the municipality's plugin)"
            ).format(unknown=", ".join(unknown), known=known)
        )


def key_overview(registry: Registry, keys: MunicipalKeys | None) -> list[KeyStatus]:
    """Return which key each registered municipality uses, after the default key's line.

    Keys of their own for municipalities not registered come last, as
    :attr:`KeySource.UNKNOWN` (a Casework refuses to start with them).
    """
    default = keys.default if keys is not None else None
    lines = [
        KeyStatus(
            None,
            KeySource.DEFAULT if default is not None else KeySource.NONE,
            _print(default),
        )
    ]
    for municipality in sorted(registry.municipalities):
        if keys is not None and keys.has_own(municipality):
            lines.append(KeyStatus(municipality, KeySource.OWN, _print(keys.own[municipality])))
        elif default is not None:
            lines.append(KeyStatus(municipality, KeySource.DEFAULT, _print(default)))
        else:
            lines.append(KeyStatus(municipality, KeySource.NONE, None))
    if keys is not None:
        lines.extend(
            KeyStatus(m, KeySource.UNKNOWN, _print(key))
            for m, key in keys.own.items()
            if m not in registry.municipalities
        )
    return lines


def new_municipality_key(
    registry: Registry, folder: str | os.PathLike[str], municipality: str
) -> tuple[Path, MunicipalKey]:
    """Write a new random key of ``municipality`` into ``folder``; return the file and key.

    Never overwrites a key file (a municipality's key is replaced by moving the old
    file away on purpose, knowing that its cases need it until they are re-wrapped).

    :raises UnknownId: ``municipality`` is not registered.
    :raises ConfigError: the file exists already, or cannot be written.
    """
    if municipality not in registry.municipalities:
        raise UnknownId("municipality", municipality, list(registry.municipalities))
    file = Path(folder) / f"{municipality}.key"
    try:
        return write_municipality_key(folder, municipality)
    except OSError as exc:  # no permission, a full disk: ConfigError covers an existing file
        raise ConfigError(
            _("cannot write the key file {file}: {reason}").format(file=file, reason=exc.strerror)
        ) from None


def _print(key: MunicipalKey | None) -> str | None:
    return key.fingerprint if key is not None else None


@contextlib.contextmanager
def rotation_lock(folder: str | os.PathLike[str], municipality: str) -> Iterator[None]:
    """Hold the lock of ``municipality``'s key rotation in ``folder`` (one rotation at a time).

    A lock on a hidden file of the key folder (``.<municipality>.rotate.lock``), which
    the system releases if the process dies. Where file locks are not offered (not
    POSIX), nothing is locked.

    :raises ConfigError: another rotation of the municipality holds it.
    """
    path = Path(folder) / f".{municipality}.rotate.lock"
    try:
        import fcntl  # noqa: PLC0415 (POSIX only)
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ConfigError(
            _("cannot lock the key folder {folder}: {reason}").format(
                folder=folder, reason=exc.strerror
            )
        ) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ConfigError(
                _(
                    "another rotation of municipality {municipality}'s key is running (it "
                    "holds {path}); wait for it to end"
                ).format(municipality=repr(municipality), path=path)
            ) from None
        yield
    finally:
        os.close(descriptor)


def install_rotated_key(
    folder: str | os.PathLike[str],
    municipality: str,
    old: MunicipalKey | None,
    new: MunicipalKey,
) -> tuple[Path, Path | None]:
    """Make ``new`` the municipality's key file, keeping its ``old`` own key as retired first.

    In this order, so that no key is ever only in memory: the old own key is written
    to ``retired/<municipality>.<fingerprint>.key`` (kept if there already), then the
    new key to a hidden file that replaces ``<municipality>.key`` in one rename. A
    crash leaves the old key file, or the new one with the old retired; both open
    every row that names them. ``old`` is ``None`` for a municipality on the default
    key (which is not retired: other municipalities may use it). Returns the key file
    and the retired key file (``None``: nothing retired).

    :raises ConfigError: the key file in the folder is not the key in use, or a file
        cannot be written.
    """
    path = Path(folder)
    key_file = path / f"{municipality}{KEY_SUFFIX}"
    in_folder = MunicipalKey.from_file(key_file) if key_file.exists() else None
    if (in_folder and in_folder.fingerprint) != (old and old.fingerprint):
        found = in_folder.fingerprint if in_folder else _("none")
        used = old.fingerprint if old else _("none (the default key)")
        raise ConfigError(
            _(
                "the key file {file} (fingerprint {found}) is not municipality "
                "{municipality}'s key in use (fingerprint {used}); nothing was changed"
            ).format(file=key_file, found=found, municipality=repr(municipality), used=used)
        )
    retired_file = None
    try:
        if old is not None:
            retired = path / RETIRED_FOLDER
            retired.mkdir(mode=0o700, exist_ok=True)
            retired_file = retired / f"{municipality}.{old.fingerprint}{KEY_SUFFIX}"
            if not retired_file.exists():
                write_key_file(retired_file, old)
            elif MunicipalKey.from_file(retired_file).fingerprint != old.fingerprint:
                raise ConfigError(
                    _("{file} does not hold the key its name says").format(file=retired_file)
                )
        staged = path / f".{municipality}{KEY_SUFFIX}.new"
        staged.unlink(missing_ok=True)  # a crash's leftover: never installed, so never used
        write_key_file(staged, new)
        staged.replace(key_file)
    except OSError as exc:
        raise ConfigError(
            _("cannot write the key files in {folder}: {reason}").format(
                folder=path, reason=exc.strerror
            )
        ) from None
    return key_file, retired_file
