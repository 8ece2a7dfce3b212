"""Incremental refresh: only changed months are rebuilt, and the result equals a full rebuild.

The scenario is the nightly one after a month end, on the tiny delivery of the session
(`refreshed_warehouse`, built whole from it, is the full rebuild to compare with):
1. a warehouse is built from the delivery without its last two months, with a wrong delivery
   of hushallsmedlemmar 2025-03 (ten members missing) and a budget of 2024 that leaves out one
   district;
2. the last two months arrive, and 2025-03 and the budget of 2024 are re-delivered corrected
   (the original files);
3. the refresh loads only those files and rebuilds the month-keyed facts from 2025-03 on — the
   re-delivered month, every later month, and so every trailing-12 figure that depends on it —
   and sums up the KPI observations' budget part again from 2024.
The case and plan snapshots are first delivered wrong too (a closed case still open, a case and
a plan missing) and then re-delivered correct, so int_case_plan_months, incremental by case,
rewrites the changed cases (macros/case_plan_months.sql).
Every table of the intermediate, marts and publish schemas must then equal the full rebuild's,
row for row, except the data-quality tables, which describe the delivery history (here it has
two more deliveries) rather than the data.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.incremental import (
    BuildPlan,
    plan_build,
    project_fingerprint,
    record_state,
    reference_only_nodes,
    start_build,
)
from orchestration.project import dbt_project
from tests.conftest import Refreshed, made_in_background, prepared, refresh

HELD_BACK = ("_2025-11.csv", "_2025-12.csv")
CORRECTED = "hushallsmedlemmar_2025-03.csv"
MISSING_MEMBERS = 10
# delivered first without one district's lines (it then has no budget in 2024), then corrected
CORRECTED_BUDGET = "budget_2024.csv"
BUDGET_DISTRICT_LEFT_OUT = ";HEM;"
# These describe the deliveries (files loaded, when), which differ by design.
MARCH_RECIPIENTS = (
    "select count(*) from marts.fct_person_month where benefit_month = date '2025-03-01'"
)
DELIVERY_HISTORY_TABLES = {("publish", "datakvalitet"), ("publish", "datakvalitet_orsak")}
CASES, PLANS = "arenden_", "forandringsplaner_"


def _wrong_snapshot(path: Path) -> None:
    """The snapshot as first delivered: for cases, its first closed case still open and the
    next case missing; for plans, its first plan missing."""
    header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if path.name.startswith(CASES):
        closed = next(i for i, row in enumerate(rows) if row.split(";")[4])
        fields = rows[closed].rstrip("\n").split(";")
        rows[closed] = ";".join([*fields[:4], "", ""]) + "\n"  # no closing date nor reason
        del rows[closed + 1]
    else:
        del rows[0]
    path.write_text(header + "".join(rows), encoding="utf-8")


@dataclass(frozen=True)
class IncrementalRun:
    first: Refreshed
    first_march_recipients: int
    second: Refreshed
    full: Refreshed


def _fresh_mtime(path: Path) -> None:
    """A delivery time after every earlier one (the loader orders deliveries by it)."""
    now = time.time_ns()
    os.utime(path, ns=(now, now))


@made_in_background("incremental_run", "tiny_landing", "refreshed_warehouse")
def make_incremental_run(
    work: Path, tiny_landing: Path, refreshed_warehouse: Refreshed
) -> IncrementalRun:
    """Two refreshes of the tiny delivery: without its last months (and with a corrected file
    short of members), then with them; the session's full refresh beside them."""
    landing = work / "landing"
    landing.mkdir()
    for source in sorted(tiny_landing.iterdir()):
        if not source.name.endswith(HELD_BACK):
            shutil.copy2(source, landing / source.name)
    lines = (tiny_landing / CORRECTED).read_text(encoding="utf-8").splitlines(keepends=True)
    (landing / CORRECTED).write_text("".join(lines[:1] + lines[1 + MISSING_MEMBERS :]), "utf-8")
    _fresh_mtime(landing / CORRECTED)
    budget = (tiny_landing / CORRECTED_BUDGET).read_text(encoding="utf-8").splitlines(True)
    without = [line for line in budget if BUDGET_DISTRICT_LEFT_OUT not in line]
    assert len(without) < len(budget), "the district has a budget in 2024"
    (landing / CORRECTED_BUDGET).write_text("".join(without), "utf-8")
    _fresh_mtime(landing / CORRECTED_BUDGET)
    snapshots = sorted(p.name for p in landing.iterdir() if p.name.startswith((CASES, PLANS)))
    assert len(snapshots) == 2, snapshots
    for name in snapshots:
        _wrong_snapshot(landing / name)
    first = refresh(landing, work / "warehouse.duckdb")
    assert first.exit_code == 0, first.output[-5000:]
    with duckdb.connect(str(first.warehouse), read_only=True) as con:
        first_march_recipients = con.execute(MARCH_RECIPIENTS).fetchone()[0]

    for source in sorted(tiny_landing.iterdir()):
        if source.name.endswith(HELD_BACK) or source.name in (
            CORRECTED,
            CORRECTED_BUDGET,
            *snapshots,
        ):
            shutil.copyfile(source, landing / source.name)
            _fresh_mtime(landing / source.name)
    second = refresh(landing, work / "warehouse.duckdb")
    assert second.exit_code == 0, second.output[-5000:]
    return IncrementalRun(first, first_march_recipients, second, refreshed_warehouse)


