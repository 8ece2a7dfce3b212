"""DDL of the raw layer: every delivery kept in `<export>_history`, the current state in views.

Tables
- `raw.load_log`: one row per delivery, i.e. per landing file seen with a new (name, content,
  modification time): `loaded`, `identical` (byte-identical to an earlier loaded delivery of the
  same key, validated against the same reference data: its rows are reused, not stored again,
  `same_as_delivery_id` points at them), `rejected` (refused whole; no rows) or `held` (stored,
  but not current: a suspicious re-delivery, guard.py, until `bistand accept`, which sets
  `accepted_at` and the status `loaded` or `identical`). Rows read =
  rows loaded + rows rejected for every row. `file_mtime` is the delivery time, `loaded_at` when
  the warehouse took it in (both UTC).
- `raw.rejects`: one row per rejected record: delivery, file, physical line number, the masked
  raw line and the reason(s), `; `-separated.
- `raw.<export>_history`: typed, pseudonymised rows of every loaded delivery (`_delivery_id`).
- `raw.landing_files`: what the landing directory held at the last run of each loader.
- `raw.layer_version`: a hash of this DDL, so an up-to-date layer is not re-created each run.

Views and macros
- `raw.current_deliveries`: per export and key the newest loaded delivery — delivery order is
  the file's modification time, then its name, then load order — and for snapshot exports only
  the latest key (extraction date). `data_delivery_id` is where its rows are.
- `raw.<export>`: the rows of the current deliveries; what dbt reads.
- `raw.current_deliveries_as_of(ts)` / `raw.<export>_as_of(ts)`: the same as the warehouse had
  them at `ts` (deliveries with `loaded_at <= ts`): any earlier state can be rebuilt.
- `raw.outstanding_rejects`: the rejects that still matter now (one row per rejected record of a
  current delivery, level `rad`; one per refused file, level `fil`, as long as the file is still
  in the landing directory and no later delivery of its key has loaded). See engine.py.
"""

from __future__ import annotations

import hashlib

import duckdb

from orchestration.loaders.contract import EXPORTS, Column, ExportSpec, KeyKind, Kind

LOAD_LOG_DDL = """
create table if not exists raw.load_log (
    delivery_id          bigint primary key,
    export               varchar not null,
    file_name            varchar not null,
    file_key             varchar,
    content_hash         varchar not null,
    file_mtime           timestamp,
    file_size            bigint,
    loaded_at            timestamp not null,
    status               varchar not null,      -- loaded | identical | rejected | held
    encoding             varchar,
    rows_read            bigint not null,
    rows_loaded          bigint not null,
    rows_rejected        bigint not null,
    message              varchar,
    warnings             varchar,
    same_as_delivery_id  bigint,
    rules_hash           varchar
)
"""

# Columns added after the first version of the table (older warehouses get them on first use).
LOAD_LOG_ADDED = (
    ("same_as_delivery_id", "bigint"),
    ("rules_hash", "varchar"),
    ("accepted_at", "timestamp"),  # a held delivery accepted (guard.py, accept.py)
)

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

LANDING_FILES_DDL = """
create table if not exists raw.landing_files (
    export        varchar not null,
    file_name     varchar not null,
    file_size     bigint,
    file_mtime    timestamp,
    content_hash  varchar,
    listed_at     timestamp not null
)
"""

LOADED = ("loaded", "identical")


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


def _snapshot_exports() -> str:
    names = [s.name for s in EXPORTS.values() if s.key_kind is KeyKind.SNAPSHOT]
    return ", ".join(f"'{n}'" for n in names)


def current_deliveries_sql(predicate: str = "true") -> str:
    """The current delivery of every key (snapshots: of the latest key) among the deliveries
    of raw.load_log that satisfy `predicate`."""
    return f"""
with loaded as (
    select export, file_key, delivery_id,
           coalesce(same_as_delivery_id, delivery_id) as data_delivery_id,
           file_name, file_mtime, loaded_at
    from raw.load_log
    where status in ('loaded', 'identical') and ({predicate})
),
newest as (
    select *, max(file_key) over (partition by export) as latest_key
    from loaded
    qualify row_number() over (
        partition by export, file_key
        order by file_mtime desc nulls last, file_name desc, delivery_id desc
    ) = 1
)
select export, file_key, delivery_id, data_delivery_id, file_name, file_mtime, loaded_at
from newest
where export not in ({_snapshot_exports()}) or file_key = latest_key"""


