"""Which command carries each use case of :class:`~ssp_core.Casework`: the CLI's parity table.

Every public method of ``Casework`` is carried by a command (``COMMANDS``) or exempt
with its reason (``EXEMPT``). A test fails on a method in neither, on a command that
does not exist, and on a command whose module does not call its method, so a use
case added to the application layer cannot miss its command unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["COMMANDS", "EXEMPT"]

COMMANDS: Mapping[str, str] = {
    "add_note": "case note",
    "assign": "case assign",
    "assign_finding": "walk assign",
    "audit_log": "audit",
    "case": "case history",
    "coming_of_age": "case coming-of-age",
    "correct_identity": "identity correct",
    "disclose": "disclose",
    "disclosures": "disclosures",
    "enrol": "advice concern",
    "erase_due": "retention run",
    "evaluate": "evaluate initiative",
    "export": "case history",
    "extend_deadline": "case extend",
    "find": "case list",
    "findings": "walk findings",
    "fire": "case fire",
    "import_walk": "walk import",
    "migrate": "case migrate",
    "move_case": "case move",
    "open_case": "case open",
    "open_concern": "case open",
    "open_for_person": "case open",
    "overdue": "case overdue",
    "plan_migration": "case migrate",
    "plan_walk": "walk plan",
    "record_coming_of_age": "case coming-of-age",
    "record_consent": "consent give",
    "record_fact": "case fact",
    "record_finding": "walk finding",
    "record_missed_deadlines": "case overdue",
    "record_observation": "case observe",
    "record_resource": "case resource",
    "record_session": "case session",
    "reidentify": "identity show",
    "research_export": "export",
    "resume": "case resume",
    "rotate_key": "key rotate",
    "scrub_store": "retention scrub",
    "seal_unsealed": "store seal",
    "suspend": "case suspend",
    "view": "case show",
    "view_of": "case fire",
    "walks": "walk list",
    "withdraw_consent": "consent withdraw",
}
"""Each use case and the command (``ssp <group> <command>``) that calls it."""

EXEMPT: Mapping[str, str] = {
    "close": "closes the store: each command's process does it when the command ends",
    "deadlines": "the deadlines of a case are part of its view: `ssp case show`",
    "guide": "`ssp guide` builds the same guide from the registry, without a store",
    "history": "the events of `Casework.case`: `ssp case history` shows them",
    "load_cases": "a batch read for embedding systems; `ssp case show` reads one case",
    "migrate_case": (
        "moves one case; `ssp case migrate` moves every running case of a version, "
        "planned first with --dry-run"
    ),
    "options": "what an actor may do next is part of the view: `ssp case show`",
    "pseudonymiser_for": (
        "infrastructure for an embedding system; `ssp case open --cpr-stdin` pseudonymises"
    ),
    "retention_due": "`ssp retention run --dry-run` lists the same cases (erase_due, a dry run)",
    "upgrade_store": (
        "`ssp store upgrade` runs the same use case on a store too old for a Casework "
        "to open (application.admin.upgrade_store_at)"
    ),
}
"""Each use case without a command of its own, and why."""
