"""Which months the dbt build must rebuild: the incremental refresh's plan.

The loaders already take in only new or changed deliveries. The big month-keyed facts
(households, persons and their KPI observations; dbt_project/macros/incremental.sql) are
incremental dbt models: a build rebuilds them from the month in `meta.dbt_build_plan` on,
everything else whole. This module decides that month, and remembers what a build was made from:

- `meta.dbt_build_state` holds, after every successful `dbt build`, a fingerprint of the dbt
  project (models, macros, seeds, settings) and the current delivery of every month of the
  monthly exports the incremental models read (`utbetalningar`, `hushallsmedlemmar`).
- The next build compares: no state, or another fingerprint (the SQL or the reference data
  changed) → a full rebuild (`--full-refresh`); otherwise the earliest month whose delivery
  differs (new, re-delivered, or gone) → `rebuild_from`; no month differs → nothing of the
  month-keyed facts is rebuilt.
- The budget (`budget_YYYY.csv`, one file per year, re-delivered whole) is remembered too: its
  earliest year whose delivery differs → `budget_from` (1 January of it). The month-keyed facts
  do not read it; the budget part of the KPI observations does (with the household months), so
  int_kpi_observation_years sums that part up again from the earlier of the two years on.
- The state is forgotten before dbt starts and written again only after it succeeded, so a
  failed or killed build is followed by a full rebuild — never by an incremental build on top
  of half-written tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.loaders.literals import literal, text
from orchestration.settings import DBT_PROJECT_DIR

# The exports the month-keyed incremental models read; their file key is the month (YYYY-MM).
MONTHLY_SOURCES = ("utbetalningar", "hushallsmedlemmar")
# The budget, read with the month-keyed models by the KPI observations' budget part; its file
# key is the year (YYYY).
BUDGET_SOURCE = "budget"
# What decides the SQL and reference data of a build (tests do not change any table).
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "packages.yml", "models", "macros", "seeds")
# On an incremental build: not the seeds (loaded from unchanged files, and their tests) and not
# the views (unchanged definitions); tests are selected directly (dagster-dbt adds
# `--select fqn:*`), so the tests of the views still run on the new data.
UNCHANGED_DEFINITIONS_EXCLUDED = (
    "--indirect-selection",
    "empty",
    "--exclude",
    "config.materialized:view path:seeds",
)
# A month after any data: the month-keyed models rebuild nothing.
NOTHING = date(9999, 12, 1)

STATE_DDL = """
create schema if not exists meta;
create table if not exists meta.dbt_build_state (
    project_fingerprint  varchar not null,
    export               varchar not null,
    file_key             varchar not null,
    data_delivery_id     bigint not null,
    built_at             timestamp not null
);
create table if not exists meta.dbt_build_plan (rebuild_from date);
alter table meta.dbt_build_plan add column if not exists budget_from date;
"""


@dataclass(frozen=True)
class BuildPlan:
    """How the next `dbt build` treats the month-keyed facts."""

    full: bool
    rebuild_from: date | None  # first month to rebuild (incremental builds only)
    reason: str  # in Swedish, for the run log and the console
    # 1 January of the first year whose budget delivery changed (incremental builds only)
    budget_from: date | None = None

    def dbt_args(self, subset: bool = False, manifest: dict | None = None) -> list[str]:
        """The build's selection: everything on a full rebuild; on an incremental one (same
        models and reference data as the last successful build) the seeds, their tests and the
        views are left as they are — their definitions are unchanged, a view reads the new data
        anyway — and so are the tables made from reference data alone and their tests (given
        the `manifest`: `reference_only_nodes`), while every model that reads an export and
        every data test of one runs. A Dagster subset (assets picked in the UI) keeps
        dagster-dbt's own selection."""
        if self.full:
            return ["--full-refresh"]
        if subset:
            return []
        if manifest is None:
            return [*UNCHANGED_DEFINITIONS_EXCLUDED]
        *flags, excluded = UNCHANGED_DEFINITIONS_EXCLUDED
        return [*flags, " ".join([excluded, *reference_only_nodes(manifest)])]

    @property
    def first_month(self) -> date | None:
        """What meta.dbt_build_plan holds for dbt: None for a full rebuild."""
        return None if self.full else (self.rebuild_from or NOTHING)

    @property
    def budget_first_month(self) -> date | None:
        """What meta.dbt_build_plan holds as budget_from: None for a full rebuild."""
        return None if self.full else (self.budget_from or NOTHING)

    @property
    def scope(self) -> str:
        """A short Swedish description for meta.refresh_runs.build_scope."""
        if self.full:
            return "hela"
        if self.rebuild_from is None:
            return "inga ändrade månader"
        return f"från {self.rebuild_from:%Y-%m}"


