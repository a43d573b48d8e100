"""Small reusable attrs validators for domain values (in the style of ``attrs.validators``)."""

from __future__ import annotations

import re
from typing import Any

import attrs

from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _
from ssp_core.text import CPR_SHAPE, PSEUDONYM_SHAPE

__all__ = [
    "actor_id",
    "check_actor_id",
    "check_case_id",
    "check_pseudonym",
    "identifier",
    "naming_problem",
    "non_empty_text",
]

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*$")
_ACTOR_ID = re.compile(r"^[^\W_][\w.@+\-]{0,127}$")
_PSEUDONYM_FORM = re.compile(r"^[0-9a-f]{32}$")


def naming_problem(text: str) -> str | None:
    """Return what in ``text`` could identify a person (without quoting it), or ``None``.

    CPR-shaped: ten digits whose first six are a day and month (``DDMMYY``), with or
    without a dash or a space before the last four. Pseudonym-shaped: 32 hexadecimal
    digits.
    """
    if CPR_SHAPE.search(text):
        return _("something shaped like a CPR number (DDMMYY-SSSS)")
    if PSEUDONYM_SHAPE.search(text):
        return _("something shaped like a pseudonym (32 hexadecimal digits)")
    return None


def check_actor_id(value: object, what: str = N_("an actor id")) -> str:
    """Return ``value`` if it is an actor id; else raise :class:`DataError` saying what is allowed.

    An actor id (the embedding system's id of a person acting, or of an assignee)
    starts with a letter or digit and holds letters, digits and ``. _ @ + -`` only,
    at most 128 characters: no spaces, markup or control characters, so it shows as
    itself everywhere. Nothing shaped like a CPR number is an id. The message never
    repeats a refused value. ``what`` is translated where it is shown (mark it ``N_``).
    """
    if not isinstance(value, str) or not _ACTOR_ID.match(value):
        raise DataError(
            _(
                "{what} must start with a letter or digit and hold only letters, digits and "
                "'.', '_', '@', '+', '-' (at most 128 characters; no spaces, markup or control "
                "characters)"
            ).format(what=_(what))
        )
    problem = naming_problem(value)
    if problem is not None:
        raise DataError(
            _("{what} may not be {problem}: use the embedding system's user id").format(
                what=_(what), problem=problem
            )
        )
    return value


def check_case_id(value: str) -> str:
    """Return a case id a user gave, unless it is shaped like a CPR number or a pseudonym.

    No case id is (ids are the store's own, such as ``AAL-0002``); a CPR number typed
    where a case id belongs is refused before it is looked up, audited or repeated.
    """
    problem = naming_problem(value)
    if problem is not None:
        raise DataError(
            _("a case id is never {problem}; the id given was not looked up").format(
                problem=problem
            )
        )
    return value


def check_pseudonym(value: object, what: str = N_("a pseudonym")) -> str:
    """Return ``value`` if it has the pseudonymiser's form; else raise :class:`DataError`.

    The pseudonymiser (:class:`~ssp_core.domain.cpr.Pseudonymiser`) gives 32 lower-case
    hexadecimal digits; anything else (a CPR number above all) is not a pseudonym and
    is never stored as one. The message never repeats the refused value.
    """
    if isinstance(value, str) and _PSEUDONYM_FORM.match(value):
        return value
    cpr_shaped = isinstance(value, str) and CPR_SHAPE.search(value) is not None
    if cpr_shaped:
        text = _(
            "{what} must be the pseudonymiser's: 32 lower-case hexadecimal digits ({problem}); "
            "enter a person by their CPR number (--cpr-stdin, Casework.enrol) to get one"
        )
    else:
        text = _(
            "{what} must be the pseudonymiser's: 32 lower-case hexadecimal digits; "
            "enter a person by their CPR number (--cpr-stdin, Casework.enrol) to get one"
        )
    raise DataError(
        text.format(what=_(what), problem=_("something shaped like a CPR number (DDMMYY-SSSS)"))
    )


@attrs.frozen(repr=False)
class _NonEmptyText:
    def __call__(self, inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise DataError(f"{type(inst).__name__}.{attr.name} must be a non-empty text")

    def __repr__(self) -> str:
        return "<non_empty_text validator>"


@attrs.frozen(repr=False)
class _Identifier:
    def __call__(self, inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not _IDENTIFIER.match(value):
            raise DataError(
                f"{type(inst).__name__}.{attr.name} must be an identifier of lower-case letters, "
                f"digits and '_', parts joined by '.' or '-' (e.g. 'aalborg.mentor'); got {value!r}"
            )

    def __repr__(self) -> str:
        return "<identifier validator>"


@attrs.frozen(repr=False)
class _ActorId:
    def __call__(self, inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        check_actor_id(value, f"{type(inst).__name__}.{attr.name}")

    def __repr__(self) -> str:
        return "<actor_id validator>"


actor_id = _ActorId()
"""Validate that a field is an actor id (see :func:`check_actor_id`)."""

non_empty_text = _NonEmptyText()
"""Validate that a field is a ``str`` with at least one non-space character."""

identifier = _Identifier()
"""Validate that a field is an identifier such as ``aalborg.radicalisation_under_18``."""
