"""Which fields of which events are personal, and the field group each belongs to.

These fields are sealed under the case's data key when an event is stored (by
:mod:`ssp_core.store.codec`), and
shown on reading only to a role granted their group (others see
:data:`~ssp_core.domain.redaction.WITHHELD`). Everything else in an event (type,
time, actor, role, states, dates, fact and rule names, counts) stays readable for
statistics, also after erasure. A field path ``a.b`` names field ``b`` of the value
in field ``a``.
"""

from __future__ import annotations

from types import MappingProxyType

from ssp_core.domain.access import FieldGroup

__all__ = ["PERSON_FIELDS", "READ_IN_FULL", "SEALED_FIELDS", "field_groups_of"]

_NOTES = FieldGroup.NOTES
_OBSERVATIONS = FieldGroup.OBSERVATIONS

SEALED_FIELDS: MappingProxyType[str, MappingProxyType[str, FieldGroup]] = MappingProxyType(
    {
        topic: MappingProxyType(fields)
        for topic, fields in {
            "CaseOpened": {"reason": _NOTES},
            "Transitioned": {"reason": _NOTES},
            "FactRecorded": {"detail": _NOTES},
            "ObservationRecorded": {
                "observation.sign": _OBSERVATIONS,
                "observation.observed_by": _OBSERVATIONS,
                "observation.text": _OBSERVATIONS,
            },
            "ResourceObserved": {
                "observation.sign": _OBSERVATIONS,
                "observation.observed_by": _OBSERVATIONS,
                "observation.text": _OBSERVATIONS,
            },
            "NoteAdded": {"text": _NOTES},
            "Assigned": {"reason": _NOTES},
            "MovedToMunicipality": {"reason": _NOTES},
            "SessionRecorded": {"note": _NOTES},
            "CaseSuspended": {"reason": _NOTES},
            "CaseResumed": {"reason": _NOTES},
            "DeadlineExtended": {"reason": _NOTES},
            "Disclosure": {"note": _NOTES, "consent.scope": _NOTES},
            "ConsentGiven": {"consent.scope": _NOTES},
            "ConsentWithdrawn": {"reason": _NOTES},
            "WalkPlanned": {"note": _NOTES},
            "FindingRecorded": {"description": _NOTES},
            "FindingAssigned": {"reason": _NOTES},
            "AdviceRequested": {"question": _NOTES},
            "ActivityLogged": {"place": _NOTES, "description": _NOTES},
        }.items()
    }
)
"""The personal fields of each event type (by topic), with their field group."""

PERSON_FIELDS: MappingProxyType[str, FieldGroup] = MappingProxyType(
    {"subject.pseudonym": FieldGroup.SUBJECT, "subject.birth_date": FieldGroup.SUBJECT}
)
"""The fields of an opening event about a person that are sealed (its age stays readable)."""

READ_IN_FULL: frozenset[FieldGroup] = frozenset(
    {*PERSON_FIELDS.values(), *(g for fields in SEALED_FIELDS.values() for g in fields.values())}
)
"""The field groups a reader must be granted to read every field of every event."""


def field_groups_of(topic: str) -> frozenset[FieldGroup]:
    """Return the field groups an event type can carry (the subject's for an opening)."""
    groups = set(SEALED_FIELDS.get(topic, {}).values())
    if topic == "CaseOpened":
        groups.add(FieldGroup.SUBJECT)
    return frozenset(groups)