@pytest.fixture(scope="module")
def incremental_run(request: pytest.FixtureRequest) -> IncrementalRun:
    """Made in the background since the session started (tests/conftest.py), or here."""
    return prepared("incremental_run", request)


def test_first_build_is_full_and_the_next_rebuilds_from_the_corrected_month(
    incremental_run: IncrementalRun,
) -> None:
    assert "Månadsfakta byggda: hela" in incremental_run.first.output
    # only the new and re-delivered files are loaded: 2 months × 3 monthly exports + 2025-03
    # + the budget of 2024 + the case and plan snapshots
    assert "Nya filer: 10 " in incremental_run.second.output
    assert "Månadsfakta byggda: från 2025-03" in incremental_run.second.output
    with duckdb.connect(str(incremental_run.second.warehouse), read_only=True) as con:
        scopes = con.execute(
            "select build_scope from meta.refresh_runs order by started_at, run_id"
        ).fetchall()
    assert scopes == [("hela",), ("från 2025-03",)]


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "and schema_name in ('intermediate', 'marts', 'publish') order by all",
        [catalog],
    ).fetchall()


def test_incremental_refresh_equals_a_full_rebuild(incremental_run: IncrementalRun) -> None:
    con = duckdb.connect()
    con.execute(f"attach '{incremental_run.second.warehouse}' as inc (read_only)")
    con.execute(f"attach '{incremental_run.full.warehouse}' as full_build (read_only)")
    tables = _tables(con, "inc")
    assert tables == _tables(con, "full_build")
    assert ("marts", "fct_person_month") in tables
    compared = 0
    differences = {}
    for schema, table in tables:
        if (schema, table) in DELIVERY_HISTORY_TABLES:
            continue
        inc, full = f"inc.{schema}.{table}", f"full_build.{schema}.{table}"
        only_inc, only_full, rows = con.execute(
            f"select (select count(*) from (from {inc} except all from {full})), "
            f"(select count(*) from (from {full} except all from {inc})), "
            f"(select count(*) from {full})"
        ).fetchone()
        if only_inc or only_full:
            differences[f"{schema}.{table}"] = (rows, only_inc, only_full)
        compared += 1
    assert differences == {}
    assert compared == len(tables) - len(DELIVERY_HISTORY_TABLES)


