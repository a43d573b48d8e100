"""The identity vault: a person's CPR number, name and contact, sealed under their own key.

Cases know a person only by pseudonym. The identifying data are kept once per
person, sealed with the keyring's cipher (AES-256-GCM, :mod:`ssp_core.cipher`) under
a data key of their own (wrapped by the key of the municipality the person was
enrolled in, bound to the pseudonym; pseudonyms are per municipal key too, so the same
person enrolled in two municipalities with keys of their own has two entries).
Reading them back is re-identification: an explicit, permission-checked and audited
operation of :class:`~ssp_core.application.casework.Casework`.
"""

from __future__ import annotations

import datetime as dt

import attrs
import orjson

from ssp_core.domain.cpr import normalise_cpr
from ssp_core.privacy.sealing import Keyring, new_data_key, seal, unseal
from ssp_core.store.records import IdentityRecord

__all__ = ["Identity", "open_identity", "seal_identity"]


def _context(pseudonym: str) -> bytes:
    return b"ssp_core identity\x1f" + pseudonym.encode()


@attrs.frozen(repr=False)
class Identity:
    """A person's identifying data: CPR number (ten digits), name, contact; its repr hides them."""

    cpr: str = attrs.field(converter=normalise_cpr)
    name: str | None = None
    contact: str | None = None

    def __repr__(self) -> str:
        return "Identity(<hidden>)"

    __str__ = __repr__


def seal_identity(
    keyring: Keyring,
    pseudonym: str,
    identity: Identity,
    at: dt.datetime,
    *,
    municipality: str | None = None,
) -> IdentityRecord:
    """Return the vault record of ``identity``: sealed under a new data key, wrapped.

    The data key is wrapped with ``municipality``'s key (``None``: the default key).
    """
    data_key = new_data_key()
    plain = orjson.dumps({"cpr": identity.cpr, "name": identity.name, "contact": identity.contact})
    return IdentityRecord(
        pseudonym=pseudonym,
        wrapped=keyring.wrap_vault_key(pseudonym, data_key, municipality=municipality),
        sealed=seal(data_key, plain, _context(pseudonym), cipher=keyring.cipher),
        created_at=at,
    )


def open_identity(
    keyring: Keyring, record: IdentityRecord, *, municipality: str | None = None
) -> Identity:
    """Return the identity a vault record of ``municipality`` holds (:class:`SealError` else)."""
    data_key = keyring.open_vault_key(record.pseudonym, record.wrapped, municipality=municipality)
    plain = unseal(data_key, record.sealed, _context(record.pseudonym), cipher=keyring.cipher)
    data = orjson.loads(plain)
    return Identity(data["cpr"], data.get("name"), data.get("contact"))
