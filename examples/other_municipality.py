"""A plugin for another municipality, in one module, registered explicitly.

"Eksempelby" (a made-up municipality) keeps Aalborg's cards but adds its own SSP+
age band and a partner, and overrides one of Aalborg's role labels on purpose. A
real plugin is a package with an entry point in the ``ssp_core`` group; see
``plugins/ssp-aalborg``.
"""

from __future__ import annotations

import ssp_core
import ssp_core.plugins
from ssp_core import hookimpl, override
from ssp_core.plugins import AgeBand, Labels, Partner, Role

plugin_name = "eksempelby"


@hookimpl
def ssp_register_age_bands() -> list[AgeBand]:
    """SSP+ runs to 30 here (age bands are local data, not law)."""
    return [AgeBand("eksempelby.ssp_plus", Labels(da="SSP+ (18-30 år)", en="SSP+ (18-30)"), 18, 30)]


@hookimpl
def ssp_register_partners() -> list[Partner]:
    """A local partner."""
    return [
        Partner(
            "eksempelby.night_ravens",
            "volunteer_organisation",
            Labels(da="Natteravnene i Eksempelby", en="Night Ravens of Eksempelby"),
        )
    ]


@hookimpl
def ssp_register_roles() -> list[ssp_core.plugins.Override[Role]]:
    """Rename Aalborg's frontline-worker role for this municipality, on purpose."""
    return [override(Role("aalborg.frontline_worker", Labels(da="Medarbejder", en="Staff member")))]


def main() -> None:
    import sys  # noqa: PLC0415

    registry = ssp_core.load_registry(plugins=[sys.modules[__name__]])
    print("plugins:", [info.name for info in registry.plugins])
    print("ssp+ band:", registry.age_bands["eksempelby.ssp_plus"].labels.en)
    print("frontline_worker from:", registry.roles.contributor("aalborg.frontline_worker"))
    print("partners of eksempelby:", registry.contributions_of("eksempelby").get("partner"))


if __name__ == "__main__":
    main()