def export_rows_sql(spec: ExportSpec, deliveries: str) -> str:
    return f"""
select h.*
from {history_table(spec)} as h
where h._delivery_id in (
    select data_delivery_id from {deliveries} where export = '{spec.name}'
)"""


OUTSTANDING_SQL = f"""
select r.export, r.delivery_id, r.file_name, 'rad' as level, r.line_number,
       r.raw_line_masked, r.reason
from raw.rejects as r
where r.delivery_id in (select data_delivery_id from raw.current_deliveries)
union all
select l.export, l.delivery_id, l.file_name,
       case l.status when 'held' then 'hållen' else 'fil' end as level, null as line_number,
       null as raw_line_masked, l.message as reason
from raw.load_log as l
where l.status in ('rejected', 'held')
  and exists (
      select 1 from raw.landing_files as f
      where f.export = l.export and f.file_name = l.file_name and f.file_size = l.file_size
        and f.file_mtime = l.file_mtime and f.content_hash = l.content_hash
  )
  and not exists (
      select 1 from raw.current_deliveries as c
      where c.export = l.export and (
          (l.export in ({_snapshot_exports()}) and c.file_key > l.file_key)
          or (c.file_key = l.file_key and (
              c.file_mtime > l.file_mtime
              or (c.file_mtime = l.file_mtime and c.file_name > l.file_name)
              or (c.file_mtime = l.file_mtime and c.file_name = l.file_name
                  and c.delivery_id > l.delivery_id)))
      )
  )"""


def _layer_statements() -> list[str]:
    statements = [
        "create schema if not exists raw",
        LOAD_LOG_DDL,
        *(
            f"alter table raw.load_log add column if not exists {name} {sql_type}"
            for name, sql_type in LOAD_LOG_ADDED
        ),
        REJECTS_DDL,
        LANDING_FILES_DDL,
    ]
    for spec in EXPORTS.values():
        columns = [("_delivery_id", "bigint not null"), ("_line_number", "bigint not null")]
        for column in spec.columns:
            columns.extend(column_ddl(column))
        body = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in columns)
        statements.append(f"create table if not exists {history_table(spec)} (\n    {body}\n)")
    statements.append(
        f"create or replace view raw.current_deliveries as {current_deliveries_sql()}"
    )
    statements.append(
        "create or replace macro raw.current_deliveries_as_of(ts) as table "
        + current_deliveries_sql("loaded_at <= ts")
    )
    for spec in EXPORTS.values():
        statements.append(
            f"create or replace view raw.{spec.name} as "
            + export_rows_sql(spec, "raw.current_deliveries")
        )
        statements.append(
            f"create or replace macro raw.{spec.name}_as_of(ts) as table "
            + export_rows_sql(spec, "raw.current_deliveries_as_of(ts)")
        )
    statements.append(f"create or replace view raw.outstanding_rejects as {OUTSTANDING_SQL}")
    return statements


def layer_version() -> str:
    return hashlib.sha256("\n;\n".join(_layer_statements()).encode()).hexdigest()[:16]


def ensure_raw_layer(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or bring up to date) every table, view and macro of the raw layer.

    `raw.layer_version` holds a hash of the DDL; when it matches nothing is executed."""
    version = layer_version()
    exists = con.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'raw' and table_name = 'layer_version' and not temporary"
    ).fetchone()[0]
    if exists and con.execute("select version from raw.layer_version").fetchone() == (version,):
        return
    con.execute("begin transaction")
    try:
        for statement in _layer_statements():
            con.execute(statement)
        con.execute(f"create or replace table raw.layer_version as select '{version}' as version")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
