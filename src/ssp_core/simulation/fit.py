"""Decision shares fitted from a store: the published transition counts, turned into shares.

A scenario's decision shares may be set by hand or fitted from what happened:
:meth:`~ssp_core.application.casework.Casework.decision_counts` counts the ways out
taken from each state over a period, with small counts suppressed, and
:func:`fit_decisions` turns each state's published counts into shares. A state
whose counts are not all published (a count from 1 to 4, or one hidden to protect
another) is not fitted: it is listed, with the reason, for the researcher to set by
hand. The shares are aggregates over every case that left the state, never
anything about one case. :func:`decisions_toml` writes them as ``[[decisions]]``
tables to paste into a scenario.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import attrs

from ssp_core.i18n import _
from ssp_core.privacy.suppression import TOTAL, SuppressedTable
from ssp_core.simulation.scenario import Decision

__all__ = ["Fitted", "NotFitted", "decisions_toml", "fit_decisions"]

_DIGITS = 6


@attrs.frozen
class NotFitted:
    """A state whose shares could not be fitted, and why."""

    workflow: str
    state: str
    reason: str


@attrs.frozen
class Fitted:
    """The decision shares fitted, the cases each rests on, and the states left to set by hand.

    :ivar decisions: one per state with two or more ways out taken and every count published.
    :ivar departures: (workflow, state) to the number of transitions out of it counted.
    :ivar not_fitted: the states whose counts are not all published.
    """

    decisions: tuple[Decision, ...]
    departures: Mapping[tuple[str, str], int]
    not_fitted: tuple[NotFitted, ...]


def _shares(counts: Mapping[str, int], total: int) -> dict[str, float]:
    """Return the shares of ``counts`` rounded to 6 decimals, adding up to 1 exactly."""
    triggers = sorted(t for t, n in counts.items() if n > 0)
    shares = {t: round(counts[t] / total, _DIGITS) for t in triggers[:-1]}
    shares[triggers[-1]] = round(1 - sum(shares.values()), _DIGITS)
    return shares


def fit_decisions(tables: Mapping[tuple[str, str], SuppressedTable]) -> Fitted:
    """Fit the decision shares of every state from its table of transition counts."""
    decisions = []
    departures: dict[tuple[str, str], int] = {}
    not_fitted = []
    for (workflow, state), table in sorted(tables.items()):
        counts = {cell.key[0]: cell.count for cell in table.cells if cell.key[0] != TOTAL}
        total = next((cell.count for cell in table.cells if cell.key[0] == TOTAL), None)
        if total == 0:
            continue
        published = {t: n for t, n in counts.items() if n is not None}
        if total is None or len(published) < len(counts):
            reason = _("a count is suppressed (fewer than {n} cases, or hiding one)")
            not_fitted.append(NotFitted(workflow, state, reason.format(n=table.threshold)))
            continue
        departures[workflow, state] = total
        if sum(1 for n in published.values() if n > 0) < 2:
            continue  # one way out taken: nothing to decide
        decisions.append(Decision(workflow, state, _shares(published, total)))
    return Fitted(tuple(decisions), departures, tuple(not_fitted))


def decisions_toml(fitted: Fitted, since: dt.date, until: dt.date) -> str:
    """Return the fitted shares as ``[[decisions]]`` tables, with the states left to set by hand."""
    lines = [
        _("# Decision shares fitted from the transitions of {since} to {until}.").format(
            since=since.isoformat(), until=until.isoformat()
        ),
        _("# Shares of all cases that left each state; counts from 1 to 4 are never used."),
    ]
    for decision in fitted.decisions:
        n = fitted.departures[decision.workflow, decision.state]
        choices = ", ".join(
            f"{json.dumps(trigger)} = {share!r}" for trigger, share in decision.choices.items()
        )
        lines += [
            "",
            _("# from {n} transitions out of the state").format(n=n),
            "[[decisions]]",
            f"workflow = {json.dumps(decision.workflow)}",
            f"state = {json.dumps(decision.state)}",
            f"choices = {{ {choices} }}",
        ]
    if fitted.not_fitted:
        lines += ["", _("# Not fitted (set these by hand):")]
        lines += [f"#   {item.workflow} {item.state}: {item.reason}" for item in fitted.not_fitted]
    return "\n".join(lines) + "\n"
