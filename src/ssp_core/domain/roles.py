"""Roles and actors: who does what, in which capacity."""

from __future__ import annotations

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import actor_id, identifier

__all__ = ["Actor", "Role"]


@attrs.frozen
class Role:
    """A role a person acts in, e.g. SSP consultant or mentor: data from plugins.

    ``acts_as`` is the kind of partner a person in the role discloses for (``police``
    for the police's SSP coordinator, ``municipal_service`` for the municipality's
    SSP secretariat): the discloser side of a legal basis's rules. A role without it
    discloses nothing.

    :ivar id: the role's id, unique in the deployment, e.g. ``aalborg.ssp_consultant``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by
        ``.`` or ``-``); a municipality's plugin names it ``<municipality>.<name>``.
    :ivar labels: its name in Danish and English.
    :ivar description: a longer explanation in both languages, if any.
    :ivar acts_as: the id of a registered partner kind a person in this role discloses for
        (``police``, ``municipal_service``); without it the role discloses nothing. An
        advice request records it as the kind of asker (else the role's id).
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    description: Labels | None = None
    acts_as: str | None = None


@attrs.frozen
class Actor:
    """Someone acting on a case: an id given by the embedding system, and a role id.

    ssp_core does not authenticate; the embedding system vouches for the actor. The id
    is checked at once (:func:`~ssp_core.domain.validators.check_actor_id`): letters,
    digits and ``. _ @ + -``, nothing CPR-shaped, so it is shown as itself everywhere.
    """

    id: str = attrs.field(validator=actor_id)
    role: str = attrs.field(validator=identifier)

    def __str__(self) -> str:
        return f"{self.id} ({self.role})"
