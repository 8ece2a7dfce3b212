"""The set-based identity SQL (identity_sql.py) gives exactly what the Python functions give:
`identify_person` (the `personnummer` package), `identify_employee`, `pseudonymise`,
`mask_digits` and `mask` — with hypothesis, and exhaustively over every date shape."""

from __future__ import annotations

import re
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from personnummer import personnummer as pnr

from orchestration.loaders import identity_sql
from orchestration.loaders.identifiers import identify_employee, identify_person, mask, mask_digits
from orchestration.loaders.literals import text_list
from orchestration.pseudonym import pseudonymise

KEY = b"test-key-not-secret"


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    identity_sql.set_key(connection, KEY)
    yield connection
    connection.close()


def _values(values: list[str]) -> str:
    return f"select distinct unnest({text_list(values)}) as raw"


def sql_persons(con: duckdb.DuckDBPyConnection, values: list[str]) -> dict[str, tuple]:
    rows = con.execute(
        "select raw, masked, reason, pseudonym, birth, coord, route from "
        + identity_sql.person_relation(_values(values), "personnummer")
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def python_person(raw: str, key: bytes = KEY) -> tuple:
    ident = identify_person(raw, key, "personnummer")
    return (
        mask_digits(raw) or None,
        ident.reason,
        ident.pseudonym,
        ident.birth_month.isoformat() if ident.birth_month else None,
        None if ident.is_coordination_number is None else str(int(ident.is_coordination_number)),
    )


def check_persons(con: duckdb.DuckDBPyConnection, values: list[str]) -> None:
    got = sql_persons(con, values)
    for raw in values:
        *fields, route = got[raw]
        if route:  # not decided in SQL: only values with a non-ASCII character once stripped
            assert re.search(r"[^\x00-\x7f]", raw.strip()), raw
            continue
        assert tuple(fields) == python_person(raw), raw


def test_every_date_shape_of_a_twelve_digit_number(con: duckdb.DuckDBPyConnection) -> None:
    """Months 00–99 × days 00–99 (samordningsnummer too) in leap and non-leap years (centuries
    too) and year 0, serial 000 and not, with and without a dash; every check digit in 2024."""
    values = []
    for year in ("0000", "1900", "2000", "2023", "2024"):
        for month in range(100):
            for day in range(100):
                base = f"{year}{month:02d}{day:02d}"
                checks = "0123456789" if year == "2024" else "05"
                values += [f"{base}123{c}" for c in checks]
                values += [f"{base}0009", f"{base[:8]}-9804"]
    check_persons(con, values)
    valid = [v for v in values if "-" not in v and pnr.valid(v)]
    assert len(valid) > 1000  # the test is meaningful


DIGITS = st.text(alphabet="0123456789", min_size=0, max_size=14)
SHAPED = st.builds(
    lambda a, sep, b, pad1, pad2: f"{pad1}{a}{sep}{b}{pad2}",
    st.text(alphabet="0123456789", min_size=5, max_size=9),
    st.sampled_from(["", "-", "+", " ", "--"]),
    st.text(alphabet="0123456789", min_size=3, max_size=5),
    st.sampled_from(["", " ", "\t", "\u00a0", "\u2003", "\x1c", "x", "\u0660"]),
    st.sampled_from(["", " ", "\r", "\u3000", "\x85", "\u200b", "٣"]),
)
ANY = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=16)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.one_of(DIGITS, SHAPED, ANY), min_size=1, max_size=60))
def test_personnummer_sql_equals_the_package(
    con: duckdb.DuckDBPyConnection, values: list[str]
) -> None:
    check_persons(con, values)


def test_a_samordningsnummer_keeps_its_real_birth_month(con: duckdb.DuckDBPyConnection) -> None:
    coordination = next(n for c in "0123456789" if pnr.valid(n := f"19850769980{c}"))
    dashed = coordination[:8] + "-" + coordination[8:]
    check_persons(con, [coordination, dashed])
    got = sql_persons(con, [coordination, dashed])
    assert got[coordination][1:5] == (None, pseudonymise(KEY, coordination), "1985-07-01", "1")
    assert got[dashed][1:5] == got[coordination][1:5]


@settings(max_examples=200, deadline=None)
@given(
    key=st.binary(min_size=1, max_size=150),
    values=st.lists(ANY, min_size=1, max_size=20),
)
def test_employee_numbers_and_pseudonyms_equal_python(
    con: duckdb.DuckDBPyConnection, key: bytes, values: list[str]
) -> None:
    identity_sql.set_key(con, key)
    try:
        rows = con.execute(
            "select raw, masked, employee from " + identity_sql.employee_relation(_values(values))
        ).fetchall()
    finally:
        identity_sql.set_key(con, KEY)
    for raw, masked, employee in rows:
        value = raw.strip()
        assert masked == (mask_digits(raw) or None)
        assert employee == (identify_employee(value, key) if value else None)


@settings(max_examples=200, deadline=None)
@given(st.lists(ANY, min_size=1, max_size=20))
def test_python_mask_and_strip_in_sql_equal_python(
    con: duckdb.DuckDBPyConnection, values: list[str]
) -> None:
    rows = con.execute(
        f"select v, {identity_sql.python_mask('v')}, {identity_sql.python_strip('v')} "
        f"from (select unnest({text_list(values)}) as v)"
    ).fetchall()
    for v, masked, stripped in rows:
        assert masked == mask(v)
        assert stripped == v.strip()


def test_the_digit_class_is_pythons_backslash_d() -> None:
    digits = {c for a, b in identity_sql.PYTHON_DIGIT_RANGES for c in range(a, b + 1)}
    expected = {c for c in range(0x110000) if re.match(r"\d", chr(c))}
    assert digits == expected, "regenerate PYTHON_DIGIT_RANGES for this Python"
    numbers = [f"{chr(a)}{chr(b)}" * 6 for a, b in identity_sql.PYTHON_DIGIT_RANGES]
    with duckdb.connect() as con:
        masked = con.execute(
            f"select {identity_sql.python_mask('v')} from (select unnest({text_list(numbers)}) v)"
        ).fetchall()
    assert {m for (m,) in masked} == {"XXXXXXXX-XXXX"}
