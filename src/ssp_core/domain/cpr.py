"""CPR numbers: parsed at the boundary, turned into a pseudonym, never kept.

A CPR number (``DDMMYY-SSSS``) identifies a person in Denmark. ssp_core uses it only
to derive two things, then lets it go:

* the birth date, with the century rule of the CPR office (digit 7 with the year);
* a pseudonym: HMAC-SHA256 of the ten digits under the municipality's secret key.

Numbers that fail the old modulus-11 check are valid (the CPR office has issued such
numbers since 2007) and are accepted. No error message, repr or log line made here
contains the number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import attrs

from ssp_core.domain.people import Subject
from ssp_core.exceptions import ConfigError, InvalidCpr
from ssp_core.i18n import _, ngettext

__all__ = ["MIN_KEY_BYTES", "Pseudonymiser", "birth_date_from_cpr", "normalise_cpr"]

MIN_KEY_BYTES = 32
"""The shortest secret key accepted for pseudonyms (256 bits)."""


def normalise_cpr(cpr: str) -> str:
    """Return the ten digits of a CPR number given as ``DDMMYY-SSSS`` or ``DDMMYYSSSS``.

    Surrounding spaces are ignored. Raises :class:`InvalidCpr` describing the problem,
    never quoting the input.
    """
    if not isinstance(cpr, str):
        raise InvalidCpr(
            _("a CPR number must be given as text, not {type}").format(type=type(cpr).__name__)
        )
    text = cpr.strip()
    if len(text) == 11 and text[6] == "-":
        text = text[:6] + text[7:]
    if len(text) != 10 or not (text.isascii() and text.isdigit()):
        raise InvalidCpr(
            ngettext(
                "a CPR number must be 10 digits, written DDMMYY-SSSS or DDMMYYSSSS "
                "(got {n} character)",
                "a CPR number must be 10 digits, written DDMMYY-SSSS or DDMMYYSSSS "
                "(got {n} characters)",
                len(cpr.strip()),
            ).format(n=len(cpr.strip()))
        )
    return text


def _century(year2: int, digit7: int) -> int:
    if digit7 <= 3:
        return 1900
    if digit7 in (4, 9):
        return 2000 if year2 <= 36 else 1900
    return 2000 if year2 <= 57 else 1800


def birth_date_from_cpr(cpr: str) -> dt.date:
    """Return the birth date encoded in a CPR number, by the CPR office's century rule.

    Digit 7 with the two-digit year gives the century: 0-3 → 19YY; 4 or 9 → 20YY if
    YY ≤ 36 else 19YY; 5-8 → 20YY if YY ≤ 57 else 18YY.
    """
    digits = normalise_cpr(cpr)
    day, month, year2, digit7 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    year = _century(year2, digit7) + year2
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidCpr(
            _("the first six digits of a CPR number must be a real date DDMMYY")
        ) from None


@attrs.frozen(repr=False)
class Pseudonymiser:
    """Turns CPR numbers into keyed pseudonyms: HMAC-SHA256 under a secret key.

    The same number under the same key always gives the same pseudonym; without the
    key a pseudonym cannot be linked back to a number. There is no default key: the
    embedding system supplies one of at least :data:`MIN_KEY_BYTES` bytes.
    """

    _key: bytes = attrs.field(alias="key")

    @_key.validator
    def _check_key(self, _attribute: attrs.Attribute[bytes], value: bytes) -> None:
        if not isinstance(value, bytes) or len(value) < MIN_KEY_BYTES:
            raise ConfigError(f"a pseudonym key must be at least {MIN_KEY_BYTES} random bytes")

    def __repr__(self) -> str:
        return "Pseudonymiser(key=<hidden>)"

    def pseudonym(self, cpr: str) -> str:
        """Return the pseudonym of a CPR number: 32 hex digits of its keyed HMAC."""
        digits = normalise_cpr(cpr)
        return hmac.new(self._key, digits.encode("ascii"), hashlib.sha256).hexdigest()[:32]

    def subject(self, cpr: str) -> Subject:
        """Return the :class:`Subject` for a CPR number: its pseudonym and birth date."""
        return Subject(pseudonym=self.pseudonym(cpr), birth_date=birth_date_from_cpr(cpr))
