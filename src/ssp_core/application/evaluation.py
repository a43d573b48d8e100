"""Evaluations, as a use case: checked, audited, then computed by the evaluation layer.

:meth:`Evaluations.evaluate` checks the ``report.evaluate`` permission, audits the
evaluation, and hands the registry, the store and the codec to
:mod:`ssp_core.evaluation`, with the counts limited to the workflows the actor's
grants name. The evaluation layer (NumPy, the survey readers) is imported when an
evaluation runs, not before.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import RESEARCH
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError, UnknownId
from ssp_core.i18n import _
from ssp_core.store.records import AuditAction

if TYPE_CHECKING:
    from ssp_core.evaluation.evaluate import Evaluation
    from ssp_core.privacy.suppression import SuppressedTable

__all__ = ["EVALUATE", "Evaluations"]

EVALUATE = "report.evaluate"
"""The operation an evaluation needs."""


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value is not None else None


class Evaluations:
    """The use case of evaluating an initiative or a council term."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def evaluate(
        self,
        actor: Actor,
        *,
        initiative: str | None = None,
        term: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        strategy: str | None = None,
        survey: str | os.PathLike[str] | None = None,
        crime: str | os.PathLike[str] | None = None,
        index_config: str | os.PathLike[str] | None = None,
        purpose: str = RESEARCH,
        municipalities: Iterable[str] | None = None,
    ) -> Evaluation:
        """Evaluate an initiative (over ``since``/``until`` or a ``term``), or a council term.

        Needs the ``report.evaluate`` permission: a role without it gets
        :class:`~ssp_core.exceptions.AccessDenied`, audited, and nothing is read. The
        counts cover the workflows the actor's grants for it name (all with ``*``);
        small ones are hidden. They cover the municipalities asked (default: every one
        the grants reach: one municipality's, or a district's). The safety-index
        indicators need the ``survey`` (and ``crime``) files. Audited.
        """
        from ssp_core.evaluation import evaluate as ev  # noqa: PLC0415 (NumPy: when it runs)
        from ssp_core.evaluation import index_series  # noqa: PLC0415

        services = self._services
        services.gate.authorise(actor, EVALUATE, purpose)
        period = ev.requested_period(initiative, term, since, until)
        chosen = ev.pick_strategy(services.registry, strategy)
        initiatives = [i.id for i in chosen.initiatives]
        if initiative is not None and initiative not in initiatives:
            raise UnknownId("initiative", initiative, initiatives)
        workflows = services.policy.workflows(actor, EVALUATE, purpose)
        municipalities = services.gate.within_reach(
            actor, EVALUATE, purpose, municipalities, services.registry.municipalities
        )
        index = index_series.IndexInputs(
            survey=_path(survey), crime=_path(crime), config=_path(index_config)
        )
        index_series.check(index)
        what = f"initiative {initiative}" if initiative is not None else "overall"
        detail = f"evaluation of {chosen.id}: {what}, {period.describe()}"
        if municipalities is not None:
            detail += f", municipalities {', '.join(sorted(municipalities)) or 'none'}"
        services.gate.audit(actor, purpose, AuditAction.EXPORT, None, detail)
        today = local_date(services.clock.now())
        if initiative is not None:
            return ev.evaluate_initiative(
                chosen,
                initiative,
                period,
                registry=services.registry,
                store=services.store,
                codec=services.codec,
                today=today,
                workflows=workflows,
                municipalities=municipalities,
                index=index,
            )
        assert period.term is not None  # noqa: S101 (requested_period gives a term without one)
        return ev.evaluate_term(
            chosen,
            period.term,
            registry=services.registry,
            store=services.store,
            codec=services.codec,
            today=today,
            workflows=workflows,
            municipalities=municipalities,
            index=index,
        )

    def decision_counts(
        self,
        actor: Actor,
        *,
        since: dt.date,
        until: dt.date,
        purpose: str = RESEARCH,
        municipalities: Iterable[str] | None = None,
    ) -> dict[tuple[str, str], SuppressedTable]:
        """Count, per (workflow, state), the ways out taken from ``since`` to ``until``.

        The aggregate a scenario's decision shares are fitted from
        (:func:`ssp_core.evaluation.decisions.transition_counts`): the triggers fired
        from each state, small counts suppressed as in every published table.
        Needs the ``report.evaluate`` permission (a role without it gets
        :class:`~ssp_core.exceptions.AccessDenied`, audited, and nothing is read); the
        counts cover the workflows the actor's grants name and the municipalities
        asked (default: every one the grants reach). Audited.
        """
        from ssp_core.evaluation.decisions import transition_counts  # noqa: PLC0415

        services = self._services
        services.gate.authorise(actor, EVALUATE, purpose)
        if since > until:
            raise DataError(
                _("the period ends ({until}) before it begins ({since})").format(
                    since=since.isoformat(), until=until.isoformat()
                )
            )
        workflows = services.policy.workflows(actor, EVALUATE, purpose)
        municipalities = services.gate.within_reach(
            actor, EVALUATE, purpose, municipalities, services.registry.municipalities
        )
        detail = f"decision counts, {since.isoformat()} to {until.isoformat()}"
        if municipalities is not None:
            detail += f", municipalities {', '.join(sorted(municipalities)) or 'none'}"
        services.gate.audit(actor, purpose, AuditAction.EXPORT, None, detail)
        return transition_counts(
            services.store,
            services.codec,
            services.registry,
            since=since,
            until=until,
            workflows=workflows,
            municipalities=municipalities,
        )
