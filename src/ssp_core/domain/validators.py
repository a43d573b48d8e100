"""Small reusable attrs validators for domain values (in the style of ``attrs.validators``)."""

from __future__ import annotations

import re
from typing import Any

import attrs

from ssp_core.exceptions import DataError

__all__ = ["identifier", "non_empty_text"]

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*$")


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


non_empty_text = _NonEmptyText()
"""Validate that a field is a ``str`` with at least one non-space character."""

identifier = _Identifier()
"""Validate that a field is an identifier such as ``aalborg.radicalisation_under_18``."""
