"""Strategy: goals, initiatives with their sub-activities, indicators and the follow-up plan.

An initiative names the indicators (ids of ``follow_up.indicators``) that follow it
up; an indicator names the kind of measure (:class:`MeasureKind`) computed for it and
the measure's parameters. The core computes the measures
(:mod:`ssp_core.evaluation`); which initiative has which indicator is plugin data.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import attrs

from ssp_core.domain.concerns import Source
from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier
from ssp_core.exceptions import DataError
from ssp_core.i18n import _

__all__ = [
    "INDEX_MEASURES",
    "MEASURE_PARAMETERS",
    "CouncilTerm",
    "FollowUp",
    "Goal",
    "Indicator",
    "Initiative",
    "MeasureKind",
    "Strategy",
    "SubActivity",
]


class MeasureKind(StrEnum):
    """A kind of measure the core computes for an indicator."""

    SAFETY_INDEX = "safety_index"
    """A series from the safety survey, by area and year: an estimate and its interval."""
    REPORTED_CRIME = "reported_crime"
    """Reported crimes per 1,000 residents, by area and year."""
    CONCERNS = "concerns"
    """Concerns per action card, age band and year of opening; small counts hidden."""
    TIME_TO_FIRST_ACTION = "time_to_first_action"
    """Days from the concern to the first step on its action card: median and quartiles."""
    TRACK_OUTCOMES = "track_outcomes"
    """Prevention tracks completed, ended early or open, per track and year; small counts hidden."""
    WALK_FINDINGS = "walk_findings"
    """Safety-walk findings resolved, declined or open, per year; small counts hidden."""
    ADVICE_REQUESTS = "advice_requests"
    """Advice requests to the INFO house per kind of asker, outcome and quarter; small counts
    hidden."""


MEASURE_PARAMETERS: MappingProxyType[MeasureKind, frozenset[str]] = MappingProxyType(
    {
        MeasureKind.SAFETY_INDEX: frozenset({"index_measure", "areas"}),
        MeasureKind.REPORTED_CRIME: frozenset({"areas"}),
        MeasureKind.CONCERNS: frozenset({"workflows", "age_bands"}),
        MeasureKind.TIME_TO_FIRST_ACTION: frozenset({"workflows"}),
        MeasureKind.TRACK_OUTCOMES: frozenset({"workflows"}),
        MeasureKind.WALK_FINDINGS: frozenset({"areas"}),
        MeasureKind.ADVICE_REQUESTS: frozenset({"workflows"}),
    }
)
"""The parameters of an :class:`Indicator` each measure kind takes."""

INDEX_MEASURES: tuple[str, ...] = ("unsafe_share", "safe_share", "neither_share", "safety_mean")
"""The standard measures of a safety-index indicator: the weighted shares feeling unsafe,
safe or neither, and the weighted mean of the 1-7 safety item (1 = basically safe). The
index configuration may add others (a problem or worry item's ``<item>_mean``, the
composite); the evaluation checks the name against it."""

_MEASURE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

_TERM = re.compile(r"^(\d{4})\s*[-\u2013]\s*(\d{4})$")  # a hyphen or an en dash


@attrs.frozen(order=True)
class CouncilTerm:
    """A municipal council term (byrådsperiode): four calendar years, e.g. 2022-2025.

    A term begins on 1 January after the November election: 2018-2021, 2022-2025,
    2026-2029. Build one from text with :meth:`parse`.
    """

    first_year: int = attrs.field()

    @first_year.validator
    def _check(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1970 <= value <= 9996:
            raise DataError(
                _("a council term's first year must be a year, not {value}").format(
                    value=repr(value)
                )
            )
        if value % 4 != 2:
            raise DataError(
                _(
                    "no council term begins in {year}: a term runs four calendar years from "
                    "1 January after the election (e.g. 2022-2025, 2026-2029)"
                ).format(year=value)
            )

    @classmethod
    def parse(cls, text: str) -> CouncilTerm:
        """Return the term written ``YYYY-YYYY``, e.g. ``2022-2025``.

        A malformed text or a term that is not one is a :class:`~ssp_core.exceptions.DataError`.
        """
        found = _TERM.match(text.strip()) if isinstance(text, str) else None
        if found is None:
            raise DataError(
                _("a council term is written like 2022-2025, not {text}").format(text=repr(text))
            )
        first, last = int(found[1]), int(found[2])
        if last != first + 3:
            raise DataError(
                _(
                    "council term {text} is not four calendar years: a term such as "
                    "{first}-{last} runs from 1 January {first} to 31 December {last}"
                ).format(text=repr(text), first=first, last=first + 3)
            )
        return cls(first)

    @property
    def last_year(self) -> int:
        """Return the term's last calendar year."""
        return self.first_year + 3

    @property
    def start(self) -> dt.date:
        """Return the term's first day, 1 January of its first year."""
        return dt.date(self.first_year, 1, 1)

    @property
    def end(self) -> dt.date:
        """Return the term's last day, 31 December of its last year."""
        return dt.date(self.last_year, 12, 31)

    def __str__(self) -> str:
        return f"{self.first_year}-{self.last_year}"