def reference_only_nodes(manifest: dict) -> list[str]:
    """The tables built from seeds alone (no export upstream: dimensions such as dim_gender,
    the area roll-up) and the data tests that read only such tables or seeds, by name — not
    the publish models (the publish step runs only after every one of them was built). Same
    project, same seeds: a build makes exactly the rows it made last time, so an incremental
    build leaves them as they are (a project change means a full build)."""
    nodes = manifest["nodes"]
    parents = manifest["parent_map"]
    reads_export: dict[str, bool] = {}

    def from_export(unique_id: str) -> bool:
        if unique_id not in reads_export:
            reads_export[unique_id] = unique_id.startswith("source.") or any(
                from_export(parent) for parent in parents.get(unique_id, [])
            )
        return reads_export[unique_id]

    models = sorted(
        node["name"]
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") != "view"
        and node["config"].get("schema") != "publish"  # the publish step waits for every one
        and not from_export(unique_id)
    )
    tests = sorted(
        node["name"]
        for unique_id, node in nodes.items()
        if node["resource_type"] == "test" and parents.get(unique_id) and not from_export(unique_id)
    )
    return models + tests


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """A hash of every file that decides what a build computes."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        path = project_dir / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            digest.update(file.relative_to(project_dir).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            f"where table_catalog = current_database() and table_schema = {text(schema)} "
            f"and table_name = {text(table)}"
        ).fetchone()[0]
    )


def _current(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    if not _has_table(con, "raw", "load_log"):
        return {}
    names = ", ".join(f"'{n}'" for n in (*MONTHLY_SOURCES, BUDGET_SOURCE))
    rows = con.execute(
        "select export, file_key, data_delivery_id from raw.current_deliveries "
        f"where export in ({names})"
    ).fetchall()
    return {(export, key): delivery for export, key, delivery in rows}


def plan_build(con: duckdb.DuckDBPyConnection, fingerprint: str | None = None) -> BuildPlan:
    """Compare the warehouse's current deliveries with those of the last successful build."""
    fingerprint = fingerprint or project_fingerprint()
    if not _has_table(con, "meta", "dbt_build_state"):
        return BuildPlan(True, None, "ingen tidigare lyckad uppbyggnad")
    state = con.execute(
        "select project_fingerprint, export, file_key, data_delivery_id from meta.dbt_build_state"
    ).fetchall()
    if not state:
        return BuildPlan(True, None, "förra uppbyggnaden avslutades inte")
    if any(row[0] != fingerprint for row in state):
        return BuildPlan(True, None, "modellerna eller referensdatan har ändrats")
    built = {(export, key): delivery for _, export, key, delivery in state if export}
    current = _current(con)
    changed = {
        (export, key)
        for (export, key) in built.keys() | current.keys()
        if built.get((export, key)) != current.get((export, key))
    }
    months = sorted(key for export, key in changed if export != BUDGET_SOURCE)
    budget_years = sorted(key for export, key in changed if export == BUDGET_SOURCE)
    budget_from = date(int(budget_years[0][:4]), 1, 1) if budget_years else None
    budget = f"; budget från {budget_years[0]}" if budget_years else ""
    if not months:
        return BuildPlan(False, None, f"inga nya eller ändrade månader{budget}", budget_from)
    first = months[0]
    rebuild_from = date(int(first[:4]), int(first[5:7]), 1)
    return BuildPlan(
        False, rebuild_from, f"nya eller ändrade leveranser från {first}{budget}", budget_from
    )


def start_build(con: duckdb.DuckDBPyConnection, plan: BuildPlan) -> None:
    """Before a build: hand dbt its first month (meta.dbt_build_plan, read by
    macros/incremental.sql), and forget the state — until this build succeeds, the next one
    must be a full rebuild."""
    con.execute(STATE_DDL)
    con.execute("begin transaction")
    con.execute("delete from meta.dbt_build_plan")
    if plan.first_month is not None:
        con.execute(
            "insert into meta.dbt_build_plan (rebuild_from, budget_from) "
            f"values ({literal(plan.first_month)}, {literal(plan.budget_first_month)})"
        )
    con.execute("delete from meta.dbt_build_state")
    con.execute("commit")


def record_state(
    con: duckdb.DuckDBPyConnection, built_at: object, fingerprint: str | None = None
) -> None:
    """After a successful build: what it was made from. The plan is cleared, so that dbt run
    by hand rebuilds every month."""
    fingerprint = fingerprint or project_fingerprint()
    con.execute(STATE_DDL)
    con.execute("delete from meta.dbt_build_plan")
    current = _current(con)
    rows = [
        (fingerprint, export, key, delivery, built_at)
        for (export, key), delivery in current.items()
    ]
    # one row even without monthly deliveries, so that "no state" means "no successful build"
    rows = rows or [(fingerprint, "", "", 0, built_at)]
    con.execute("begin transaction")
    con.execute("delete from meta.dbt_build_state")
    # one statement, not executemany (which prepares and runs one per row)
    values = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    con.execute(f"insert into meta.dbt_build_state values {values}")
    con.execute("commit")
