"""Evaluations and the goal report: goals → initiatives → indicators, with small counts hidden.

Each initiative of a strategy names the indicators that follow it up; each indicator
names a measure kind (:class:`~ssp_core.domain.strategy.MeasureKind`): the safety
index, reported crime, concerns per action card and age band, the time from concern
to first action, the outcomes of prevention tracks, and the findings of safety walks.
:func:`evaluate_initiative` evaluates one initiative over a period,
:func:`evaluate_term` makes the overall evaluation of a council term, and
:func:`render` / :func:`write_report` turn the result into Markdown and HTML with
figures. ``Casework.evaluate`` checks the permission ``report.evaluate`` and audits.

Every count goes through :func:`ssp_core.privacy.suppression.suppress`; statistics
over cases are shown only for groups of at least five; no person is scored.
"""

from ssp_core.evaluation.delays import Delay
from ssp_core.evaluation.evaluate import (
    Evaluation,
    GoalResult,
    IndicatorResult,
    InitiativeResult,
    evaluate_initiative,
    evaluate_term,
)
from ssp_core.evaluation.facts import FirstAction, first_actions
from ssp_core.evaluation.index_series import IndexInputs, Series, SeriesPoint
from ssp_core.evaluation.measures import MEASURES, Measure, MeasureKind
from ssp_core.evaluation.period import Period
from ssp_core.evaluation.report import render, write_report

__all__ = [
    "MEASURES",
    "Delay",
    "Evaluation",
    "FirstAction",
    "GoalResult",
    "IndexInputs",
    "IndicatorResult",
    "InitiativeResult",
    "Measure",
    "MeasureKind",
    "Period",
    "Series",
    "SeriesPoint",
    "evaluate_initiative",
    "evaluate_term",
    "first_actions",
    "render",
    "write_report",
]
