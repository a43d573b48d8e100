from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_core import InvalidCpr, Subject
from ssp_core.domain.cpr import Pseudonymiser, birth_date_from_cpr, normalise_cpr
from ssp_core.exceptions import ConfigError
from ssp_core.testing import cpr_numbers

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        ("010100-0000", dt.date(1900, 1, 1)),  # digit 7 in 0-3: 19YY
        ("311299-3999", dt.date(1999, 12, 31)),
        ("010136-4000", dt.date(2036, 1, 1)),  # 4: 20YY if YY <= 36
        ("010137-4000", dt.date(1937, 1, 1)),  # ... else 19YY
        ("010136-9000", dt.date(2036, 1, 1)),  # 9 behaves like 4
        ("010137-9000", dt.date(1937, 1, 1)),
        ("010157-5000", dt.date(2057, 1, 1)),  # 5-8: 20YY if YY <= 57
        ("010158-8000", dt.date(1858, 1, 1)),  # ... else 18YY
        ("290200-4000", dt.date(2000, 2, 29)),  # leap day in 2000
        ("2902004000", dt.date(2000, 2, 29)),  # without the dash
        (" 010170-1234 ", dt.date(1970, 1, 1)),  # surrounding spaces
    ],
)
def test_century_rule(cpr: str, born: dt.date) -> None:
    assert birth_date_from_cpr(cpr) == born


def test_a_number_failing_modulus_11_is_accepted() -> None:
    # 010170-1235: weighted sum of 0101701235 with 4,3,2,7,6,5,4,3,2,1 is not divisible by 11.
    digits = [int(c) for c in "0101701235"]
    assert sum(d * w for d, w in zip(digits, [4, 3, 2, 7, 6, 5, 4, 3, 2, 1], strict=True)) % 11 != 0
    assert birth_date_from_cpr("010170-1235") == dt.date(1970, 1, 1)
    assert Pseudonymiser(KEY).subject("010170-1235").birth_date == dt.date(1970, 1, 1)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("01017-01234", "10 digits"),
        ("0101701234567", "10 digits"),
        ("01O170-1234", "10 digits"),  # a letter O
        ("٠١٠١٧٠١٢٣٤", "10 digits"),  # Arabic-Indic digits are not CPR digits
        ("", "10 digits"),
        ("320170-1234", "real date"),
        ("011370-1234", "real date"),
        ("290201-4000", "real date"),  # 2001 is no leap year
    ],
)
def test_bad_numbers_give_a_clear_error_without_the_number(bad: str, message: str) -> None:
    with pytest.raises(InvalidCpr, match=message) as info:
        birth_date_from_cpr(bad)
    digits = bad.replace("-", "").strip()
    if digits:
        assert digits not in str(info.value)
        assert bad.strip() not in str(info.value)
    # nothing chained may carry the number (e.g. int()'s "invalid literal ..." message)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidCpr, match="as text"):
        normalise_cpr(101701234)  # type: ignore[arg-type]


def test_pseudonyms_are_keyed_and_stable() -> None:
    one, other = Pseudonymiser(KEY), Pseudonymiser(b"o" * 32)
    assert one.pseudonym("010170-1234") == one.pseudonym("0101701234")
    assert one.pseudonym("010170-1234") != other.pseudonym("010170-1234")
    assert one.pseudonym("010170-1234") != one.pseudonym("010170-1235")
    assert len(one.pseudonym("010170-1234")) == 32


@pytest.mark.parametrize("key", [b"", b"short", "a text, not bytes" * 4])
def test_a_weak_or_missing_key_is_refused(key: bytes) -> None:
    with pytest.raises(ConfigError, match="at least 32 random bytes"):
        Pseudonymiser(key)


def test_the_key_is_never_shown() -> None:
    assert "kkkk" not in repr(Pseudonymiser(KEY))


@given(cpr=cpr_numbers())
def test_the_number_never_stays_on_the_subject(cpr: str) -> None:
    subject = Pseudonymiser(KEY).subject(cpr)
    digits = cpr.replace("-", "")
    assert isinstance(subject, Subject)
    for text in (
        repr(subject),
        str(subject),
        str(subject.__getstate__() if hasattr(subject, "__getstate__") else ""),
    ):
        assert digits not in text
        assert cpr not in text
    assert subject.birth_date.strftime("%d%m%y") == digits[:6]


@given(cpr=cpr_numbers(), noise=st.sampled_from(["x", "-", "1", "  -"]))
def test_errors_and_logs_never_contain_the_number(cpr: str, noise: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        Pseudonymiser(KEY).subject(cpr + noise)
    except InvalidCpr as exc:
        assert cpr.replace("-", "") not in str(exc)
        assert cpr not in repr(exc)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert cpr.replace("-", "") not in stream.getvalue()
