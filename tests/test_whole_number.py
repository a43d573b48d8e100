"""``ssp_core.text.whole_number``: a number typed in a URL or an option, or ``None``.

``str.isdigit`` also takes ``"²"`` and other scripts' digits; ``int("²")`` then raises a
bare ``ValueError``, which reached users of ``?pool_max=``, ``?cache_mb=`` and
``ssp index synthetic --areas`` as a traceback.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ssp_core.text import whole_number


@given(st.integers(min_value=0, max_value=10**30))
def test_ascii_digits_are_their_number(number: int) -> None:
    assert whole_number(str(number)) == number
    assert whole_number(f"{number:05d}") == number


@given(st.text(max_size=12))
def test_any_text_is_a_number_or_none_and_never_raises(text: str) -> None:
    found = whole_number(text)
    if found is None:
        assert not (text.isascii() and text.isdigit())
    else:
        assert text.isascii() and text.isdigit() and found == int(text)


def test_digits_that_int_refuses_or_that_are_not_ascii_are_none() -> None:
    for text in ("²", "¹⁶", "١٦", "\uff11\uff16", "", " 16", "16 ", "-1", "+1", "1_000", "1.5"):
        assert whole_number(text) is None, text


def test_more_digits_than_int_converts_are_none_not_a_traceback() -> None:
    # int() refuses a decimal string over sys.get_int_max_str_digits() (4,300) digits.
    assert whole_number("9" * 4300) == int("9" * 4300)
    assert whole_number("9" * 5000) is None
    assert whole_number("0" * 5000 + "1") is None
