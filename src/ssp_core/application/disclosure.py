"""Disclosing case information to a partner or agency, lawfully, and listing what went where.

A disclosure is checked against the legal rules of the plugins' data
(:func:`ssp_core.privacy.disclosure.disclosure_groups`) and against the discloser's
own grants; it is recorded on the case as a :class:`~ssp_core.domain.events.Disclosure`
event. A refusal is audited and records nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.cases import Case
from ssp_core.domain.disclosure import Consent
from ssp_core.domain.events import Disclosure
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DisclosureRefused
from ssp_core.privacy.disclosure import disclosure_groups
from ssp_core.store.records import AuditAction, EventQuery

__all__ = ["DisclosureEntry", "Disclosures"]


@attrs.frozen
class DisclosureEntry:
    """One disclosure, as ``ssp disclosures`` lists it: what went to whom, on what basis."""

    case_id: str
    at: dt.datetime
    actor: str
    role: str
    recipient: str
    legal_basis: str
    purpose: str
    categories: tuple[str, ...]
    consent_given_on: dt.date | None

    @classmethod
    def of(cls, event: Disclosure) -> DisclosureEntry:
        """Return the entry of a disclosure event (nothing sealed is needed)."""
        return cls(
            case_id=event.case_id,
            at=event.at,
            actor=event.actor,
            role=event.role,
            recipient=event.recipient,
            legal_basis=event.legal_basis,
            purpose=event.purpose,
            categories=event.categories,
            consent_given_on=event.consent.given_on if event.consent else None,
        )


class Disclosures:
    """The use cases of lawful disclosure."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def disclose(
        self,
        case_id: str,
        actor: Actor,
        *,
        recipient: str,
        legal_basis: str,
        categories: Iterable[str],
        purpose: str,
        consent: Consent | None = None,
        note: str | None = None,
    ) -> Case:
        """Record that case information is disclosed to a partner or agency, lawfully.

        The disclosure names its legal basis (plugin data), its purpose, the recipient
        (a registered partner) and the data categories (field groups). It is refused
        with :class:`~ssp_core.exceptions.DisclosureRefused`, audited and nothing
        recorded, if the basis does not serve the purpose, needs consent that is not
        given, or a category is outside the disclosure profile of the recipient's kind
        or the actor's grants.
        """
        services = self._services
        wanted = tuple(dict.fromkeys(categories))
        at = services.clock.now()
        loaded = services.repository.load(case_id, actor, "case.disclose", purpose)
        readable = loaded.permit.field_groups
        try:
            groups = disclosure_groups(
                services.registry,
                wanted,
                recipient=recipient,
                legal_basis=legal_basis,
                purpose=purpose,
                consent=consent,
                today=local_date(at),
                municipality=services.policy.walls.municipality(
                    loaded.case.workflow, loaded.case.municipality
                ),
            )
            beyond = [g for g in groups if g is not FieldGroup.CASE and g not in readable]
            if beyond:
                raise DisclosureRefused(
                    f"{actor} may not disclose {', '.join(beyond)}: their grants show them "
                    f"only {', '.join(sorted(readable)) or 'no personal fields'}"
                )
        except DisclosureRefused as refused:
            services.gate.audit(
                actor, purpose, AuditAction.DENIED, case_id, f"case.disclose: {refused}"
            )
            raise
        loaded.engine.record_disclosure(
            loaded.case,
            actor,
            at=at,
            recipient=recipient,
            legal_basis=legal_basis,
            purpose=purpose,
            categories=tuple(g.value for g in groups),
            consent=consent,
            note=note,
        )
        services.repository.commit(loaded, purpose)
        return loaded.case

    def disclosures(
        self,
        actor: Actor,
        *,
        purpose: str,
        recipient: str | None = None,
        case_id: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[DisclosureEntry]:
        """List disclosures (what went to whom, on what basis), oldest first (audited)."""
        gate, store = self._services.gate, self._services.store
        permit = gate.authorise(actor, "disclosure.list", purpose)
        rows = store.read_events(
            EventQuery(topics=("Disclosure",), case_id=case_id, since=since, until=until)
        )
        visible = gate.case_filter(actor, "disclosure.list", purpose, permit)
        if visible is not None:
            rows = [row for row in rows if visible(row.case_id)]
        entries = []
        for row in rows:
            event = self._services.codec.decode(row, readable=frozenset())
            assert isinstance(event, Disclosure)  # noqa: S101 (the query asked for this topic)
            if recipient is None or event.recipient == recipient:
                entries.append(DisclosureEntry.of(event))
        detail = ", ".join(
            f"{name}={value}"
            for name, value in (("recipient", recipient), ("case", case_id))
            if value is not None
        )
        gate.audit(actor, purpose, AuditAction.SEARCH, case_id, f"disclosures {detail}".strip())
        return entries
