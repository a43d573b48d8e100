from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ssp_core.exceptions import DataError
from ssp_core.index import Columns, IndexConfig, load_survey
from tests.index.conftest import HEADER, write_csv

GOOD = [
    ("r1", "Nord", 2024, 1.5, 2),
    ("r2", "Nord", 2024, 0.5, 6),
    ("r3", "Syd", 2025, 2.0, 4),
]


def rows_in(message: str, what: str) -> list[int]:
    """The row numbers the message names for the first problem starting ``what``."""
    match = re.search(rf": {re.escape(what)}[^(]*\(rows? ([\d, ]+)", message)
    assert match, message
    return [int(part) for part in match.group(1).split(", ")]


def as_parquet(
    csv_rows: list[tuple[object, ...]], path: Path, header: tuple[str, ...] = HEADER
) -> Path:
    columns = {name: [row[i] for row in csv_rows] for i, name in enumerate(header)}
    pq.write_table(pa.table(columns), str(path))
    return path


def test_a_good_csv_loads(tmp_path: Path) -> None:
    survey = load_survey(write_csv(tmp_path / "s.csv", HEADER, GOOD))
    assert len(survey) == 3
    assert survey.factors["area"].labels == ("Nord", "Syd")
    assert survey.factors["year"].labels == ("2024", "2025")
    assert survey.weights.tolist() == [1.5, 0.5, 2.0]
    assert survey.safety.tolist() == [2.0, 6.0, 4.0]
    assert survey.report.dropped == 0


def test_quoted_fields_bom_and_mapped_names(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        '\ufeffid;omraade;aar;vaegt;tryg;"note"\n'
        'a1;"Vest; by the sea";2024;1,5;3;"line one\nline two"\n'
        'a2;"Øst ""old town""";2024;2;NA;x\n',
        encoding="utf-8",
    )
    config = IndexConfig(
        columns=Columns(respondent="id", area="omraade", year="aar", weight="vaegt", safety="tryg"),
        delimiter=";",
    )
    with pytest.raises(DataError) as info:
        load_survey(path, config)
    message = str(info.value)
    # With semicolons between fields the decimal comma is a number, and NA is no
    # answer; the rows count records, the header being row 1.
    assert "vaegt" not in message
    assert rows_in(message, "tryg") == [3]
    path.write_text(
        'id;omraade;aar;vaegt;tryg\na1;"Vest; by the sea";2024;1.5;3\na2;"Øst ""old town""";2024;2;7\n',
        encoding="utf-8",
    )
    survey = load_survey(path, config)
    assert survey.factors["area"].labels == ("Vest; by the sea", 'Øst "old town"')


def test_missing_columns_are_named_with_the_files_columns(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "s.csv", ("respondent", "area", "year", "wt"), [("r1", "A", 2024, 1)]
    )
    with pytest.raises(
        DataError,
        match=r"missing column\(s\) 'weight', 'safety'; the file has: respondent, area, year, wt",
    ):
        load_survey(path)
    with pytest.raises(DataError, match=r"missing column\(s\) 'weight'"):
        load_survey(
            as_parquet(
                [("r1", "A", 2024, 1, 2)],
                tmp_path / "s.parquet",
                ("respondent", "area", "year", "wt", "safety"),
            )
        )


