"""The run log: one row per refresh in `meta.refresh_runs`, read by the data-quality page.

A run is recorded when it starts (status `pågår`), marked `publicerad` by the publish step, and
closed by whoever ran it (the CLI, or the run-status sensors under the Dagster daemon) with its
final status and failed checks. The published file carries a copy of the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from orchestration.loaders.literals import literal, text

RUNS_DDL = """
create schema if not exists meta;
create table if not exists meta.refresh_runs (
    run_id         varchar primary key,
    started_at     timestamp,
    published_at   timestamp,
    finished_at    timestamp,
    status         varchar,        -- pågår | publicerad | klar | klar_med_avvisningar | misslyckad
    new_files      integer,
    files_rejected integer,
    rows_loaded    bigint,
    rows_rejected  bigint,
    failed_checks  varchar,
    message        varchar
);
alter table meta.refresh_runs add column if not exists build_scope varchar;
"""


def now() -> datetime:
    return datetime.now(tz=UTC).replace(tzinfo=None, microsecond=0)


def ensure_runlog(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RUNS_DDL)


def record_start(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    ensure_runlog(con)
    con.execute(
        "insert into meta.refresh_runs (run_id, started_at, status) "
        f"values ({text(run_id)}, {literal(now())}, 'pågår') on conflict do nothing"
    )


# build_scope of a run that built only the pages (the `pages` job): it leaves the warehouse and
# the published file as they were, so a stop-early check looks past it (orchestration/uptodate.py)
PAGES_ONLY_SCOPE = "endast sidorna"


def record_build_scope(con: duckdb.DuckDBPyConnection, run_id: str, scope: str) -> None:
    """What the dbt build rebuilt of the month-keyed facts: `hela`, `från 2026-08`, or
    `inga ändrade månader` (orchestration/incremental.py)."""
    ensure_runlog(con)
    con.execute(
        f"update meta.refresh_runs set build_scope = {text(scope)} where run_id = {text(run_id)}"
    )


def record_published(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    ensure_runlog(con)
    con.execute(
        f"update meta.refresh_runs set published_at = {literal(now())}, status = 'publicerad' "
        f"where run_id = {text(run_id)}"
    )


def record_end(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    failed_checks: Sequence[str] = (),
    message: str | None = None,
) -> None:
    """Close a run with its final status and the load summary of the deliveries it loaded."""
    ensure_runlog(con)
    started = con.execute(
        f"select started_at from meta.refresh_runs where run_id = {text(run_id)}"
    ).fetchone()
    if started is None:
        record_start(con, run_id)
        started = (now(),)
    totals = (0, 0, 0, 0)
    has_log = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'load_log'"
    ).fetchone()[0]
    if has_log:
        totals = con.execute(
            "select count(*), count(*) filter (where status = 'rejected'), "
            # a held re-delivery's rows are stored, not loaded into the current state
            "coalesce(sum(rows_loaded) filter (where status <> 'held'), 0), "
            "coalesce(sum(rows_rejected) filter (where status <> 'held'), 0) "
            f"from raw.load_log where loaded_at >= {literal(started[0])}"
        ).fetchone()
    new_files, files_rejected, rows_loaded, rows_rejected = totals
    con.execute(
        f"update meta.refresh_runs set finished_at = {literal(now())}, status = {text(status)}, "
        f"new_files = {literal(new_files)}, files_rejected = {literal(files_rejected)}, "
        f"rows_loaded = {literal(rows_loaded)}, rows_rejected = {literal(rows_rejected)}, "
        f"failed_checks = {literal('; '.join(failed_checks) or None)}, "
        f"message = {literal(message)} where run_id = {text(run_id)}"
    )
