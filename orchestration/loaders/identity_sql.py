"""Personnummer and employee numbers validated and pseudonymised set-based, inside DuckDB.

The staging query applies these expressions once per *distinct* identifier value of a batch of
files; the raw value exists only inside that query (never in a table, temporary or not, nor in
a file) and leaves it as a pseudonym, a birth month, a samordningsnummer flag, a reason and a
masked form. They are the SQL twins of `identifiers.identify_person`, `identify_employee`,
`mask_digits` and `pseudonym.pseudonymise`, and must give exactly what those give
(tests/loaders/test_identity_sql.py checks them against the Python functions and the
`personnummer` package, with hypothesis and exhaustively over dates):

- A personnummer value is stripped as Python's `str.strip` does (WHITESPACE_CLASS) and checked
  in this order: empty → missing; 10 digits (`-`/`+` allowed) → 10 digits; 12 digits with `+`
  → plus sign; not 12 digits with an optional `-` before the last four → bad format; then the
  package's rules: serial (digits 9–11) not `000`, Luhn over digits 3–11 equal to digit 12, a
  real date (year ≥ 1; day − 60 for a samordningsnummer, day > 60). Valid: HMAC-SHA-256 of the
  12 digits as 32 letters a–p, the birth month and whether it is a samordningsnummer.
- A value with a character outside ASCII after stripping (Unicode digits count as digits for
  Python's `re` and `int`) is not decided here: `route` is true and the loader hands the file to
  the Python record reader, which uses the package itself.
- An employee number is stripped the same way and pseudonymised as `anstallning:<value>`;
  an empty one has no pseudonym.
- The HMAC key never appears in SQL text (which error messages may quote): `set_key` puts the
  two padded key blocks in session variables, `clear_key` removes them.
"""

from __future__ import annotations

import hashlib

import duckdb

from orchestration.loaders.identifiers import (
    BAD_FORMAT,
    INVALID,
    MISSING,
    PLUS_SIGN,
    TEN_DIGITS,
)
from orchestration.loaders.literals import blob, text
from orchestration.pseudonym import PSEUDONYM_LENGTH

# Exactly the characters for which Python's str.isspace() is true (proven for every code point
# in tests/loaders/test_plain_path.py): what str.strip() removes.
WHITESPACE_CLASS = r"[\t-\r\x1c-\x20\x85\p{Z}]"
# Exactly the characters Python's `re` matches with \d in a str pattern (Unicode category Nd of
# Python's Unicode tables; RE2's \p{Nd} is a newer, larger set). Checked for every code point in
# tests/loaders/test_identity_sql.py: regenerate it there if Python's Unicode version changes.
PYTHON_DIGIT_RANGES = (
    (0x30, 0x39), (0x660, 0x669), (0x6F0, 0x6F9), (0x7C0, 0x7C9), (0x966, 0x96F),
    (0x9E6, 0x9EF), (0xA66, 0xA6F), (0xAE6, 0xAEF), (0xB66, 0xB6F), (0xBE6, 0xBEF),
    (0xC66, 0xC6F), (0xCE6, 0xCEF), (0xD66, 0xD6F), (0xDE6, 0xDEF), (0xE50, 0xE59),
    (0xED0, 0xED9), (0xF20, 0xF29), (0x1040, 0x1049), (0x1090, 0x1099), (0x17E0, 0x17E9),
    (0x1810, 0x1819), (0x1946, 0x194F), (0x19D0, 0x19D9), (0x1A80, 0x1A89), (0x1A90, 0x1A99),
    (0x1B50, 0x1B59), (0x1BB0, 0x1BB9), (0x1C40, 0x1C49), (0x1C50, 0x1C59), (0xA620, 0xA629),
    (0xA8D0, 0xA8D9), (0xA900, 0xA909), (0xA9D0, 0xA9D9), (0xA9F0, 0xA9F9), (0xAA50, 0xAA59),
    (0xABF0, 0xABF9), (0xFF10, 0xFF19), (0x104A0, 0x104A9), (0x10D30, 0x10D39),
    (0x11066, 0x1106F), (0x110F0, 0x110F9), (0x11136, 0x1113F), (0x111D0, 0x111D9),
    (0x112F0, 0x112F9), (0x11450, 0x11459), (0x114D0, 0x114D9), (0x11650, 0x11659),
    (0x116C0, 0x116C9), (0x11730, 0x11739), (0x118E0, 0x118E9), (0x11950, 0x11959),
    (0x11C50, 0x11C59), (0x11D50, 0x11D59), (0x11DA0, 0x11DA9), (0x16A60, 0x16A69),
    (0x16AC0, 0x16AC9), (0x16B50, 0x16B59), (0x1D7CE, 0x1D7FF), (0x1E140, 0x1E149),
    (0x1E2F0, 0x1E2F9), (0x1E950, 0x1E959), (0x1FBF0, 0x1FBF9),
)  # fmt: skip
PYTHON_DIGIT_CLASS = (
    "[" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in PYTHON_DIGIT_RANGES) + "]"
)
INNER_VARIABLE = "bistand_hmac_inner"
OUTER_VARIABLE = "bistand_hmac_outer"
_DIGITS = "'0123456789'"


def python_strip(value_sql: str) -> str:
    """SQL for Python's `value.strip()`."""
    return f"regexp_replace({value_sql}, '^{WHITESPACE_CLASS}+|{WHITESPACE_CLASS}+$', '', 'g')"


def python_mask(value_sql: str) -> str:
    """SQL for `identifiers.mask` (Python's Unicode \\d, unlike `checks_sql.mask_sql`)."""
    d = PYTHON_DIGIT_CLASS
    return f"regexp_replace({value_sql}, '{d}{{6,8}}[-+]?{d}{{4}}', 'XXXXXXXX-XXXX', 'g')"


