"""The research export, as a use case: checked, audited, then written by the privacy layer.

:meth:`ResearchExports.research_export` checks the ``research.export`` permission
and what the export asks for, audits it, and hands the store, the codec and the
registry to :func:`ssp_core.privacy.export.export_research`, limited to the
workflows the actor's grants name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import RESEARCH
from ssp_core.domain.roles import Actor
from ssp_core.i18n import language
from ssp_core.progress import Progress
from ssp_core.store.records import AuditAction

if TYPE_CHECKING:
    from ssp_core.privacy.export import ExportResult

__all__ = ["ResearchExports"]


class ResearchExports:
    """The use case of exports for research."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def research_export(
        self,
        actor: Actor,
        *,
        kind: str,
        out: str | os.PathLike[str],
        fmt: str = "csv",
        purpose: str = RESEARCH,
        age_bands: Sequence[str] | None = None,
        municipalities: Iterable[str] | None = None,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Write a research export: events under fresh ids, or tables with small cells suppressed.

        Needs the ``research.export`` permission (a refusal is audited and nothing is
        written); the export is audited and covers the workflows the actor's grants
        for it name (all with ``*``), and the municipalities asked (default: every
        one its grants reach: its own, or with a district-wide grant the district's).
        ``age_bands`` names the bands (default: those of the action cards). See
        :mod:`ssp_core.privacy.export`. ``progress(done, total)`` follows the cases read.
        """
        from ssp_core.privacy.export import (  # noqa: PLC0415 (loaded when an export runs)
            export_research,
            prepare_export,
        )
        from ssp_core.privacy.tables import age_banding  # noqa: PLC0415

        services = self._services
        services.gate.authorise(actor, "research.export", purpose)
        chosen, form, target = prepare_export(kind, fmt, os.fspath(out))
        workflows = services.policy.workflows(actor, "research.export", purpose)
        municipalities = services.gate.within_reach(
            actor, "research.export", purpose, municipalities, services.registry.municipalities
        )
        banding = age_banding(services.registry, age_bands, municipalities)
        with language("en"):  # the audit log is kept in English
            bands = banding.describe()
        detail = f"research export: {chosen.value} as {form.value}, age bands {bands}"
        if municipalities is not None:
            detail += f", municipalities {', '.join(sorted(municipalities)) or 'none'}"
        services.gate.audit(actor, purpose, AuditAction.EXPORT, None, detail)
        return export_research(
            registry=services.registry,
            store=services.store,
            codec=services.codec,
            kind=chosen,
            out=target,
            fmt=form,
            banding=banding,
            workflows=workflows,
            municipalities=municipalities,
            today=local_date(services.clock.now()),
            progress=progress,
        )
