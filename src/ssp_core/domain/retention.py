"""Retention: how long a closed case is kept, by workflow and outcome, in the KLE style.

A :class:`RetentionRule` says that cases of a workflow (optionally: closed in one
final state, e.g. ``closed_unfounded``) are erased a period after they closed. The
period is written as in KL's deletion codes, an ISO 8601 duration such as
``P1825D`` (1,825 days, five years) or ``P5Y``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier
from ssp_core.exceptions import DataError

__all__ = ["RetentionPeriod", "RetentionRule"]

_PERIOD = re.compile(r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?$")


@attrs.frozen
class RetentionPeriod:
    """A period in years, months and days, parsed from an ISO 8601 duration like ``P1825D``.

    In TOML a period is one string, an ISO 8601 duration ``PnYnMnD`` read by ``parse``,
    e.g. ``period = "P1825D"`` (1,825 days), ``"P5Y"`` or ``"P1Y6M"``. Any part may be
    left out, but at least one is given, in that order; weeks (``W``) and times (``T``)
    are refused. A period after a day adds the years and months on the calendar (a day
    past the end of the month it lands in becomes that month's last day), then the days.

    :ivar years: the whole years (the ``nY`` part), 0 or more; 0 if left out.
    :ivar months: the whole months (the ``nM`` part), 0 or more; 0 if left out.
    :ivar days: the whole days (the ``nD`` part), 0 or more; 0 if left out.
    """

    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> RetentionPeriod:
        """Parse ``PnYnMnD`` (any part may be left out, at least one given)."""
        match = _PERIOD.match(text) if isinstance(text, str) else None
        if match is None or text == "P":
            raise DataError(
                f"a retention period must be an ISO 8601 duration of years, months and days "
                f"such as 'P1825D' or 'P5Y'; got {text!r}"
            )
        return cls(**{name: int(value) for name, value in match.groupdict().items() if value})

    def after(self, day: dt.date) -> dt.date:
        """Return the day this period after ``day`` (29 February moves to the 28th)."""
        months = day.month - 1 + self.months + 12 * self.years
        year, month = day.year + months // 12, months % 12 + 1
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=self.days)

    def __str__(self) -> str:
        parts = [
            f"{n}{u}" for n, u in ((self.years, "Y"), (self.months, "M"), (self.days, "D")) if n
        ]
        return "P" + "".join(parts or ["0D"])


def _period(value: RetentionPeriod | str) -> RetentionPeriod:
    return value if isinstance(value, RetentionPeriod) else RetentionPeriod.parse(value)


@attrs.frozen
class RetentionRule:
    """Erase closed cases of ``workflow`` (in final state ``outcome``) ``period`` after closing.

    A rule for an outcome is preferred to the workflow's rule for any outcome; closed
    cases no rule covers are never erased.

    :ivar id: the rule's id, unique in the deployment, e.g.
        ``aalborg.radicalisation_under_18.unfounded`` (lower-case letters, digits and ``_``,
        starting with a letter; parts joined by ``.`` or ``-``); in a municipality's plugin
        it starts with the municipality's id and a dot. Erasure plans and reports name it.
    :ivar workflow: the id of the registered workflow whose closed cases it covers (any
        version), e.g. ``aalborg.mentor``.
    :ivar period: how long after closing a case is kept: an ISO 8601 duration string such as
        ``"P1825D"`` or ``"P5Y"`` (see ``RetentionPeriod``), counted from the Danish date the
        case closed; the case may be erased from the day it ends.
    :ivar outcome: the final state of the workflow the rule is for, e.g. ``closed_unfounded``;
        left out, the rule covers every outcome that has no rule of its own.
    :ivar kle: the cases' KLE number (``hovedgruppe.gruppe.emne``), kept for the record;
        optional, and not checked.
    :ivar description: a longer explanation in both languages, if any.
    """

    id: str = attrs.field(validator=identifier)
    workflow: str = attrs.field(validator=identifier)
    period: RetentionPeriod = attrs.field(converter=_period)
    outcome: str | None = None
    kle: str | None = None
    description: Labels | None = None

    def due_on(self, closed: dt.date) -> dt.date:
        """Return the first day a case closed on ``closed`` may be erased under this rule."""
        return self.period.after(closed)
