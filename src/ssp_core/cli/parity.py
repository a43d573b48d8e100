"""Which command carries each use case of :class:`~ssp_core.Casework`: the CLI's parity table.

Also the one convention for machine output: every command that prints data, or
writes something, takes ``--json`` (a write prints what it made or changed); the
commands without it are in ``WITHOUT_JSON`` with the reason. ``--format`` chooses
among documents and renderings (Markdown, HTML, Mermaid, CSV, a table), and where it
offers ``json`` too, ``--json`` means the same.

Every public method of ``Casework`` is carried by a command (``COMMANDS``) or exempt
with its reason (``EXEMPT``). A test fails on a method in neither, on a command that
does not exist, and on a command whose module does not call its method, so a use
case added to the application layer cannot miss its command unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["COMMANDS", "EXEMPT", "WITHOUT_JSON"]

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
    "decision_counts": "decision-shares",
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

WITHOUT_JSON: Mapping[str, str] = {
    "demo": "a narrated walk-through; its cases are read back with `ssp case ... --json`",
    "evaluate initiative": "writes a report (Markdown, HTML, figures) into a folder",
    "evaluate term": "writes a report (Markdown, HTML, figures) into a folder",
    "export": "writes research files; --format chooses CSV or Parquet",
    "identity correct": "changes the identity vault, whose contents are printed by no command",
    "index plot": "writes figures (PNG, SVG)",
    "index synthetic": "writes a synthetic survey file",
    "key new": "writes a key file; `ssp key fingerprint --json` names it",
    "plugin new": "writes a plugin package and lists its files",
    "retention scrub": "prints what may remain of erased data, for a person to act on",
    "server start": "runs a server; `ssp server status` says whether it answers",
    "server status": "one line: running or not (the exit status says the same)",
    "server stop": "stops the server",
    "walk geojson": "its output is GeoJSON already",
    "walk report": "writes a report (Markdown, HTML, map) into a folder",
}
"""Each command without ``--json``, and why."""