def test_the_wrong_delivery_was_built_and_then_replaced(incremental_run: IncrementalRun) -> None:
    """The comparison above is not vacuous: the first build counted the wrong March."""
    with duckdb.connect(str(incremental_run.full.warehouse), read_only=True) as con:
        right = con.execute(MARCH_RECIPIENTS).fetchone()[0]
    with duckdb.connect(str(incremental_run.second.warehouse), read_only=True) as con:
        corrected = con.execute(MARCH_RECIPIENTS).fetchone()[0]
    assert 0 < incremental_run.first_march_recipients < right
    assert corrected == right


# --- the plan, on a stand-in raw layer --------------------------------------------------------


def _warehouse(deliveries: list[tuple[str, str, int]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.load_log (delivery_id bigint)")
    con.execute(
        "create table raw.current_deliveries (export varchar, file_key varchar, "
        "data_delivery_id bigint)"
    )
    con.executemany("insert into raw.current_deliveries values (?, ?, ?)", deliveries)
    return con


def _replace(con: duckdb.DuckDBPyConnection, deliveries: list[tuple[str, str, int]]) -> None:
    con.execute("delete from raw.current_deliveries")
    con.executemany("insert into raw.current_deliveries values (?, ?, ?)", deliveries)


BUILT = [
    ("utbetalningar", "2025-01", 1),
    ("utbetalningar", "2025-02", 2),
    ("hushallsmedlemmar", "2025-01", 3),
    ("hushallsmedlemmar", "2025-02", 4),
    ("arenden", "2025-03-05", 5),
]


def test_plan_without_a_successful_build_is_full() -> None:
    con = _warehouse(BUILT)
    assert plan_build(con, "f1").full
    record_state(con, "2025-03-06 02:00:00", "f1")
    start_build(con, BuildPlan(False, None, "inga nya eller ändrade månader"))  # never finished
    plan = plan_build(con, "f1")
    assert plan == BuildPlan(True, None, "förra uppbyggnaden avslutades inte")
    assert plan.dbt_args() == ["--full-refresh"] and plan.first_month is None
    assert plan.scope == "hela"


def test_plan_after_a_build_of_the_same_deliveries_rebuilds_no_month() -> None:
    con = _warehouse(BUILT)
    record_state(con, "2025-03-06 02:00:00", "f1")
    plan = plan_build(con, "f1")
    assert plan == BuildPlan(False, None, "inga nya eller ändrade månader")
    # seeds and views as they are; a subset picked in Dagster keeps dagster-dbt's selection
    assert plan.dbt_args() == [
        "--indirect-selection",
        "empty",
        "--exclude",
        "config.materialized:view path:seeds",
    ]
    assert plan.dbt_args(subset=True) == []
    # given the manifest, the tables made from seeds alone and their tests are left too
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    *flags, excluded = plan.dbt_args(manifest=manifest)
    assert flags == ["--indirect-selection", "empty", "--exclude"]
    assert excluded.split() == [
        "config.materialized:view",
        "path:seeds",
        *reference_only_nodes(manifest),
    ]
    assert plan.first_month == date(9999, 12, 1)
    start_build(con, plan)
    assert con.execute("select * from meta.dbt_build_plan").fetchall() == [
        (date(9999, 12, 1), date(9999, 12, 1))
    ]
    record_state(con, "2025-03-06 02:10:00", "f1")  # the build succeeded
    assert con.execute("select count(*) from meta.dbt_build_plan").fetchone() == (0,)
    # a new snapshot of another export changes no month-keyed fact
    _replace(con, [*BUILT[:4], ("arenden", "2025-04-05", 6)])
    assert plan_build(con, "f1").rebuild_from is None


def test_plan_rebuilds_from_the_earliest_new_changed_or_removed_month() -> None:
    con = _warehouse(BUILT)
    record_state(con, "2025-03-06 02:00:00", "f1")
    _replace(con, [*BUILT, ("utbetalningar", "2025-03", 7)])  # a new month
    assert plan_build(con, "f1").rebuild_from == date(2025, 3, 1)
    _replace(con, [*BUILT, ("hushallsmedlemmar", "2025-03", 8), ("utbetalningar", "2025-02", 9)])
    plan = plan_build(con, "f1")  # February re-delivered
    assert plan.rebuild_from == date(2025, 2, 1)
    assert "--full-refresh" not in plan.dbt_args() and plan.first_month == date(2025, 2, 1)
    assert plan.scope == "från 2025-02"
    _replace(con, [row for row in BUILT if row[1] != "2025-01"])  # January withdrawn
    assert plan_build(con, "f1").rebuild_from == date(2025, 1, 1)


def test_plan_names_the_first_year_whose_budget_changed_beside_the_months() -> None:
    """The budget (a file per year) is no month of the month-keyed facts: a re-delivered budget
    of 2024 leaves rebuild_from to the monthly exports and gives budget_from 2024-01-01 (the
    KPI observations' budget part is summed up again from there: macros/kpi_observations.sql)."""
    built = [*BUILT, ("budget", "2024", 10), ("budget", "2025", 11)]
    con = _warehouse(built)
    record_state(con, "2025-03-06 02:00:00", "f1")
    assert plan_build(con, "f1") == BuildPlan(False, None, "inga nya eller ändrade månader")
    _replace(con, [*built[:-2], ("budget", "2024", 12), ("budget", "2025", 11)])
    plan = plan_build(con, "f1")
    assert plan == BuildPlan(
        False, None, "inga nya eller ändrade månader; budget från 2024", date(2024, 1, 1)
    )
    assert plan.first_month == date(9999, 12, 1) and plan.budget_first_month == date(2024, 1, 1)
    assert plan.scope == "inga ändrade månader"
    # with a new month too; a budget year that is new counts like a changed one
    _replace(con, [*built, ("utbetalningar", "2025-03", 13), ("budget", "2026", 14)])
    plan = plan_build(con, "f1")
    assert (plan.rebuild_from, plan.budget_from) == (date(2025, 3, 1), date(2026, 1, 1))
    start_build(con, plan)
    assert con.execute("select * from meta.dbt_build_plan").fetchall() == [
        (date(2025, 3, 1), date(2026, 1, 1))
    ]


def test_plan_is_full_when_the_models_or_reference_data_changed() -> None:
    con = _warehouse(BUILT)
    record_state(con, "2025-03-06 02:00:00", "f1")
    plan = plan_build(con, "f2")
    assert plan.full and plan.reason == "modellerna eller referensdatan har ändrats"


def test_project_fingerprint_follows_models_and_seeds(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    (tmp_path / "models" / "a.sql").write_text("select 1\n")
    (tmp_path / "seeds" / "s.csv").write_text("a\n1\n")
    first = project_fingerprint(tmp_path)
    assert project_fingerprint(tmp_path) == first
    (tmp_path / "seeds" / "s.csv").write_text("a\n2\n")
    assert project_fingerprint(tmp_path) != first
    assert len(project_fingerprint()) == 32


def test_reference_only_nodes_are_the_tables_and_tests_without_an_export_upstream() -> None:
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    names = set(reference_only_nodes(manifest))
    # dimensions and roll-ups of the reference data, and the tests that read only them
    assert {"dim_gender", "dim_district", "int_area_rollup"} <= names
    assert {"rules_dim_district", "rules_int_area_rollup", "rules_targets"} <= names
    # anything that reads an export stays, including tests joining an export to a dimension
    assert not names & {
        "dim_person",
        "dim_month",
        "fct_household_month",
        "kpi",
        "rules_fct_person_month",
        "assert_publish_kpi_hides_every_suppressed_value",
        # publish models are built every time: the publish step waits for all of them
        "indicator",
        "area",
    }
    # and every excluded model is a table (views are excluded as views)
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert all(models[n]["config"]["materialized"] == "table" for n in names if n in models)
