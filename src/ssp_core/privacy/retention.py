"""Retention: which closed cases are due for erasure, and under which rule.

:func:`plan_erasure` is pure: given the closed cases of the index, the case ids that
still have a data key and the registered rules, it returns what is due on a day.
:meth:`ssp_core.application.casework.Casework.erase_due` erases it by crypto-shredding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

import attrs

from ssp_core.clock import local_date
from ssp_core.domain.retention import RetentionRule
from ssp_core.store.records import CaseRow

__all__ = ["ErasureItem", "ErasureReport", "plan_erasure", "rule_for"]


@attrs.frozen
class ErasureItem:
    """A closed case due for erasure: when it closed, the rule, and the first day it is due."""

    case_id: str
    workflow: str
    outcome: str
    closed_on: dt.date
    rule: str
    due_on: dt.date


@attrs.frozen
class ErasureReport:
    """What an erasure run did: the cases erased, the vault entries destroyed, and those kept.

    ``without_rule`` are closed cases of workflows no rule covers: they are never
    erased, and listed so that the municipality can add a rule. ``remains`` says
    where copies of the destroyed keys and vault entries may still be, as the store
    reported it (empty: nowhere it knows of).
    """

    erased: tuple[ErasureItem, ...]
    identities: int
    without_rule: tuple[str, ...]
    dry_run: bool
    remains: tuple[str, ...] = ()


def rule_for(rules: Iterable[RetentionRule], workflow: str, outcome: str) -> RetentionRule | None:
    """Return the rule for a case: its workflow's rule for its outcome, else for any outcome."""
    general = None
    for rule in rules:
        if rule.workflow != workflow:
            continue
        if rule.outcome == outcome:
            return rule
        if rule.outcome is None:
            general = rule
    return general


def plan_erasure(
    rows: Iterable[CaseRow],
    keyed: Collection[str],
    rules: Iterable[RetentionRule],
    on: dt.date,
) -> tuple[list[ErasureItem], list[str]]:
    """Return the closed cases due for erasure on ``on``, and the closed ones no rule covers.

    Only cases that still have a data key (``keyed``) can be erased; the day a case
    closed is its Danish local date.
    """
    rules = list(rules)
    due: list[ErasureItem] = []
    without: list[str] = []
    for row in rows:
        if row.closed_at is None or row.case_id not in keyed:
            continue
        rule = rule_for(rules, row.workflow, row.state)
        if rule is None:
            without.append(row.case_id)
            continue
        closed = local_date(row.closed_at)
        due_on = rule.due_on(closed)
        if due_on <= on:
            due.append(ErasureItem(row.case_id, row.workflow, row.state, closed, rule.id, due_on))
    return due, without
