"""Facts about DuckDB that the value rules (checks_sql.py) rely on."""

from __future__ import annotations

import duckdb


def test_a_date_cast_equals_strptime_for_every_text_of_the_date_pattern() -> None:
    """`YYYY-MM-DD` text: `try_cast(… as date)` gives what `try_strptime(…, '%Y-%m-%d')` gives
    — every year with months 00–13 and days 00–32, and months and days 00–99 in the years
    where the calendar differs (year 0, centuries, leap years)."""
    with duckdb.connect() as con:
        differing = con.execute(
            """
            with texts as (
                select printf('%04d-%02d-%02d', y, m, d) as s
                from range(10000) t(y), range(14) u(m), range(33) v(d)
                union all
                select printf('%04d-%02d-%02d', y, m, d)
                from (values (0), (1), (1900), (2000), (2023), (2024), (9999)) t(y),
                     range(100) u(m), range(100) v(d)
            )
            select count(*) filter (where try_strptime(s, '%Y-%m-%d')::date
                                    is distinct from try_cast(s as date)),
                   count(*) filter (where try_cast(s as date) is not null)
            from texts
            """
        ).fetchone()
    assert differing[0] == 0
    assert differing[1] > 3_000_000  # the valid dates of years 0–9999 are in there
