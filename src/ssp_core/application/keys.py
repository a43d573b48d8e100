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

import os
from enum import StrEnum
from pathlib import Path

import attrs

from ssp_core.exceptions import ConfigError, UnknownId
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys, write_municipality_key

__all__ = ["KeySource", "KeyStatus", "check_keys", "key_overview", "new_municipality_key"]


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
        known = ", ".join(registry.municipalities) or "none"
        raise ConfigError(
            f"there are keys of their own for municipalities that are not registered: "
            f"{', '.join(unknown)}; registered municipalities: {known} (rename or remove "
            "the key files, or load the municipality's plugin)"
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
        raise ConfigError(f"cannot write the key file {file}: {exc.strerror}") from None


def _print(key: MunicipalKey | None) -> str | None:
    return key.fingerprint if key is not None else None
