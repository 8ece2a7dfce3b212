"""Many files staged, checked and written together (a batch) are still separate deliveries;
nothing of a personnummer reaches any table while they load; an unchanged landing directory
reads no file."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.loaders import deliveries, staging
from tests.loaders.support import PNR, Env, delivery
from tests.privacy import personnummer_in_text

MONTHS = [f"2024-{m:02d}" for m in range(1, 7)]


def payments(month: str, rows: list) -> str:
    return delivery("utbetalningar", rows, file_name=f"utbetalningar_{month}.csv")


def test_each_file_of_a_batch_is_its_own_delivery(env: Env) -> None:
    """Six months in one batch: one load-log row each, rows read = loaded + rejected per file,
    rejects and duplicates per file, one file refused whole while the others load. The files
    with something to report are checked again on their own (the careful way)."""
    texts = {
        "2024-01": payments("2024-01", [None, None]),
        "2024-02": payments("2024-02", [None, {"belopp": "x"}, None]),
        "2024-03": payments("2024-03", [None, {"bidragsmanad": "2024-04"}]),  # refused whole
        "2024-04": payments("2024-04", [None, {"utbetalning_id": "U00001"}]),  # duplicate
        "2024-05": payments("2024-05", []),
        "2024-06": payments("2024-06", [None]),
    }
    for month, text in texts.items():
        env.write(f"utbetalningar_{month}.csv", text)
    batches: list[int] = []
    real = staging.plain_source

    def counting(*args: object) -> object:
        batches.append(len(args[2]))  # type: ignore[arg-type]
        return real(*args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staging, "plain_source", counting)
        outcome = env.load("utbetalningar")
    assert batches == [6, 3]  # all six, then again the three with something to report
    logged = {f"utbetalningar_{m}.csv": env.log(f"utbetalningar_{m}.csv") for m in MONTHS}
    assert [(f.file_name, f.status) for f in outcome.files] == [
        (name, "rejected" if name.endswith("03.csv") else "loaded") for name in logged
    ]
    assert [log.delivery_id for log in logged.values()] == [1, 2, 3, 4, 5, 6]
    counts = [(log.rows_read, log.rows_loaded, log.rows_rejected) for log in logged.values()]
    assert counts == [(2, 2, 0), (3, 2, 1), (0, 0, 0), (2, 0, 2), (0, 0, 0), (1, 1, 0)]
    assert env.rejects("utbetalningar_2024-02.csv") == [(3, "ogiltigt tal i belopp: 'x'")]
    assert [r for _, r in env.rejects("utbetalningar_2024-04.csv")] == [
        "dubblett med olika innehåll: samma utbetalning_id på 2 rader (första på rad 2)"
    ] * 2
    # the same utbetalning_id in other months' files is no duplicate
    assert env.history_count("utbetalningar") == 2 + 2 + 1


def test_the_same_content_twice_in_one_run_is_loaded_once(env: Env) -> None:
    text = payments("2024-01", [None, None])
    env.write("utbetalningar_2024-01.csv", text)
    env.write("UTBETALNINGAR_2024-01.csv", text)  # the same key, the same bytes, delivered later
    outcome = env.load("utbetalningar")
    assert [(f.file_name, f.status, f.same_as_delivery_id) for f in outcome.files] == [
        ("utbetalningar_2024-01.csv", "loaded", None),
        ("UTBETALNINGAR_2024-01.csv", "identical", 1),
    ]
    assert env.history_count("utbetalningar") == 2


def test_no_personnummer_in_any_table_while_a_batch_loads(env: Env) -> None:
    """At the moment a batch is written — staging and validation done, rows appended, the
    transaction not yet committed — no table, temporary or not, holds a personnummer (a bad
    one in a rejected line, one in a wrong column), whichever way the batch went."""
    rows = [
        {"personnummer": PNR[1][2:]},
        {"hushall_id": PNR[2]},
        {"roll": PNR[3]},
        f"H9;2024-01;{PNR[4]};K",
        None,
    ]
    env.write("hushallsmedlemmar_2024-01.csv", delivery("hushallsmedlemmar", rows))
    env.write(
        "hushallsmedlemmar_2024-02.csv",
        delivery("hushallsmedlemmar", [None, None], file_name="hushallsmedlemmar_2024-02.csv"),
    )
    seen: list[tuple[int, list[str]]] = []
    real = deliveries.write_load_log

    def scanning(con: duckdb.DuckDBPyConnection, entries: list) -> None:
        tables = con.execute(
            "select database_name, schema_name, table_name from duckdb_tables()"
        ).fetchall()
        found = []
        for database, schema, table in tables:
            for (text,) in con.execute(
                f'select cast(t as varchar) from "{database}"."{schema}"."{table}" as t'
            ).fetchall():
                found += personnummer_in_text(text)
        history = con.execute("select count(*) from raw.hushallsmedlemmar_history").fetchone()
        seen.append((history[0], found))
        real(con, entries)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deliveries, "write_load_log", scanning)
        outcome = env.load("hushallsmedlemmar")
    assert [f.rows_rejected for f in outcome.files] == [4, 0]
    # the clean file straight, the other the careful way: handed to Python (a lookalike)
    assert [rows for rows, _ in seen] == [2, 2, 3]
    assert all(found == [] for _, found in seen)


def test_an_unchanged_landing_directory_reads_no_file(env: Env) -> None:
    for month in MONTHS[:3]:
        env.write(f"utbetalningar_{month}.csv", payments(month, [None]))
    env.load("utbetalningar")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file was read")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deliveries, "inspect_file", refuse)
        patch.setattr(staging, "plain_source", refuse)
        patch.setattr(staging, "python_source", refuse)
        assert env.load("utbetalningar").files == []
