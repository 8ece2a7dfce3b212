"""Writing a checked batch: good rows to `raw.<export>_history`, bad ones to `raw.rejects`, and
one `raw.load_log` row per file — all in ONE transaction, so a file (and the slice it replaces)
is either wholly in the warehouse or not at all; a failure rolls the whole batch back and the
next run loads its files again. Rows are written in delivery order, then line order.

Two ways to a written batch (engine.py): `write_batch` from `_checked` (validation.check), or
rows appended straight from the check (validation.insert_clean_rows), where the files that
turn out to have something to report are found (`appended_rows`, `duplicated_deliveries`),
removed (`drop_appended`) and checked again the careful way, in the same transaction.
"""

from __future__ import annotations

import duckdb

from orchestration.loaders import deliveries
from orchestration.loaders.contract import ExportSpec, Kind
from orchestration.loaders.deliveries import LogEntry
from orchestration.loaders.literals import int_list, text, text_list
from orchestration.loaders.storage import history_table
from orchestration.loaders.validation import CHECKED, NOT_CLEAN, history_columns


def write_batch(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    entries: list[LogEntry],
    loaded: dict[int, LogEntry],
) -> None:
    """Write the rows of the `loaded` files (batch index → its load-log entry) from `_checked`
    and the load-log rows of all `entries` (loaded or refused files of the batch)."""
    con.execute("begin transaction")
    try:
        if loaded:
            size = max(loaded) + 1
            ids = int_list(
                [loaded[f].outcome.delivery_id if f in loaded else None for f in range(size)]
            )
            names = text_list([loaded[f].seen.name if f in loaded else None for f in range(size)])
            where = f"_file in ({', '.join(map(str, sorted(loaded)))})"
            columns = history_columns(spec)
            con.execute(
                f"insert into {history_table(spec)} "
                f"(_delivery_id, _line_number, {', '.join(columns)}) "
                f"select ({ids})[_file + 1], _line_number, "
                f"{', '.join(f'h_{c}' for c in columns)} "
                f"from {CHECKED} where _reason = '' and {where} order by _file, _line_number"
            )
            con.execute(
                f"insert into raw.rejects select ({ids})[_file + 1], {text(spec.name)}, "
                f"({names})[_file + 1], _line_number, _masked_line, _reason "
                f"from {CHECKED} where _reason <> '' and {where} order by _file, _line_number"
            )
        deliveries.write_load_log(con, entries)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _ids_sql(delivery_ids: list[int]) -> str:
    ids = [*delivery_ids, *(d + NOT_CLEAN for d in delivery_ids)]
    return ", ".join(map(str, ids))


def appended_rows(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, delivery_ids: list[int]
) -> dict[int, tuple[int, int]]:
    """Per delivery of `validation.insert_clean_rows`: (rows appended, rows marked not clean)."""
    counts = {d: [0, 0] for d in delivery_ids}
    for delivery_id, rows in con.execute(
        f"select _delivery_id, count(*) from {history_table(spec)} "
        f"where _delivery_id in ({_ids_sql(delivery_ids)}) group by all"
    ).fetchall():
        if delivery_id >= NOT_CLEAN:
            counts[delivery_id - NOT_CLEAN][1] += rows
        else:
            counts[delivery_id][0] += rows
    return {d: (clean, not_clean) for d, (clean, not_clean) in counts.items()}


def duplicated_deliveries(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, delivery_ids: list[int]
) -> set[int]:
    """Deliveries among the appended rows where two rows may share an identity
    (ExportSpec.unique; compared as a hash of the typed values: rows the careful check finds
    equal hash equal here, and a false alarm only costs the careful check)."""
    if not spec.unique:
        return set()
    kinds = {c.name: c.kind for c in spec.columns}
    key = ", ".join(
        "person_pseudonym"
        if kinds[name] is Kind.PERSONNUMMER
        else "employee_pseudonym"
        if kinds[name] is Kind.EMPLOYEE_NUMBER
        else name
        for name in spec.unique
    )
    ids = ", ".join(map(str, delivery_ids))
    return {
        d
        for (d,) in con.execute(
            f"select distinct _delivery_id from (select _delivery_id from {history_table(spec)} "
            f"where _delivery_id in ({ids}) group by _delivery_id, hash({key}) "
            "having count(*) > 1)"
        ).fetchall()
    }


def drop_appended(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, delivery_ids: list[int]
) -> None:
    """Remove the rows `validation.insert_clean_rows` appended for these deliveries."""
    con.execute(
        f"delete from {history_table(spec)} where _delivery_id in ({_ids_sql(delivery_ids)})"
    )
