"""The floor: what DuckDB alone needs for the core of a refresh, on the same landing directory.

    python -m benchmarks.floor LANDING OUT_JSON [--db FILE] [--memory-limit 6GB] [--key KEY]

A plain script, no Dagster, no dbt, no Python per row. Into a DuckDB file (default: a temporary
file, removed), written in the warehouse's storage format (v1.4: orchestration/resources.py), it

1. reads every `utbetalningar_*.csv` with DuckDB's CSV reader (`;`, header, decimal comma),
2. reads every `hushallsmedlemmar_*.csv` the same way, checks each personnummer (12 digits,
   optional `-`, Luhn over the last ten) and replaces it with sha256(key || 12 digits); the
   birth date (samordningsnummer: day − 60) is kept for the age, the number itself is not,
3. monthly bidragshushåll per district (payments of the month sum to more than 0 kr; the
   district with the largest sum),
4. long-term adults per year and district: adults (18+ on 31 December) who were recipients
   (members of a bidragshushåll) in ≥ 10 of that year's 12 months, counted in the district of
   their latest recipient month (the spec's `EB_ANDEL_LANGVARIGT` at e = December).

Rows the reader cannot parse are skipped and counted (`store_rejects`), not validated further:
the floor is the engine's cost for the same core work, not a second implementation of the
loaders. The benchmark runs it as a child process in the same run as the project's full refresh
and reports project / floor (target ≤ 8×). OUT_JSON gets the seconds per step, row counts,
DuckDB's version and settings.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

STORAGE_VERSION = "v1.4.0"
# DuckDB's memory limit: the default of dbt_project/profiles.yml (BISTAND_DUCKDB_MEMORY_LIMIT), so
# that the floor runs with the memory the refresh's dbt has (tests/test_sql_floor.py checks it)
MEMORY_LIMIT = "6GB"
READ_OPTIONS = (
    "delim = ';', header = true, quote = '\"', all_varchar = true, "
    "store_rejects = true, auto_detect = false"
)

PAYMENTS = """
create table utbetalningar as
select
    hushall_id,
    stadsdel_kod,
    bidragsmanad,
    cast(replace(belopp, ',', '.') as decimal(18, 2)) as belopp
from read_csv({files}, columns = {columns}, {options})
"""

MEMBERS = """
create table hushallsmedlemmar as
with raw as (
    select hushall_id, bidragsmanad, replace(personnummer, '-', '') as pnr, kon, roll
    from read_csv({files}, columns = {columns}, {options})
), checked as (
    select
        *,
        coalesce(
            regexp_full_match(pnr, '[0-9]{{12}}')
            and list_sum(list_transform(
                try_cast(str_split(substr(pnr, 3, 10), '') as integer[]),
                lambda d, i: case when i % 2 = 1 then (2 * d) // 10 + (2 * d) % 10 else d end
            )) % 10 = 0,
            false
        ) as valid
    from raw
)
select
    hushall_id,
    bidragsmanad,
    -- an invalid number is kept as a row without a pseudonym (counted, never stored)
    case when valid then sha256({key} || pnr) end as pseudonym,
    case when valid then try(make_date(
        cast(substr(pnr, 1, 4) as integer),
        cast(substr(pnr, 5, 2) as integer),
        cast(substr(pnr, 7, 2) as integer)
            - case when cast(substr(pnr, 7, 2) as integer) > 60 then 60 else 0 end
    )) end as birth_date,
    kon,
    roll
from checked
"""

HOUSEHOLDS = """
create table hushall_manad as
with per_district as (
    select bidragsmanad, hushall_id, stadsdel_kod, sum(belopp) as belopp
    from utbetalningar
    group by all
)
select
    bidragsmanad,
    hushall_id,
    arg_max(stadsdel_kod, belopp) as stadsdel_kod,
    sum(belopp) as belopp
from per_district
group by all
having sum(belopp) > 0;

create table hushall_per_stadsdel as
select bidragsmanad, stadsdel_kod, count(*) as hushall, sum(belopp) as belopp
from hushall_manad
group by all
"""

LONG_TERM = """
create table langvarigt_per_ar as
with recipient_months as (
    select distinct
        m.pseudonym,
        m.birth_date,
        cast(substr(h.bidragsmanad, 1, 4) as integer) as ar,
        cast(substr(h.bidragsmanad, 6, 2) as integer) as manad,
        h.stadsdel_kod
    from hushallsmedlemmar m
    join hushall_manad h using (hushall_id, bidragsmanad)
    where m.pseudonym is not null
), per_person as (
    select
        ar,
        pseudonym,
        count(distinct manad) as manader,
        arg_max(stadsdel_kod, manad) as stadsdel_kod,
        any_value(birth_date) as birth_date
    from recipient_months
    group by ar, pseudonym
)
select ar, stadsdel_kod, count(*) as vuxna_langvarigt
from per_person
where manader >= 10 and birth_date <= make_date(ar - 18, 12, 31)
group by all
"""

PAYMENT_COLUMNS = {
    "utbetalning_id": "VARCHAR",
    "arende_id": "VARCHAR",
    "hushall_id": "VARCHAR",
    "stadsdel_kod": "VARCHAR",
    "bidragsmanad": "VARCHAR",
    "utbetalningsdatum": "VARCHAR",
    "belopp": "VARCHAR",
    "bistandstyp": "VARCHAR",
    "forsorjningshinder_kod": "VARCHAR",
    "lo_andamal": "VARCHAR",
}
MEMBER_COLUMNS = {
    "hushall_id": "VARCHAR",
    "bidragsmanad": "VARCHAR",
    "personnummer": "VARCHAR",
    "kon": "VARCHAR",
    "roll": "VARCHAR",
}


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _sql_struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"


def header_columns(path: Path, expected: dict[str, str]) -> dict[str, str]:
    """The file's own column order (the contract leaves it free), typed as VARCHAR."""
    with path.open("r", encoding="utf-8-sig") as handle:
        names = [n.strip().lower() for n in handle.readline().rstrip("\r\n").split(";")]
    missing = set(expected) - set(names)
    if missing:
        raise SystemExit(f"{path.name}: columns missing: {sorted(missing)}")
    return {n: "VARCHAR" for n in names}


