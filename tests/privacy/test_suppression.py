"""Small-cell suppression: hand-worked patterns, validation, and a brute-force attacker."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_core.privacy import suppression
from ssp_core.privacy.suppression import (
    THRESHOLD,
    TOTAL,
    CountTable,
    Knowledge,
    PublishedCell,
    SuppressedTable,
    Suppression,
    exposed_cells,
    suppress,
)

P, S, N = Suppression.PRIMARY, Suppression.SECONDARY, Suppression.NONE


def pattern(published: SuppressedTable) -> dict[tuple[str, ...], Suppression]:
    return {cell.key: cell.suppression for cell in published.cells}


def counts(published: SuppressedTable) -> dict[tuple[str, ...], int | None]:
    return {cell.key: cell.count for cell in published.cells}


def true_counts(table: CountTable) -> dict[tuple[str, ...], int]:
    """Every entry of the table with all its totals, summed here independently."""
    sums: dict[tuple[str, ...], int] = {}
    for inner, count in table.cells.items():
        for summed_out in itertools.product([False, True], repeat=len(inner)):
            key = tuple(
                TOTAL if out else level for out, level in zip(summed_out, inner, strict=True)
            )
            sums[key] = sums.get(key, 0) + count
    axes = [[*levels, TOTAL] for levels in table.axes()]
    return {key: sums.get(key, 0) for key in itertools.product(*axes)}


# --- The brute-force attacker, written independently of the module -------------------


def encloses(total: tuple[str, ...], key: tuple[str, ...]) -> bool:
    return all(t in (TOTAL, k) for t, k in zip(total, key, strict=True))


def enumeration_order(published: Mapping[tuple[str, ...], int | None]) -> list[tuple[str, ...]]:
    """The suppressed inner cells, in an order that completes published entries early.

    Next comes a cell of the published entry with the fewest unknown cells left.
    """
    left = [key for key, count in published.items() if TOTAL not in key and count is None]
    order: list[tuple[str, ...]] = []
    while left:
        open_entries = [
            [cell for cell in left if encloses(key, cell)]
            for key, count in published.items()
            if count is not None
        ]
        smallest = min((cells for cells in open_entries if cells), key=len, default=left)
        order.append(smallest[0])
        left.remove(smallest[0])
    return order


def brute_force_alternatives(
    rows: Sequence[Mapping[str, object]],
    dimensions: Sequence[str],
    targets: Mapping[tuple[str, ...], int],
    *,
    knowledge: str,
    bound: int,
    threshold: int = THRESHOLD,
    hint: Mapping[tuple[str, ...], int] | None = None,
) -> dict[tuple[str, ...], bool]:
    """For each suppressed target with its true value, whether another value fits.

    The attacker enumerates the suppressed inner cells (every total is a sum of inner
    cells) and keeps the assignments under which every published count is met and
    every suppressed entry is allowed: ``plain`` any count >= 0, ``rules`` >= 1, and
    ``marks`` 1..threshold-1 when marked primary, >= threshold when secondary. Each
    cell is tried up to the smallest published count enclosing it, or ``bound`` if
    none: restricting the search can only hide alternatives, never invent one, so a
    True answer is proof that the target is not determined. ``hint`` (the true inner
    counts) only orders the values tried, nearest first, to find an answer sooner.
    """
    published: dict[tuple[str, ...], int | None] = {}
    marks: dict[tuple[str, ...], object] = {}
    for row in rows:
        key = tuple(str(row[d]) for d in dimensions)
        count = row["count"]
        assert count is None or isinstance(count, int)
        published[key], marks[key] = count, row["suppressed"]
    inner = [key for key in published if TOTAL not in key]

    unknown = enumeration_order(published)
    position = {key: n for n, key in enumerate(unknown)}

    def allowed(key: tuple[str, ...]) -> tuple[int, float]:
        """The least and the most an entry can be, by itself."""
        count = published[key]
        if count is not None:
            return count, count
        if knowledge == "plain":
            return 0, float("inf")
        if knowledge == "rules" or marks[key] == "suppressed":
            return 1, float("inf")
        if marks[key] == "primary":
            return 1, threshold - 1
        return threshold, float("inf")

    enclosing = [
        min([c for k, c in published.items() if c is not None and encloses(k, key)] + [bound])
        for key in unknown
    ]
    lows = [int(allowed(key)[0]) for key in unknown]
    highs = [int(min(allowed(key)[1], most)) for key, most in zip(unknown, enclosing, strict=True)]

    # For each entry: the sum of its published inner cells, and the positions of its
    # unknown ones; for each unknown cell n, the checks to make once it is assigned:
    # the entry, the cells assigned before n under it, the least and the most its
    # cells after n can add, and whether n is its last cell.
    fixed: dict[tuple[str, ...], int] = {}
    checks: list[list[tuple[tuple[str, ...], list[int], int, int, bool]]] = [[] for _ in unknown]
    for key in published:
        under = [cell for cell in inner if encloses(key, cell)]
        fixed[key] = sum(published[c] or 0 for c in under)
        mine = sorted(position[c] for c in under if c in position)
        if not mine:
            least, most = allowed(key)
            assert least <= fixed[key] <= most, f"published entry {key} does not add up"
        for n in mine:
            after = [m for m in mine if m > n]
            before = [m for m in mine if m < n]
            checks[n].append(
                (key, before, sum(lows[m] for m in after), sum(highs[m] for m in after), not after)
            )

    def nearest_first(low: int, high: int, near: int) -> list[int]:
        return sorted(range(low, high + 1), key=lambda v: (abs(v - near), v))

    hints = hint or {}
    order = [
        nearest_first(low, high, hints.get(key, low))
        for key, low, high in zip(unknown, lows, highs, strict=True)
    ]

    def exists(target: tuple[str, ...], true_value: int) -> bool:
        value = [0] * len(unknown)

        def fits(n: int) -> bool:
            for key, before, least_after, most_after, last in checks[n]:
                total = fixed[key] + value[n] + sum(value[m] for m in before)
                least, most = allowed(key)
                if total + least_after > most or total + most_after < least:
                    return False
                if last and key == target and total == true_value:
                    return False
            return True

        def dfs(n: int) -> bool:
            if n == len(unknown):
                return True
            for v in order[n]:
                value[n] = v
                if fits(n) and dfs(n + 1):
                    return True
            return False

        return dfs(0)

    return {key: exists(key, value) for key, value in targets.items()}


def assert_protected(
    table: CountTable, published: SuppressedTable, *, threshold: int = THRESHOLD
) -> None:
    """Published counts are true, small counts hidden, and no primary count can be worked out."""
    truth = true_counts(table)
    assert [cell.key for cell in published.cells] == list(truth)
    for cell in published.cells:
        if cell.count is not None:
            assert cell.count == truth[cell.key]
        if 0 < truth[cell.key] < threshold:
            assert cell.suppression is P
        if cell.suppression is S:
            assert truth[cell.key] >= threshold  # secondary suppression never hides a zero
    targets = {cell.key: truth[cell.key] for cell in published.cells if cell.suppression is P}
    rows = published.rows()
    # Above every true count, so that the attacker also sees the counts move up where
    # nothing published encloses them.
    bound = max(truth.values()) + 1
    levels = ["plain", "rules"] + (["marks"] if published.knowledge is Knowledge.MARKS else [])
    for knowledge in levels:
        found = brute_force_alternatives(
            rows,
            table.dimensions,
            targets,
            knowledge=knowledge,
            bound=bound,
            threshold=threshold,
            hint=table.cells,
        )
        determined = sorted(key for key, other in found.items() if not other)
        assert determined == [], f"a {knowledge} attacker works out {determined}"


# --- Hand-worked examples ------------------------------------------------------------


def test_a_single_small_cell_in_a_row_forces_a_second_suppression() -> None:
    table = CountTable(("card",), {("a",): 3, ("b",): 7, ("c",): 9})
    published = suppress(table)
    # The smallest non-zero part beside it, b, is hidden too; the total is published.
    assert pattern(published) == {("a",): P, ("b",): S, ("c",): N, (TOTAL,): N}
    assert counts(published)[(TOTAL,)] == 19
    assert exposed_cells(published) == []
    assert published.exact_audit
    assert_protected(table, published)


def test_a_row_of_zeros_beside_one_small_cell_forces_the_total() -> None:
    table = CountTable(("card",), {("a",): 3, ("b",): 0, ("c",): 0})
    published = suppress(table)
    # The total equals the small count (and is small itself); the zeros stay published.
    assert pattern(published) == {("a",): P, ("b",): N, ("c",): N, (TOTAL,): P}
    assert counts(published)[("b",)] == 0
    assert_protected(table, published)


def test_a_line_of_zeros_beside_a_secondary_cell_forces_its_total() -> None:
    cells = {("a", "x"): 3, ("a", "y"): 7, ("b", "x"): 0, ("b", "y"): 0}
    table = CountTable(("card", "age"), cells)
    published = suppress(table)
    # Row a: 3 is primary, so 7 is hidden. Column y is then 7 + 0 with one suppressed
    # part and only a zero beside it: its total (7) must go as well.
    assert pattern(published) == {
        ("a", "x"): P,
        ("a", "y"): S,
        ("a", TOTAL): N,
        ("b", "x"): N,
        ("b", "y"): N,
        ("b", TOTAL): N,
        (TOTAL, "x"): P,
        (TOTAL, "y"): S,
        (TOTAL, TOTAL): N,
    }
    assert counts(published)[("a", TOTAL)] == 10
    assert_protected(table, published)


def test_the_classic_two_by_two_pattern() -> None:
    cells = {("a", "x"): 3, ("a", "y"): 7, ("b", "x"): 8, ("b", "y"): 9}
    table = CountTable(("card", "age"), cells)
    published = suppress(table)
    # One small cell hides a rectangle of four; all totals are published.
    assert {key for key, mark in pattern(published).items() if mark} == {
        ("a", "x"),
        ("a", "y"),
        ("b", "x"),
        ("b", "y"),
    }
    assert pattern(published)[("a", "x")] is P
    assert all(count is not None for key, count in counts(published).items() if TOTAL in key)
    assert_protected(table, published)


def test_the_worked_example_of_the_docs() -> None:
    cells = {
        ("A", "0-11"): 3,
        ("A", "12-17"): 8,
        ("B", "0-11"): 6,
        ("C", "0-11"): 7,
        ("C", "12-17"): 9,
    }
    table = CountTable(("card", "age"), cells, levels={"age": ["0-11", "12-17"]})
    published = suppress(table)
    assert counts(published) == {
        ("A", "0-11"): None,
        ("A", "12-17"): None,
        ("A", TOTAL): None,
        ("B", "0-11"): None,
        ("B", "12-17"): 0,
        ("B", TOTAL): None,
        ("C", "0-11"): None,
        ("C", "12-17"): None,
        ("C", TOTAL): 16,
        (TOTAL, "0-11"): 16,
        (TOTAL, "12-17"): 17,
        (TOTAL, TOTAL): 33,
    }
    assert [key for key, mark in pattern(published).items() if mark is P] == [("A", "0-11")]
    assert published.exact_audit
    assert_protected(table, published)


def test_a_small_grand_total_hides_every_non_zero_entry() -> None:
    cells = {("a", "x"): 1, ("a", "y"): 0, ("b", "x"): 2, ("b", "y"): 1}
    table = CountTable(("card", "age"), cells)
    published = suppress(table)
    assert pattern(published) == {
        ("a", "x"): P,
        ("a", "y"): N,
        ("a", TOTAL): P,
        ("b", "x"): P,
        ("b", "y"): P,
        ("b", TOTAL): P,
        (TOTAL, "x"): P,
        (TOTAL, "y"): P,
        (TOTAL, TOTAL): P,
    }
    assert exposed_cells(published) == []
    assert_protected(table, published)


def test_nothing_is_suppressed_when_every_count_is_zero_or_at_least_five() -> None:
    cells = {("a", "x"): 5, ("a", "y"): 0, ("b", "x"): 7, ("b", "y"): 12}
    published = suppress(CountTable(("card", "age"), cells))
    assert set(pattern(published).values()) == {N}
    assert counts(published) == {
        ("a", "x"): 5,
        ("a", "y"): 0,
        ("a", TOTAL): 5,
        ("b", "x"): 7,
        ("b", "y"): 12,
        ("b", TOTAL): 19,
        (TOTAL, "x"): 12,
        (TOTAL, "y"): 12,
        (TOTAL, TOTAL): 24,
    }


def test_one_small_cell_of_a_cube_hides_all_eight_inner_cells() -> None:
    # With every two-way total published, the only way to move the counts of a
    # 2x2x2 cube is +t on the cells of even parity and -t on the others, so one small
    # cell needs all eight inner cells hidden, and no total.
    cells = dict.fromkeys(itertools.product("ab", "xy", "pq"), 10)
    cells["a", "x", "p"] = 2
    table = CountTable(("card", "age", "quarter"), cells)
    published = suppress(table)
    hidden = {key: mark for key, mark in pattern(published).items() if mark}
    assert hidden == {key: (P if key == ("a", "x", "p") else S) for key in cells}
    assert_protected(table, published)


def test_a_three_dimensional_table_has_equations_at_every_level() -> None:
    cells = dict.fromkeys(itertools.product("ab", "xy", "pq"), 6)
    cells["a", "x", "p"] = 0
    cells["a", "y", "p"] = 0
    cells["b", "x", "p"] = 0
    cells["b", "y", "p"] = 3  # quarter p has one non-zero cell: its totals are all 3
    table = CountTable(("card", "age", "quarter"), cells)
    published = suppress(table)
    marks = pattern(published)
    for key in [("b", "y", "p"), ("b", TOTAL, "p"), (TOTAL, "y", "p"), (TOTAL, TOTAL, "p")]:
        assert marks[key] is P
    assert_protected(table, published)


def test_the_rules_matter_a_reader_knows_a_suppressed_count_is_not_zero() -> None:
    # 1 + 1 + 5 = 7: hiding the two 1s is enough for a reader who only knows counts are
    # non-negative (0 + 2, 1 + 1, 2 + 0), but zeros are always published, so each is
    # at least 1 and both are 1. The default protection hides the 5 as well.
    table = CountTable(("card",), {("a",): 1, ("b",): 1, ("c",): 5})
    plain = suppress(table, knowledge=Knowledge.PLAIN)
    assert pattern(plain) == {("a",): P, ("b",): P, ("c",): N, (TOTAL,): N}
    assert exposed_cells(plain) == []
    assert exposed_cells(plain, Knowledge.RULES) == [("a",), ("b",)]
    published = suppress(table)
    assert pattern(published) == {("a",): P, ("b",): P, ("c",): S, (TOTAL,): N}
    assert exposed_cells(published) == []
    assert_protected(table, published)


def test_marks_are_published_only_when_protected_against() -> None:
    table = CountTable(("card",), {("a",): 3, ("b",): 7, ("c",): 9})
    rows = suppress(table).rows()
    assert [row["suppressed"] for row in rows] == ["suppressed", "suppressed", "", ""]
    marked = suppress(table, knowledge=Knowledge.MARKS)
    assert [row["suppressed"] for row in marked.rows()] == ["primary", "secondary", "", ""]
    assert exposed_cells(marked) == []
    assert_protected(table, marked)


def test_marks_can_give_counts_away() -> None:
    # A primary total of 4 over four primary parts: each part is 1 for a reader of the
    # marks, whatever else is hidden.
    cells = {("a", "x"): 1, ("a", "y"): 1, ("a", "z"): 1, ("a", "w"): 1}
    cells |= {("b", level): 9 for level in "xyzw"}
    table = CountTable(("card", "age"), cells)
    with pytest.raises(ValueError, match="cannot protect the table"):
        suppress(table, knowledge=Knowledge.MARKS)
    published = suppress(table)
    assert exposed_cells(published) == []
    assert_protected(table, published)


def test_rows_list_every_entry_with_totals_in_a_stable_order() -> None:
    table = CountTable(
        ("card", "age"),
        {("b", "0-11"): 6, ("a", "12-17"): 7},
        levels={"age": ["0-11", "12-17"]},
    )
    rows = suppress(table).rows()
    assert rows == [
        {"card": "a", "age": "0-11", "count": 0, "suppressed": ""},
        {"card": "a", "age": "12-17", "count": 7, "suppressed": ""},
        {"card": "a", "age": TOTAL, "count": 7, "suppressed": ""},
        {"card": "b", "age": "0-11", "count": 6, "suppressed": ""},
        {"card": "b", "age": "12-17", "count": 0, "suppressed": ""},
        {"card": "b", "age": TOTAL, "count": 6, "suppressed": ""},
        {"card": TOTAL, "age": "0-11", "count": 6, "suppressed": ""},
        {"card": TOTAL, "age": "12-17", "count": 7, "suppressed": ""},
        {"card": TOTAL, "age": TOTAL, "count": 13, "suppressed": ""},
    ]


def test_the_output_does_not_depend_on_the_order_of_the_cells() -> None:
    rng = random.Random(7)
    cells = {
        key: rng.choice([0, 1, 2, 3, 5, 8, 13]) for key in itertools.product("abcd", "xyz", "pq")
    }
    shuffled = list(cells.items())
    rng.shuffle(shuffled)
    first = suppress(CountTable(("card", "age", "quarter"), cells))
    second = suppress(CountTable(("card", "age", "quarter"), dict(shuffled)))
    assert first == second
    assert first.rows() == second.rows()


def test_a_ten_by_five_by_twenty_table_is_suppressed() -> None:
    rng = random.Random(2026)
    cards = [f"card-{n}" for n in range(10)]
    ages = ["0-11", "12-14", "15-17", "18-24", "25+"]
    quarters = [f"{year}-Q{q}" for year in range(2021, 2026) for q in range(1, 5)]
    cells = {
        key: rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 5, 7, 9, 14, 25])
        for key in itertools.product(cards, ages, quarters)
    }
    table = CountTable(("card", "age", "quarter"), cells, levels={"age": ages})
    published = suppress(table)
    assert len(published.cells) == 11 * 6 * 21
    assert not published.exact_audit  # too large for the exact search
    truth = true_counts(table)
    for cell in published.cells:
        assert cell.count is None or cell.count == truth[cell.key]
        assert (cell.suppression is P) == (0 < truth[cell.key] < THRESHOLD)


# --- exposed_cells on hand-made tables ----------------------------------------------


def published_1d(
    entries: dict[str, tuple[int | None, Suppression]], threshold: int = THRESHOLD
) -> SuppressedTable:
    return SuppressedTable(
        ("card",),
        [PublishedCell((level,), count, mark) for level, (count, mark) in entries.items()],
        threshold=threshold,
    )


def test_exposed_cells_finds_a_count_given_away_by_its_total() -> None:
    leaky = published_1d({"a": (None, P), "b": (7, N), TOTAL: (10, N)})
    assert exposed_cells(leaky) == [("a",)]
    assert exposed_cells(leaky, Knowledge.PLAIN) == [("a",)]


def test_exposed_cells_finds_a_count_pinned_by_bounds() -> None:
    # a + b = 10 - 7 = 3: a is 0 to 3 (1 or 2 for a reader of the rules), not pinned.
    safe = published_1d({"a": (None, P), "b": (None, S), "c": (7, N), TOTAL: (10, N)})
    assert exposed_cells(safe, Knowledge.PLAIN) == []
    assert exposed_cells(safe) == []
    # Two unknowns summing to 2 (the total minus 8) are both 1 to a reader of the rules.
    tight = published_1d({"a": (None, P), "b": (None, P), "c": (8, N), TOTAL: (10, N)})
    assert exposed_cells(tight, Knowledge.PLAIN) == []
    assert exposed_cells(tight) == [("a",), ("b",)]


def test_exposed_cells_rejects_contradictory_counts() -> None:
    wrong = published_1d({"a": (None, P), "b": (7, N), TOTAL: (5, N)})
    with pytest.raises(ValueError, match="contradict"):
        exposed_cells(wrong)
    sums_wrong = published_1d({"a": (3, N), "b": (7, N), TOTAL: (11, N)})
    with pytest.raises(ValueError, match="contradict"):
        exposed_cells(sums_wrong)


def test_exposed_cells_rejects_an_incomplete_table() -> None:
    incomplete = SuppressedTable(("card",), [PublishedCell(("a",), 7, N)], threshold=5)
    with pytest.raises(ValueError, match="lacks the entry"):
        exposed_cells(incomplete)


def test_exposed_cells_gives_up_past_its_step_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    published = suppress(CountTable(("card",), {("a",): 3, ("b",): 7, ("c",): 9}))
    monkeypatch.setattr(suppression, "MAX_SEARCH_STEPS", 1)
    with pytest.raises(ValueError, match="needs more than 1 steps"):
        exposed_cells(published)


# --- Validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dimensions", "cells", "levels", "message"),
    [
        ((), {}, {}, "at least one dimension"),
        ("card", {("a",): 1}, {}, "not the string 'card'"),
        (("card", "card"), {("a", "b"): 1}, {}, "repeat"),
        (("card", "count"), {("a", "b"): 1}, {}, "reserved for a column"),
        (
            ("card", "age"),
            {("a",): 1},
            {},
            r"key \('a',\) has 1 parts, but the table has 2 dimensions",
        ),
        (("card",), {("a", "b"): 1}, {}, "has 2 parts"),
        (("card",), {("a",): -1}, {}, r"negative count -1 for key \('a',\)"),
        (("card",), {("a",): 1.5}, {}, "is not an integer"),
        (("card",), {("a",): True}, {}, "is not an integer"),
        (("card",), {(TOTAL,): 1}, {}, "reserved for totals"),
        (("card",), {("a",): 1}, {"age": ["x"]}, "unknown dimension 'age' in levels"),
        (("card",), {("b",): 1}, {"card": ["a"]}, "unknown level 'b' of dimension 'card'"),
        (("card",), {("a",): 1}, {"card": ["a", "a"]}, "repeat"),
        (("card",), {"a": 1}, {}, "is not a tuple"),
        (("card",), {}, {}, "at least one cell"),
    ],
)
def test_bad_tables_are_refused_with_a_clear_message(
    dimensions: object, cells: dict[object, object], levels: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CountTable(dimensions, cells, levels=levels)  # type: ignore[arg-type]


def test_a_declared_level_without_cells_is_published_as_zeros() -> None:
    table = CountTable(("card",), {}, levels={"card": ["a", "b"]})
    assert counts(suppress(table)) == {("a",): 0, ("b",): 0, (TOTAL,): 0}


@pytest.mark.parametrize(
    ("threshold", "knowledge"),
    [(1, Knowledge.RULES), (2, Knowledge.MARKS), (True, Knowledge.RULES)],
)
def test_a_threshold_too_low_is_refused(threshold: int, knowledge: Knowledge) -> None:
    with pytest.raises(ValueError, match="threshold must be an integer of at least"):
        suppress(CountTable(("card",), {("a",): 3}), threshold, knowledge=knowledge)


def test_a_published_cell_has_a_count_exactly_when_not_suppressed() -> None:
    with pytest.raises(ValueError, match="None exactly when it is suppressed"):
        PublishedCell(("a",), None, N)
    with pytest.raises(ValueError, match="None exactly when it is suppressed"):
        PublishedCell(("a",), 3, P)


# --- The property: nothing small is published, and nothing small can be worked out ----


SMALL_CUBES = [[2, 2, 2], [2, 2, 3], [2, 3, 2], [3, 2, 2]]
CUBES = [*SMALL_CUBES, [2, 2, 4], [2, 4, 2], [4, 2, 2], [2, 3, 3], [3, 2, 3], [3, 3, 2]]


@st.composite
def small_tables(draw: st.DrawFn, cubes: Sequence[list[int]] = CUBES) -> CountTable:
    # 1 to 3 dimensions of 2 to 4 levels; cubes stay at 18 inner cells or fewer so
    # that the brute-force attacker stays fast.
    shape = draw(
        st.one_of(st.lists(st.integers(2, 4), min_size=1, max_size=2), st.sampled_from(cubes))
    )
    names = ("card", "age", "quarter")[: len(shape)]
    keys = list(
        itertools.product(
            *[[f"{name}{n}" for n in range(size)] for name, size in zip(names, shape, strict=True)]
        )
    )
    count = st.one_of(
        st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), st.integers(0, 40)
    )
    values = draw(st.lists(count, min_size=len(keys), max_size=len(keys)))
    return CountTable(names, dict(zip(keys, values, strict=True)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=small_tables())
def test_no_small_count_is_published_or_can_be_worked_out(table: CountTable) -> None:
    published = suppress(table)
    assert published.exact_audit
    assert exposed_cells(published) == []
    assert exposed_cells(published, Knowledge.PLAIN) == []
    assert_protected(table, published)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=small_tables(cubes=SMALL_CUBES))
def test_protection_against_readers_of_the_marks_holds_when_it_can_be_had(
    table: CountTable,
) -> None:
    try:
        published = suppress(table, knowledge=Knowledge.MARKS)
    except ValueError as exc:
        assert "cannot protect" in str(exc)
        return
    assert exposed_cells(published) == []
    assert_protected(table, published)
