"""Code lists from the dbt seeds (dbt_project/seeds/ref_*.csv), the one source of truth."""

from __future__ import annotations

import csv
from functools import cache

import duckdb

from orchestration.loaders.contract import ExportSpec, Kind
from orchestration.settings import REFERENCE_DIR

CODE_COLUMN = {"ref_districts": "stadsdel_kod", "ref_units": "enhet_kod"}


@cache
def reference_codes(seed: str) -> tuple[str, ...]:
    path = REFERENCE_DIR / f"{seed}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        column = CODE_COLUMN.get(seed, "kod")
        return tuple(row[column] for row in csv.DictReader(handle))


def register_reference_tables(con: duckdb.DuckDBPyConnection, spec: ExportSpec) -> None:
    """Temp tables `_codes_<seed>(kod)` for the code columns of one export."""
    for column in spec.columns:
        if column.kind is not Kind.CODE or column.reference is None:
            continue
        table = f"_codes_{column.reference}"
        con.execute(f"create or replace temp table {table} (kod varchar)")
        con.executemany(
            f"insert into {table} values (?)", [(c,) for c in reference_codes(column.reference)]
        )
