"""Strategy: goals, initiatives with their sub-activities, indicators and the follow-up plan."""

from __future__ import annotations

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier

__all__ = ["FollowUp", "Goal", "Indicator", "Initiative", "Strategy", "SubActivity"]


@attrs.frozen
class Goal:
    """A goal of a safety strategy, e.g. "more sense of safety"."""

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class SubActivity:
    """A concrete activity within an initiative, e.g. a drug seminar."""

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class Initiative:
    """An initiative of a strategy, the goals it serves and its sub-activities."""

    id: str = attrs.field(validator=identifier)
    labels: Labels
    goals: tuple[str, ...] = ()
    activities: tuple[SubActivity, ...] = ()
    workflows: tuple[str, ...] = ()


@attrs.frozen
class Indicator:
    """Something measured to follow up on goals and initiatives, e.g. the safety index."""

    id: str = attrs.field(validator=identifier)
    labels: Labels
    source: Labels | None = None


@attrs.frozen
class FollowUp:
    """How a strategy is followed up: indicators, evaluations and their rhythm."""

    indicators: tuple[Indicator, ...] = ()
    evaluations: tuple[Labels, ...] = ()


@attrs.frozen
class Strategy:
    """A municipality's safety strategy: goals, initiatives and follow-up."""

    id: str = attrs.field(validator=identifier)
    labels: Labels
    goals: tuple[Goal, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    follow_up: FollowUp = FollowUp()

    def goal(self, goal_id: str) -> Goal:
        """Return the goal with ``goal_id``."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(goal_id)

    def problems(self) -> list[str]:
        """Return what is inconsistent: initiatives naming unknown goals, repeated ids."""
        found: list[str] = []
        goal_ids = [goal.id for goal in self.goals]
        initiative_ids = [initiative.id for initiative in self.initiatives]
        for ids, what in ((goal_ids, "goal"), (initiative_ids, "initiative")):
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
        return found