@attrs.frozen
class Goal:
    """A goal of a safety strategy, e.g. "more sense of safety".

    In TOML, one table of a strategy's ``goals`` (``[[strategies.goals]]`` in a data file).

    :ivar id: the goal's id, unique in its strategy, e.g. ``greater_sense_of_safety``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by
        ``.`` or ``-``). Initiatives name it in ``goals``.
    :ivar labels: the goal's text in Danish and English.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class SubActivity:
    """A concrete activity within an initiative, e.g. a drug seminar.

    In TOML, one table of an initiative's ``activities``.

    :ivar id: the activity's id, e.g. ``substance_seminar`` (lower-case letters, digits and
        ``_``, starting with a letter; parts joined by ``.`` or ``-``).
    :ivar labels: its name in Danish and English, listed with the initiative in reports.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class Initiative:
    """An initiative of a strategy, the goals it serves, its sub-activities and indicators.

    In TOML, one table of a strategy's ``initiatives`` (``[[strategies.initiatives]]`` in a
    data file).

    :ivar id: the initiative's id, unique in its strategy, e.g. ``safety_walks``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by
        ``.`` or ``-``). Activities logged for the initiative name it.
    :ivar labels: its name in Danish and English.
    :ivar goals: the ids of the goals of this strategy it serves; may be left out.
    :ivar activities: its sub-activities, an array of tables (``SubActivity``); may be
        left out.
    :ivar workflows: the ids of registered workflows that belong to it (e.g.
        ``aalborg.mentor``), listed with it in the evaluation report; they do not limit
        what its indicators count. May be left out.
    :ivar indicators: the ids of the strategy's ``follow_up.indicators`` that follow it
        up; left out, its evaluation has no indicator.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    goals: tuple[str, ...] = ()
    activities: tuple[SubActivity, ...] = ()
    workflows: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


@attrs.frozen
class Indicator:
    """Something measured to follow up on goals and initiatives, e.g. the safety index.

    ``measure`` names a :class:`MeasureKind` (``None``: described, not computed);
    the other fields are the measure's parameters (:data:`MEASURE_PARAMETERS` says
    which kind takes which). A parameter its measure does not take, or any parameter
    without a measure, is an error.
    In TOML, one table of a strategy's ``follow_up.indicators``.

    :ivar id: the indicator's id, unique in its strategy, e.g. ``safety_index``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by
        ``.`` or ``-``). Initiatives name it in ``indicators``.
    :ivar labels: its name in Danish and English.
    :ivar source: where its data come from, in Danish and English (a ``Labels``, not a
        ``Source``), shown in the evaluation report; may be left out.
    :ivar measure: what the core computes: ``safety_index``, ``reported_crime``,
        ``concerns``, ``time_to_first_action``, ``track_outcomes``, ``walk_findings`` or
        ``advice_requests``. Left out, the indicator is described but not computed.
    :ivar workflows: for ``concerns`` and ``time_to_first_action`` (action cards),
        ``track_outcomes`` (prevention tracks) and ``advice_requests``: the ids of the
        registered workflows of that kind to count. Left out: every workflow of that kind.
    :ivar age_bands: for ``concerns`` only: the ids of registered age bands to count by,
        which must not overlap. Left out: the bands the action cards name.
    :ivar index_measure: for ``safety_index`` only: the series shown, ``unsafe_share``
        (the default), ``safe_share``, ``neither_share``, ``safety_mean``, or another
        measure of the index configuration (lower-case letters, digits and ``_``).
    :ivar areas: for ``safety_index`` and ``reported_crime``: area names as in the survey
        or crime file; for ``walk_findings``: ids of registered localities. Left out: all.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    source: Labels | None = None
    measure: str | None = None
    workflows: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    index_measure: str | None = None
    areas: tuple[str, ...] = ()

    @property
    def kind(self) -> MeasureKind | None:
        """Return the measure kind, or ``None`` if none (or an unknown one) is named."""
        try:
            return MeasureKind(self.measure) if self.measure is not None else None
        except ValueError:
            return None

    def problems(self) -> list[str]:
        """Return what is wrong: an unknown measure kind, parameters it does not take."""
        where = f"indicator {self.id!r}"
        if self.measure is None:
            given = self._given()
            return [f"{where} sets {', '.join(given)} but names no measure"] if given else []
        kind = self.kind
        if kind is None:
            known = ", ".join(k.value for k in MeasureKind)
            return [f"{where} names unknown measure {self.measure!r}; known: {known}"]
        found = [
            f"{where}: measure {kind.value!r} takes no {name!r} (it takes: "
            f"{', '.join(sorted(MEASURE_PARAMETERS[kind])) or 'nothing'})"
            for name in self._given()
            if name not in MEASURE_PARAMETERS[kind]
        ]
        if self.index_measure is not None and not _MEASURE_NAME.match(self.index_measure):
            found.append(
                f"{where}: index measure {self.index_measure!r} is not a measure name such as "
                f"{', '.join(INDEX_MEASURES)}"
            )
        return found

    def _given(self) -> list[str]:
        values: dict[str, Any] = {
            "workflows": self.workflows,
            "age_bands": self.age_bands,
            "index_measure": self.index_measure,
            "areas": self.areas,
        }
        return [name for name, value in values.items() if value not in ((), None)]