BAD = [
    ("r1", "Nord", 2024, 1.0, 2),  # row 2: fine
    ("r2", "Nord", 2024, -1.0, 3),  # row 3: negative weight
    ("r3", "Nord", 2024, 0.0, 3),  # row 4: zero weight
    ("r4", "Nord", 2024, None, 3),  # row 5: no weight
    ("r5", "Nord", 2024, 1.0, 8),  # row 6: outside the scale
    ("r6", "Nord", 2024, 1.0, 2.5),  # row 7: not a whole number
    ("r7", "Nord", 2024, 1.0, None),  # row 8: no answer
    ("r8", None, 2024, 1.0, 1),  # row 9: no area
    ("r9", "Syd", None, 1.0, 1),  # row 10: no year
    ("r1", "Syd", 2025, 1.0, 1),  # row 11: duplicate respondent
    ("r11", "Syd", 2025, 1.0, 0),  # row 12: outside the scale
    ("r12", "Syd", 2025, 2.0, 7),  # row 13: fine
]
EXPECTED = {
    "weight_not_positive": [3, 4],
    "weight_missing": [5],
    "answer_outside_scale": [6, 7, 12],
    "answer_missing": [8],
    "group_missing": [9, 10],
    "respondent_duplicate": [11],
}


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_every_bad_row_is_named_and_can_be_dropped(tmp_path: Path, kind: str) -> None:
    if kind == "csv":
        rows = [tuple("" if v is None else v for v in row) for row in BAD]
        path = write_csv(tmp_path / "s.csv", HEADER, rows)
    else:
        path = as_parquet(BAD, tmp_path / "s.parquet")
    with pytest.raises(DataError) as info:
        load_survey(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 10 of 12 rows are not valid (row 1 is the header): ")
    assert "\n" not in message
    assert rows_in(message, "weight: the weight is zero or negative") == [3, 4]
    assert rows_in(message, "weight: no weight") == [5]
    assert "drop_invalid" in message
    survey = load_survey(path, drop_invalid=True)
    assert len(survey) == 2
    assert survey.respondents.tolist() == ["r1", "r12"]
    report = survey.report
    assert (report.read, report.kept, report.dropped) == (12, 2, 10)
    found: dict[str, list[int]] = {}
    for problem in report.problems:
        found[problem.code] = sorted([*found.get(problem.code, []), *problem.rows])
    assert found == EXPECTED
    assert report.counts()["answer_outside_scale"] == 3
    assert "dropped 10" in report.describe()


def test_non_numeric_weights_and_items_on_their_scale(tmp_path: Path) -> None:
    header = (*HEADER, "litter", "sample.worry")
    rows = [
        ("r1", "A", 2024, "heavy", 2, 1, 1),
        ("r2", "A", 2024, 1, 2, 6, ""),
        ("r3", "A", 2024, "inf", 2, "", 5),
        ("r4", "A", "2024.5", 1, 2, 3, "often"),
        ("r5", "A", 2024, 1, 2, 2, 3),
    ]
    path = write_csv(tmp_path / "s.csv", header, rows)
    config = IndexConfig(columns=Columns(problems=("litter",), worries=("sample.worry",)))
    with pytest.raises(DataError) as info:
        load_survey(path, config)
    message = str(info.value)
    assert "2 rows: weight: the weight is not a number" in message
    assert rows_in(message, "weight") == [2, 4]
    assert rows_in(message, "litter") == [3]
    assert rows_in(message, "sample.worry") == [5]
    assert rows_in(message, "year") == [5]
    survey = load_survey(path, config, drop_invalid=True)
    assert survey.respondents.tolist() == ["r5"]


def test_an_empty_item_answer_is_allowed(tmp_path: Path) -> None:
    header = (*HEADER, "litter")
    rows = [("r1", "A", 2024, 1, 2, ""), ("r2", "A", 2024, 1, 2, "NA"), ("r3", "A", 2024, 1, 2, 4)]
    survey = load_survey(
        write_csv(tmp_path / "s.csv", header, rows),
        IndexConfig(columns=Columns(problems=("litter",))),
    )
    assert np.isnan(survey.items["litter"][:2]).all()
    assert survey.items["litter"][2] == 4


def test_ragged_rows_blank_lines_and_odd_files(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "respondent,area,year,weight,safety\nr1,A,2024,1,2\n\nr2,A,2024\nr3,A,2024,1,2,9\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_survey(path)
    assert "2 rows: (row): a different number of fields than the header (rows 4, 5)" in str(
        info.value
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="the file is empty"):
        load_survey(empty)
    with pytest.raises(DataError, match="unknown file type '.xlsx'; allowed: .csv, .parquet"):
        load_survey(tmp_path / "s.xlsx")
    with pytest.raises(DataError, match="cannot read the file"):
        load_survey(tmp_path / "missing.csv")
    header_only = write_csv(tmp_path / "h.csv", HEADER, [])
    with pytest.raises(DataError, match="no valid rows"):
        load_survey(header_only)
    doubled = write_csv(tmp_path / "d.csv", (*HEADER, "area"), [])
    with pytest.raises(DataError, match="names column"):
        load_survey(doubled)


def test_parquet_with_numeric_ids_and_nulls(tmp_path: Path) -> None:
    table = pa.table(
        {
            "respondent": pa.array([10_000_000_000_000_001, 10_000_000_000_000_002], pa.int64()),
            "area": pa.array([101, 102], pa.int32()),
            "year": pa.array([2024, 2025], pa.int16()),
            "weight": pa.array([1.25, 0.75]),
            "safety": pa.array([1, 7], pa.int8()),
            "litter": pa.array([None, 3], pa.int64()),
        }
    )
    pq.write_table(table, str(tmp_path / "s.parquet"))
    survey = load_survey(tmp_path / "s.parquet", IndexConfig(columns=Columns(problems=("litter",))))
    assert survey.respondents.tolist() == ["10000000000000001", "10000000000000002"]
    assert survey.factors["area"].labels == ("101", "102")
    assert np.isnan(survey.items["litter"][0])


def test_extra_grouping_columns(tmp_path: Path) -> None:
    header = (*HEADER, "age")
    rows = [
        ("r1", "A", 2024, 1, 2, "15-24"),
        ("r2", "A", 2024, 1, 2, ""),
        ("r3", "A", 2024, 1, 2, "65+"),
    ]
    config = IndexConfig(columns=Columns(groups=("age",)))
    with pytest.raises(DataError, match=r"1 row: age: no value; every row needs one \(row 3\)"):
        load_survey(write_csv(tmp_path / "s.csv", header, rows), config)
    survey = load_survey(tmp_path / "s.csv", config, drop_invalid=True)
    assert survey.factors["age"].labels == ("15-24", "65+")
    with pytest.raises(DataError, match="cannot group by 'sex'; allowed: area, year, age"):
        survey.factor("sex")


def test_a_csv_excel_wrote_in_danish_loads_as_it_is(tmp_path: Path) -> None:
    """Semicolons between fields and decimal commas, with the default configuration."""
    comma = write_csv(tmp_path / "comma.csv", HEADER, GOOD)
    danish = tmp_path / "excel.csv"
    danish.write_text(
        "\ufeff"
        + ";".join(HEADER)
        + "\n"
        + "".join(";".join(str(cell).replace(".", ",") for cell in row) + "\n" for row in GOOD),
        encoding="utf-8",
    )
    assert "1,5" in danish.read_text(encoding="utf-8-sig")
    expected, found = load_survey(comma), load_survey(danish)
    assert found.weights.tolist() == expected.weights.tolist() == [1.5, 0.5, 2.0]
    assert found.safety.tolist() == expected.safety.tolist()
    assert found.factors["area"].labels == expected.factors["area"].labels


def test_a_comma_in_a_semicolon_file_stays_text_unless_it_is_a_number(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        ";".join(HEADER) + "\n" + 'r1;"Nord, ved havnen";2024;1,25;2\nr2;Syd;2024;2;3\n',
        encoding="utf-8",
    )
    survey = load_survey(path)
    assert survey.factors["area"].labels == ("Nord, ved havnen", "Syd")
    assert survey.weights.tolist() == [1.25, 2.0]
