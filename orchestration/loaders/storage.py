"""DDL of the raw layer: every delivery kept in `<export>_history`, the current state in views.

- `raw.load_log`: one row per delivered file that was examined (loaded, rejected whole).
- `raw.rejects`: one row per rejected record, with file, line, masked line and reason.
- `raw.<export>_history`: typed, pseudonymised rows of every loaded delivery (`_delivery_id`).
- `raw.<export>`: a view of the rows of the deliveries that are current (the newest delivery of
  each month/year key; for snapshots the latest snapshot), which is what dbt reads.
Any earlier state can be rebuilt from the history and the load log.
"""

from __future__ import annotations

import duckdb

from orchestration.loaders.contract import Column, ExportSpec, KeyKind, Kind

LOAD_LOG_DDL = """
create table if not exists raw.load_log (
    delivery_id      bigint primary key,
    export           varchar not null,
    file_name        varchar not null,
    file_key         varchar,
    content_hash     varchar not null,
    file_mtime       timestamp,
    file_size        bigint,
    loaded_at        timestamp not null,
    status           varchar not null,      -- loaded | rejected
    encoding         varchar,
    rows_read        bigint not null,
    rows_loaded      bigint not null,
    rows_rejected    bigint not null,
    message          varchar,
    warnings         varchar
)
"""

REJECTS_DDL = """
create table if not exists raw.rejects (
    delivery_id      bigint not null,
    export           varchar not null,
    file_name        varchar not null,
    line_number      bigint,
    raw_line_masked  varchar,
    reason           varchar not null
)
"""


def column_ddl(column: Column) -> list[tuple[str, str]]:
    """The typed raw column(s) a contract column becomes."""
    if column.kind is Kind.PERSONNUMMER:
        return [
            ("person_pseudonym", "varchar"),
            ("person_birth_month", "date"),
            ("person_is_coordination_number", "boolean"),
        ]
    if column.kind is Kind.EMPLOYEE_NUMBER:
        return [("employee_pseudonym", "varchar")]
    sql_type = {
        Kind.ID: "varchar",
        Kind.TEXT: "varchar",
        Kind.CODE: "varchar",
        Kind.DATE: "date",
        Kind.MONTH: "date",
        Kind.YEAR: "integer",
        Kind.INT: "integer",
        Kind.DECIMAL: "decimal(18, 4)",
    }[column.kind]
    return [(column.name, sql_type)]


def history_table(spec: ExportSpec) -> str:
    return f"raw.{spec.name}_history"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, spec: ExportSpec) -> None:
    con.execute("create schema if not exists raw")
    con.execute(LOAD_LOG_DDL)
    con.execute(REJECTS_DDL)
    columns = [("_delivery_id", "bigint not null"), ("_line_number", "bigint not null")]
    for column in spec.columns:
        columns.extend(column_ddl(column))
    body = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in columns)
    con.execute(f"create table if not exists {history_table(spec)} (\n    {body}\n)")
    con.execute(f"create or replace view raw.{spec.name} as {current_rows_sql(spec)}")


def current_deliveries_sql(spec: ExportSpec) -> str:
    """The delivery ids whose rows are the current state of the export."""
    newest_per_key = f"""
        select delivery_id, file_key
        from raw.load_log
        where export = '{spec.name}' and status = 'loaded'
        qualify row_number() over (
            partition by file_key order by file_mtime desc, file_name desc, delivery_id desc
        ) = 1"""
    if spec.key_kind is KeyKind.SNAPSHOT:
        return f"select delivery_id from ({newest_per_key}) order by file_key desc limit 1"
    return f"select delivery_id from ({newest_per_key})"


def current_rows_sql(spec: ExportSpec) -> str:
    return f"""
select h.*
from {history_table(spec)} as h
where h._delivery_id in ({current_deliveries_sql(spec)})"""