def _council_terms(_instance: object, _attribute: attrs.Attribute[Any], value: Any) -> None:
    for text in value:
        CouncilTerm.parse(text)


@attrs.frozen
class FollowUp:
    """How a strategy is followed up: indicators, evaluations and their rhythm.

    In TOML, a strategy's ``follow_up`` table (``[strategies.follow_up]`` in a data file).

    :ivar indicators: what is measured, an array of tables (``Indicator``); may be left
        out.
    :ivar evaluations: the evaluations planned, an array of ``Labels`` tables (``da``,
        ``en``), listed in the evaluation report; may be left out.
    :ivar council_terms: the council terms the strategy covers, each four calendar years
        from the January after an election, written ``"2022-2025"``; an overall
        evaluation is made for each. Left out: an evaluation may be of any term.
    """

    indicators: tuple[Indicator, ...] = ()
    evaluations: tuple[Labels, ...] = ()
    council_terms: tuple[str, ...] = attrs.field(default=(), validator=_council_terms)

    def terms(self) -> tuple[CouncilTerm, ...]:
        """Return the council terms, parsed, in order."""
        return tuple(sorted(CouncilTerm.parse(text) for text in self.council_terms))

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the indicator with ``indicator_id``; ``KeyError`` if there is none."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)


@attrs.frozen
class Strategy:
    """A municipality's safety strategy: goals, initiatives, follow-up, and its source.

    :ivar id: the strategy's id, e.g. ``aalborg.tryg_aalborg`` (lower-case letters, digits
        and ``_``, starting with a letter; parts joined by ``.`` or ``-``); a
        municipality's plugin names it ``<municipality>.<name>``. Logged activities name it.
    :ivar labels: its name in Danish and English.
    :ivar goals: its goals, an array of tables (``Goal``); may be left out.
    :ivar initiatives: its initiatives, an array of tables (``Initiative``); may be left
        out.
    :ivar follow_up: how it is followed up, a table (``FollowUp``). Left out: no
        indicators, evaluations or council terms.
    :ivar source: where the strategy comes from (a ``Source`` table), if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    goals: tuple[Goal, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    follow_up: FollowUp = FollowUp()
    source: Source | None = None

    def goal(self, goal_id: str) -> Goal:
        """Return the goal with ``goal_id``."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(goal_id)

    def initiative(self, initiative_id: str) -> Initiative:
        """Return the initiative with ``initiative_id``; ``KeyError`` if there is none."""
        for initiative in self.initiatives:
            if initiative.id == initiative_id:
                return initiative
        raise KeyError(initiative_id)

    def problems(self) -> list[str]:
        """Return what is inconsistent: unknown goals or indicators, bad measures, repeated ids."""
        found: list[str] = []
        goal_ids = [goal.id for goal in self.goals]
        initiative_ids = [initiative.id for initiative in self.initiatives]
        indicator_ids = [indicator.id for indicator in self.follow_up.indicators]
        for ids, what in (
            (goal_ids, "goal"),
            (initiative_ids, "initiative"),
            (indicator_ids, "indicator"),
        ):
            found.extend(
                f"{what} {dup!r} appears more than once"
                for dup in sorted(set(ids))
                if ids.count(dup) > 1
            )
        for initiative in self.initiatives:
            found.extend(
                f"initiative {initiative.id!r} names unknown goal {goal!r}"
                for goal in initiative.goals
                if goal not in goal_ids
            )
            found.extend(
                f"initiative {initiative.id!r} names unknown indicator {indicator!r}; "
                f"known: {', '.join(indicator_ids) or 'none'}"
                for indicator in initiative.indicators
                if indicator not in indicator_ids
            )
        for indicator in self.follow_up.indicators:
            found.extend(indicator.problems())
        return found
