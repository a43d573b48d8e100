"""Embedding ssp_core: open a concern, see what can be done, record, fire.

Run with ``python examples/embedding.py`` after the quick start's install.
"""

from __future__ import annotations

import datetime as dt

import ssp_core


def main() -> None:
    registry = ssp_core.load_registry()  # the core + installed plugins (Aalborg)
    clock = ssp_core.VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    # An in-memory store gets a random municipal key that dies with it. A real store
    # needs the municipality's key: key=ssp_core.MunicipalKey.from_env() (or .from_file).
    casework = ssp_core.Casework(registry, clock=clock)

    teacher = ssp_core.Actor("dan", "aalborg.frontline_worker")
    consultant = ssp_core.Actor("anne", "aalborg.ssp_consultant")
    # A synthetic number: the case gets a keyed pseudonym and the birth date; the CPR
    # number is kept only sealed, in the identity vault.
    subject = casework.enrol("201109-4017", teacher)
    case = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=subject,
        concern_date=clock.now().date(),
        actor=teacher,
    )
    print("card:", case.workflow, "state:", case.state)
    print("due:", [d.due.isoformat() for d in casework.deadlines(case.id, consultant)])

    casework.record_fact(case.id, "concern_described", consultant)
    casework.fire(case.id, "begin_analysis", consultant)
    for option in casework.options(case.id, consultant):
        why = "; ".join(reason.message for reason in option.reasons)
        print(f"{option.trigger:22} {'yes' if option.allowed else 'no ':3} {why}")

    try:
        casework.fire(case.id, "start_intervention", consultant)
    except ssp_core.TransitionRefused as refused:
        print("refused:", refused)
    history = casework.history(case.id, consultant, purpose="casework")  # reads name a purpose
    print("history:", [type(event).__name__ for event in history])


if __name__ == "__main__":
    main()
