"""The police district and its municipalities: whose case it is, and who works across them.

Denmark has twelve police districts; each covers several municipalities (Nordjyllands
Politikreds: Aalborg, Brønderslev, Frederikshavn, Hjørring, Jammerbugt, Læsø,
Mariagerfjord, Rebild and Vesthimmerland). Each municipality runs its own SSP and is
the data controller of its cases; the police SSP coordinators and the district's
INFO house work across the district.

A municipality's plugin declares its :class:`Municipality`; everything that plugin
contributes belongs to it (its *home*), and its roles act behind its walls unless a
grant of the data reaches the whole district (:class:`Reach`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier
from ssp_core.exceptions import DataError

__all__ = ["Municipality", "PoliceDistrict", "Reach"]

_CODE = re.compile(r"^[0-9]{3}$")


class Reach(StrEnum):
    """How far a grant reaches: its own municipality's cases, or the whole police district's.

    ``municipality`` (the default) covers the cases of the municipality whose plugin
    contributed the role; ``district`` covers the cases of every municipality of the
    same police district (e.g. the police SSP coordinator, the INFO house).
    """

    MUNICIPALITY = "municipality"
    DISTRICT = "district"


@attrs.frozen
class PoliceDistrict:
    """A police district (politikreds): one police and one INFO house for its municipalities.

    :ivar id: the district's id, e.g. ``nordjylland`` (the one the core registers): an
        identifier of lower-case letters, digits and ``_``, starting with a letter, parts
        joined by ``.`` or ``-``. A municipality names it in ``police_district``.
    :ivar labels: its name in Danish and English.
    :ivar description: a longer explanation in both languages (e.g. its municipalities),
        if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    description: Labels | None = None


def _code(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise DataError(
            f"{type(inst).__name__}.{attr.name} must be the official three-digit municipality "
            f"code as text (e.g. '851' for Aalborg); got {value!r}"
        )


@attrs.frozen
class Municipality:
    """A municipality (kommune): the data controller of its cases, in one police district.

    A plugin declares at most one municipality; everything it contributes belongs to it.

    :ivar id: the municipality's id, e.g. ``aalborg``: an identifier of lower-case letters,
        digits and ``_``, starting with a letter, parts joined by ``.`` or ``-``. It is the
        namespace of the plugin's ids: its roles, partners, age bands, ... must be named
        ``<id>.<name>`` (``aalborg.ssp_consultant``).
    :ivar labels: its name in Danish and English.
    :ivar code: the official three-digit municipality code, as text (``"851"`` for
        Aalborg); no two municipalities may have the same code.
    :ivar police_district: the id of a registered police district (the core registers
        ``nordjylland``). A grant or INFO house with ``reach = "district"`` reaches every
        municipality of the same district.
    :ivar description: a longer explanation in both languages, if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    code: str = attrs.field(validator=_code)
    police_district: str = attrs.field(validator=identifier)
    description: Labels | None = None
