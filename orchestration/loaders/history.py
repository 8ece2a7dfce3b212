"""Writing a checked batch: good rows to `raw.<export>_history`, bad ones to `raw.rejects`, and
one `raw.load_log` row per file — all in ONE transaction, so a file (and the slice it replaces)
is either wholly in the warehouse or not at all; a failure rolls the whole batch back and the
next run loads its files again. Rows are written in delivery order, then line order.
"""

from __future__ import annotations

import duckdb

from orchestration.loaders import deliveries
from orchestration.loaders.contract import ExportSpec
from orchestration.loaders.deliveries import LogEntry
from orchestration.loaders.literals import int_list, text, text_list
from orchestration.loaders.storage import history_table
from orchestration.loaders.validation import CHECKED, history_columns


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
