"""The rules of a lawful disclosure: which data categories may go to whom, on what basis.

:func:`disclosure_groups` checks one disclosure against the plugins' data: the
categories are field groups, the recipient a registered partner, the legal basis a
registered basis that serves the purpose (with consent if it needs one, never dated
in the future), and every category within the disclosure profile of the
recipient's kind. A refusal is a :class:`~ssp_core.exceptions.DisclosureRefused`
naming what was wrong and what is allowed.
"""

from __future__ import annotations

import datetime as dt

from ssp_core.domain.access import FieldGroup
from ssp_core.domain.disclosure import Consent
from ssp_core.exceptions import DisclosureRefused
from ssp_core.plugins.registry import Registry

__all__ = ["disclosure_groups"]


def disclosure_groups(
    registry: Registry,
    categories: tuple[str, ...],
    *,
    recipient: str,
    legal_basis: str,
    purpose: str,
    consent: Consent | None,
    today: dt.date,
    municipality: str | None = None,
) -> tuple[FieldGroup, ...]:
    """Return the field groups of a disclosure the registry's rules allow, or refuse it.

    ``categories`` are the data categories asked for (field group names), in order;
    ``today`` is the Danish date a consent may not come after; ``municipality`` is
    the disclosing case's, whose disclosure profiles apply.
    """
    if not categories:
        raise DisclosureRefused("a disclosure must name at least one data category")
    known = ", ".join(g.value for g in FieldGroup)
    unknown = [c for c in categories if c not in FieldGroup.__members__.values()]
    if unknown:
        raise DisclosureRefused(f"unknown data category {unknown[0]!r}; known: {known}")
    groups = tuple(FieldGroup(c) for c in categories)
    if recipient not in registry.partners:
        raise DisclosureRefused(
            f"unknown recipient {recipient!r}: a disclosure goes to a registered partner"
        )
    if legal_basis not in registry.legal_bases:
        raise DisclosureRefused(
            f"unknown legal basis {legal_basis!r}; known: {', '.join(registry.legal_bases)}"
        )
    basis = registry.legal_bases[legal_basis]
    if not basis.serves(purpose):
        raise DisclosureRefused(
            f"{basis.citation} does not allow disclosure for purpose {purpose!r} "
            f"(it serves: {', '.join(basis.purposes)})"
        )
    if basis.requires_consent and consent is None:
        raise DisclosureRefused(
            f"{basis.citation} needs the person's consent: give its date and scope"
        )
    if consent is not None and consent.given_on > today:
        raise DisclosureRefused("a consent cannot be dated in the future")
    kind = registry.partners[recipient].kind
    profile = registry.disclosure_profile(kind, municipality)
    if profile is None:
        raise DisclosureRefused(
            f"partner kind {kind!r} has no disclosure profile: {recipient} may receive nothing"
        )
    allowed = profile.field_groups
    beyond = [g.value for g in groups if g not in allowed]
    if beyond:
        raise DisclosureRefused(
            f"a {kind} may never receive {', '.join(beyond)} (its disclosure profile "
            f"allows: {', '.join(g.value for g in allowed) or 'nothing'})"
        )
    return groups
