"""Embedding ssp_core: open a concern, see what can be done, record, fire.

Run with ``python examples/embedding.py`` after the quick start's install.
"""

from __future__ import annotations

import datetime as dt
import secrets

import ssp_core


def main() -> None:
    registry = ssp_core.load_registry()  # the core + installed plugins (Aalborg)
    clock = ssp_core.VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    casework = ssp_core.Casework(registry, clock=clock)
    # In production the key comes from the municipality's key store, never from code.
    pseudonyms = ssp_core.Pseudonymiser(secrets.token_bytes(32))

    teacher = ssp_core.Actor("dan", "frontline_worker")
    consultant = ssp_core.Actor("anne", "ssp_consultant")
    subject = pseudonyms.subject("201109-4017")  # synthetic; the number is not kept
    case = casework.open_concern(
        situation="radicalisation",
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
    print("history:", [type(event).__name__ for event in casework.history(case.id, consultant)])


if __name__ == "__main__":
    main()