def mask_digits(value_sql: str) -> str:
    """SQL for `identifiers.mask_digits`: every ASCII digit an X."""
    return f"translate({value_sql}, {_DIGITS}, 'XXXXXXXXXX')"


def set_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """The HMAC key's inner and outer padded blocks as session variables (RFC 2104)."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = bytes(b ^ 0x36 for b in block)
    outer = bytes(b ^ 0x5C for b in block)
    con.execute(f"set variable {INNER_VARIABLE} = {blob(inner)}")
    con.execute(f"set variable {OUTER_VARIABLE} = {blob(outer)}")


def clear_key(con: duckdb.DuckDBPyConnection) -> None:
    for name in (INNER_VARIABLE, OUTER_VARIABLE):
        con.execute(f"reset variable {name}")


def pseudonym(message_sql: str) -> str:
    """SQL for `pseudonymise`: HMAC-SHA-256 of the UTF-8 text, first 32 hex digits as a–p."""
    inner = f"unhex(sha256(getvariable('{INNER_VARIABLE}') || encode({message_sql})))"
    digest = f"sha256(getvariable('{OUTER_VARIABLE}') || {inner})"
    return f"translate(left({digest}, {PSEUDONYM_LENGTH}), '0123456789abcdef', 'abcdefghijklmnop')"


def _digit(n: str, position: int) -> str:
    """SQL: digit `position` (1–12, from the left) of the 12-digit number `n`."""
    return f"(({n} // {10 ** (12 - position)}) % 10)"


def _luhn_ok(n: str) -> str:
    """The package's Luhn rule over digits 3–11 (weights 2, 1, 2, …), check digit 12."""
    terms = []
    for i in range(9):
        x = _digit(n, 3 + i)
        terms.append(
            f"(case when {x} * 2 > 9 then {x} * 2 - 9 else {x} * 2 end)" if i % 2 == 0 else x
        )
    total = " + ".join(terms)
    return f"(10 - ({total}) % 10) % 10 = {_digit(n, 12)}"


def person_columns(raw_sql: str, column: str) -> dict[str, str]:
    """SQL over one distinct raw personnummer `raw_sql`: masked, reason, birth ('YYYY-MM-01'),
    coord ('1'/'0'), route (see the module docstring). The expressions refer to the columns
    `v` (stripped), `d` (without `-`) and `n` (`d` as a number, where it is one) of the relation
    that `person_relation` builds; the number's parts are only read where `v` has the shape of
    a 12-digit personnummer (CASE evaluates a branch only for the rows that reach it)."""
    year, month, day = "(n // 100000000)", "((n // 1000000) % 100)", "((n // 10000) % 100)"
    real_day = f"(case when {day} > 60 then {day} - 60 else {day} end)"
    date_ok = (
        f"(case when {year} >= 1 and {month} between 1 and 12 then {real_day} between 1 and "
        f"day(last_day(make_date({year}::int, {month}::int, 1))) else false end)"
    )
    valid = f"((n // 10) % 1000 <> 0 and {_luhn_ok('n')} and {date_ok})"
    reason = (
        f"case when v = '' then {text(MISSING.format(column=column))} "
        f"when regexp_full_match(v, '[0-9]{{6}}[-+]?[0-9]{{4}}') then {text(TEN_DIGITS)} "
        f"when regexp_full_match(v, '[0-9]{{8}}\\+[0-9]{{4}}') then {text(PLUS_SIGN)} "
        f"when not regexp_full_match(v, '[0-9]{{8}}-?[0-9]{{4}}') then {text(BAD_FORMAT)} "
        f"when not {valid} then {text(INVALID)} end"
    )
    return {
        "masked": f"nullif({mask_digits(raw_sql)}, '')",
        "reason": reason,
        "birth": f"case when _ok then printf('%04d-%02d-01', {year}, {month}) end",
        "coord": f"case when _ok then (case when {day} > 60 then '1' else '0' end) end",
        "route": "regexp_matches(v, '[^\\x00-\\x7F]')",
    }


def person_relation(values_sql: str, column: str) -> str:
    """A relation of one row per distinct raw value (column `raw` of `values_sql`) with the
    columns of `person_columns`; `raw` is kept only to join back inside the same query. The
    HMAC runs once per distinct 12-digit number (with and without `-` are the same number)."""
    cols = person_columns("raw", column)
    return f"""(
        with checked as (
            select *, _reason is null and not {cols["route"]} as _ok
            from (select *, {cols["reason"]} as _reason
                  from (select raw, v, d, try_cast(d as bigint) as n
                        from (select raw, v, replace(v, '-', '') as d
                              from (select raw, {python_strip("raw")} as v
                                    from ({values_sql})))))
        ),
        hashed as (
            select d, {pseudonym("d")} as _pseudonym from (select distinct d from checked where _ok)
        )
        select raw, {cols["masked"]} as masked, _reason as reason,
               _pseudonym as pseudonym, {cols["birth"]} as birth,
               {cols["coord"]} as coord, {cols["route"]} as route
        from checked left join hashed using (d)
    )"""


def employee_relation(values_sql: str) -> str:
    """One row per distinct raw employee number (column `raw` of `values_sql`): masked and
    the pseudonym of the stripped value (none when empty)."""
    return f"""(
        select raw, nullif({mask_digits("raw")}, '') as masked,
               case when v <> '' then {pseudonym("'anstallning:' || v")} end as employee
        from (select raw, {python_strip("raw")} as v from ({values_sql}))
    )"""
