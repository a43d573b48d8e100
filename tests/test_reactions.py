"""Issue 15, item 8: a plugin that fails after the commit does not fail the command.

Before, ``ssp case note`` exited 1 though the note was saved (inviting a duplicate),
and the message carried the plugin's error text, which quoted the decrypted note.
Now the command succeeds and a warning names the case, the hook, the plugin and the
error's type, never its message.
"""

from __future__ import annotations

import json

import pytest

import ssp_aalborg.hooks
from ssp_core import hookimpl
from ssp_core.cli import app
from ssp_core.plugins.registry import Registry
from ssp_core.testing import make_registry
from tests.test_cli_privacy import (  # the fixtures ssp, db and key_file come with them
    CONSULTANT,
    Run,
    _db,  # noqa: F401
    _key_file,  # noqa: F401
    _ssp,  # noqa: F401
)

PRIVATE_NOTE = "the pupil told me about his cousin qzxwv"


class Leaky:
    """A plugin whose reaction fails with the note it was handed in its message."""

    plugin_name = "leaky"

    @hookimpl
    def ssp_after_case_event(self, event: object) -> None:
        raise RuntimeError(f"partner system refused {getattr(event, 'text', '')!r}")


@pytest.fixture(name="leaky_registry")
def _leaky_registry(monkeypatch: pytest.MonkeyPatch) -> Registry:
    registry = make_registry(ssp_aalborg.hooks, Leaky(), autoload=False)
    monkeypatch.setattr(app.Context, "registry", property(lambda _self: registry))
    return registry


def test_item_8_a_failed_reaction_is_a_warning_and_never_quotes_the_case(
    ssp: Run, leaky_registry: Registry
) -> None:
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", "a" * 32,
        "--birth-date", "2008-01-01", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    case_id = json.loads(out)["id"]
    assert err.startswith(f"warning: case {case_id} is stored; the plugins' reaction")
    code, out, err = ssp("case", "note", case_id, PRIVATE_NOTE, *CONSULTANT)
    assert code == 0  # the note is saved: the command succeeded
    assert err.strip() == (
        f"warning: case {case_id} is stored; the plugins' reaction ssp_after_case_event "
        "failed in: leaky (RuntimeError). Do not repeat the command; see the plugin's own log"
    )
    assert "qzxwv" not in out + err
    code, out, err = ssp("case", "history", case_id, *CONSULTANT)
    assert code == 0 and out.count(PRIVATE_NOTE) == 1  # stored once
