"""Lawful disclosure: the legal bases for sharing, consent, and what each partner kind may get.

Sharing case information with a partner or another agency is recorded as a
:class:`~ssp_core.domain.events.Disclosure` event naming its legal basis, purpose,
recipient and data categories. The legal bases and the disclosure profiles (the
field groups a kind of partner may ever receive) are data from plugins.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.domain.access import ANY, FieldGroup
from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier, non_empty_text

__all__ = ["Consent", "DisclosureProfile", "LegalBasis"]


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _groups(value: object) -> tuple[FieldGroup, ...]:
    return tuple(FieldGroup(item) for item in _strings(value))


@attrs.frozen
class LegalBasis:
    """A provision that allows a disclosure, e.g. Retsplejeloven § 115, stk. 1, nr. 1.

    ``citation`` is the provision as written in law; ``purposes`` the purposes it may
    serve (``"*"``: any); ``requires_consent``: the disclosure needs the person's
    consent, with its date and scope (the basis *is* the consent).
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    citation: str = attrs.field(validator=non_empty_text)
    purposes: tuple[str, ...] = attrs.field(default=(ANY,), converter=_strings)
    requires_consent: bool = False
    description: Labels | None = None

    def serves(self, purpose: str) -> bool:
        """Tell whether a disclosure for ``purpose`` may rest on this basis."""
        return ANY in self.purposes or purpose in self.purposes


@attrs.frozen
class DisclosureProfile:
    """The field groups a kind of partner may ever receive; a kind with no profile gets nothing."""

    partner_kind: str = attrs.field(validator=identifier)
    field_groups: tuple[FieldGroup, ...] = attrs.field(converter=_groups)
    description: Labels | None = None

    @property
    def id(self) -> str:
        """Return the profile's key: the partner kind it is for."""
        return self.partner_kind


@attrs.frozen
class Consent:
    """A person's consent to a disclosure: when it was given and what it covers (free text)."""

    given_on: dt.date
    scope: str = attrs.field(validator=non_empty_text)