def run_floor(
    landing: Path, db_file: Path, memory_limit: str = MEMORY_LIMIT, key: str = "floor"
) -> dict:
    import duckdb

    started = time.monotonic()
    timings: dict[str, float] = {}
    payments = sorted(landing.glob("utbetalningar_*.csv"))
    members = sorted(landing.glob("hushallsmedlemmar_*.csv"))
    if not payments or not members:
        raise SystemExit(f"{landing}: no utbetalningar_*.csv or hushallsmedlemmar_*.csv")
    db_file.unlink(missing_ok=True)
    # the storage format the project writes its warehouse in (orchestration/resources.py:
    # WAREHOUSE_STORAGE_VERSION), so that the floor writes its tables as fast
    con = duckdb.connect(str(db_file), config={"storage_compatibility_version": STORAGE_VERSION})
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set preserve_insertion_order = false")
    timings["connect_s"] = time.monotonic() - started

    def step(name: str, sql: str) -> None:
        t0 = time.monotonic()
        for statement in sql.split(";\n"):
            if statement.strip():
                con.execute(statement)
        timings[name] = time.monotonic() - t0

    step(
        "read_utbetalningar_s",
        PAYMENTS.format(
            files=_sql_list(payments),
            columns=_sql_struct(header_columns(payments[0], PAYMENT_COLUMNS)),
            options=READ_OPTIONS,
        ),
    )
    step(
        "read_hushallsmedlemmar_s",
        MEMBERS.format(
            files=_sql_list(members),
            columns=_sql_struct(header_columns(members[0], MEMBER_COLUMNS)),
            options=READ_OPTIONS,
            # a literal, not a bound parameter: binding one makes DuckDB's Python module import
            # numpy and pandas (~2 s), which is not DuckDB's work
            key="'" + key.replace("'", "''") + "'",
        ),
    )
    step("households_per_district_s", HOUSEHOLDS)
    step("long_term_per_year_s", LONG_TERM)
    t0 = time.monotonic()
    con.execute("checkpoint")
    timings["checkpoint_s"] = time.monotonic() - t0

    def count(table: str) -> int:
        return con.execute(f"select count(*) from {table}").fetchone()[0]

    counts = {
        t: count(t)
        for t in (
            "utbetalningar",
            "hushallsmedlemmar",
            "hushall_manad",
            "hushall_per_stadsdel",
            "langvarigt_per_ar",
        )
    }
    try:
        counts["reader_errors"] = count("reject_errors")
    except duckdb.Error:
        counts["reader_errors"] = None
    counts["invalid_personnummer"] = con.execute(
        "select count(*) from hushallsmedlemmar where pseudonym is null"
    ).fetchone()[0]
    long_term = con.execute(
        "select ar, sum(vuxna_langvarigt) from langvarigt_per_ar group by ar order by ar"
    ).fetchall()
    settings = dict(
        con.execute(
            "select name, value from duckdb_settings() "
            "where name in ('threads', 'memory_limit', 'storage_compatibility_version')"
        ).fetchall()
    )
    con.close()
    work_s = sum(v for k, v in timings.items() if k != "connect_s")
    return {
        "duckdb_version": duckdb.__version__,
        "settings": settings,
        "files": {"utbetalningar": len(payments), "hushallsmedlemmar": len(members)},
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "work_s": round(work_s, 3),
        "counts": counts,
        "long_term_adults_per_year": {str(y): int(n) for y, n in long_term},
        "db_bytes": db_file.stat().st_size if db_file.exists() else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__)
    parser.add_argument("landing", type=Path)
    parser.add_argument("out", type=Path, help="JSON with the timings and counts")
    parser.add_argument("--db", type=Path, default=None, help="DuckDB file (default: temporary)")
    parser.add_argument("--memory-limit", default=MEMORY_LIMIT, help="as the project's dbt profile")
    parser.add_argument("--key", default="floor", help="prefix hashed with each personnummer")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.db is None:
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
            result = run_floor(
                args.landing, Path(tmp) / "floor.duckdb", args.memory_limit, args.key
            )
    else:
        result = run_floor(args.landing, args.db, args.memory_limit, args.key)
    result["script_s"] = round(time.monotonic() - started, 3)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
