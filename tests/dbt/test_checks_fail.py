"""The folded checks still fail: break rows of a refreshed warehouse and see each kind of rule
catch them — a `rules` test (staging view, intermediate table, big fact with keys and
relationships), the singular test of int_kpi_observations, and a contract constraint on an
incremental model's append. And every constraint the contracts declare is in the warehouse."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import dbt_warm
from tests.conftest import Refreshed, made_in_background, prepared


def _dbt(warehouse: Path, target: Path, *args: str) -> subprocess.CompletedProcess:
    return dbt_warm.run(warehouse, target, list(args))


@made_in_background("broken", "refreshed_warehouse")
def break_and_check(work: Path, refreshed_warehouse: Refreshed) -> dict:
    """A copy of the refreshed warehouse with rows broken in several models, and the checks
    run on it: {test name: broken rules}, plus the output of a rebuild of fct_person_month.
    Made in the session's background (three dbt commands, tests/conftest.py)."""
    # the same file name: dbt's views name the warehouse's catalog
    warehouse = work / refreshed_warehouse.warehouse.name
    shutil.copy2(refreshed_warehouse.warehouse, warehouse)
    target = work / "target"
    with duckdb.connect(str(warehouse)) as con:
        # staging view: a payment of an unknown assistance type and district
        con.execute(
            "update raw.utbetalningar_history set bistandstyp = 'XX', stadsdel_kod = 'NOPE' "
            "where utbetalning_id = (select min(utbetalning_id) from raw.utbetalningar)"
        )
        # staging view: the id of a payment of the first month used again in the last month
        # (each file's ids are unique, so the loader takes both; without a plan the test groups
        # every id by its hash first: tests/generic/unique_in_rebuilt_months.sql)
        con.execute(
            "update raw.utbetalningar_history set utbetalning_id = ("
            "  select max(utbetalning_id) from raw.utbetalningar"
            "  where bidragsmanad = (select min(bidragsmanad) from raw.utbetalningar)"
            ") where utbetalning_id = ("
            "  select max(utbetalning_id) from raw.utbetalningar"
            "  where bidragsmanad = (select max(bidragsmanad) from raw.utbetalningar)"
            ")"
        )
        # intermediate table: a household-month twice
        con.execute(
            "insert into intermediate.int_household_months "
            "select * from intermediate.int_household_months limit 1"
        )
        # big fact: a person-month twice, and a person missing from dim_person
        con.execute(
            "insert into marts.fct_person_month select * from marts.fct_person_month limit 1"
        )
        con.execute(
            "delete from marts.dim_person where person_id = "
            "(select max(person_id) from marts.fct_person_month)"
        )
        # observations (int_kpi_obs_cases is a view: the broken rows are put into it): a
        # counted-once subject contributing 2, a second row of a case with another
        # eligible_from, and a row of a gender the fan-out does not know
        con.execute(
            "alter view intermediate.int_kpi_obs_cases rename to int_kpi_obs_cases_as_built"
        )
        con.execute(
            """
            create view intermediate.int_kpi_obs_cases as
            with built as (select * from intermediate.int_kpi_obs_cases_as_built),
            counted_twice as (
                select min(subject_id) as subject_id from built
                where indicator_code = 'EB_AVSLUT_EGEN'
            ),
            second_date as (
                select min(subject_id) as subject_id from built
                where indicator_code = 'EB_PLAN_3MAN'
            )
            select built.* replace (
                case when built.indicator_code = 'EB_AVSLUT_EGEN'
                    and built.subject_id = (select subject_id from counted_twice)
                    then 2 else built.numerator end as numerator
            )
            from built
            union all
            select * replace (eligible_from + 1 as eligible_from)
            from built
            where indicator_code = 'EB_PLAN_3MAN'
                and subject_id = (select subject_id from second_date)
            union all
            select * replace ('okänd' as gender)
            from built
            where indicator_code = 'EB_AVSLUT_OKANT'
                and subject_id = (select min(subject_id) from built
                                  where indicator_code = 'EB_AVSLUT_OKANT')
            """
        )
        # an input of fct_person_month that breaks its contract (age 0–120)
        con.execute(
            "update intermediate.int_recipient_months set age_at_month_end = 130 "
            "where person_id = (select min(person_id) from intermediate.int_recipient_months)"
        )
    selected = [
        "rules_stg_case_system__payments",
        "unique_stg_case_system__payments_payment_id",
        "rules_int_household_months",
        "rules_fct_person_month",
        "rules_int_kpi_observations",
    ]
    # the observations' summary the check reads is rebuilt from the broken view first, as in a
    # build (where it is always built before the check)
    summed = _dbt(warehouse, target, "run", "--select", "int_kpi_observation_years")
    assert summed.returncode == 0, summed.stdout[-3000:]
    tested = _dbt(warehouse, target, "test", "--select", *selected)
    assert tested.returncode == 1, tested.stdout[-3000:]
    run = json.loads((target / "run_results.json").read_text())
    failed = {r["unique_id"].split(".")[2] for r in run["results"] if r["status"] == "fail"}
    # where the observations' rules gate a build: the fan-out's inputs run beside the check,
    # fct_indicator_value (the first model with published figures) waits for it
    gated = _dbt(
        warehouse,
        target,
        "build",
        "--select",
        "rules_int_kpi_observations",
        "int_kpi_period_cells",
        "fct_indicator_value",
        "--indirect-selection",
        "empty",
    )
    assert gated.returncode == 1, gated.stdout[-3000:]
    gate = {
        r["unique_id"].split(".")[2]: r["status"]
        for r in json.loads((target / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith(("model.", "test."))
    }
    # each test's own query, run on the broken warehouse, names the rules it found broken
    rules = {}
    manifest = json.loads((target / "manifest.json").read_text())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for node in manifest["nodes"].values():
            if node["resource_type"] == "test" and node["name"] in selected:
                compiled = target / "compiled" / node["package_name"] / node["original_file_path"]
                sql = (compiled / f"{node['name']}.sql") if compiled.suffix == ".yml" else compiled
                rows = con.execute(sql.read_text()).fetchall()
                rules[node["name"]] = {rule: count for rule, count in rows}
    # an incremental build that rewrote only the months after the duplicated household-month:
    # its rules check those months (the older rows were checked by the build that wrote them)
    with duckdb.connect(str(warehouse)) as con:
        (duplicated,) = con.execute(
            "select max(benefit_month) from intermediate.int_household_months "
            "group by household_id, benefit_month having count(*) > 1"
        ).fetchone()
        con.execute("delete from meta.dbt_build_plan")
        con.execute(
            "insert into meta.dbt_build_plan (rebuild_from) values (? + interval 1 month)",
            [duplicated],
        )
    sliced = _dbt(warehouse, target, "test", "--select", "rules_int_household_months")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from meta.dbt_build_plan")
    # an incremental run of fct_person_month (no plan: every month is rebuilt and appended)
    rebuilt = _dbt(warehouse, target, "run", "--select", "fct_person_month")
    return {
        "failed": failed,
        "gate": gate,
        "rules": rules,
        "sliced": sliced,
        "rebuild": rebuilt,
        "manifest": manifest,
    }


@pytest.fixture(scope="module")
def broken(request: pytest.FixtureRequest) -> dict:
    return prepared("broken", request)


def test_rules_of_a_staging_view_fail(broken: dict) -> None:
    assert "rules_stg_case_system__payments" in broken["failed"]
    assert broken["rules"]["rules_stg_case_system__payments"] == {
        "accepted_values(assistance_type)": 1,
        "relationship((district_code) → ref_districts (stadsdel_kod))": 1,
    }


def test_a_payment_id_used_in_two_months_fails_a_full_build(broken: dict) -> None:
    assert "unique_stg_case_system__payments_payment_id" in broken["failed"]
    # one id, found twice (the hash only picks the candidates; the ids are compared exactly)
    assert list(broken["rules"]["unique_stg_case_system__payments_payment_id"].values()) == [2]


def test_rules_of_an_intermediate_table_fail(broken: dict) -> None:
    assert broken["rules"]["rules_int_household_months"] == {
        "unique(household_id, benefit_month)": 1
    }


def test_rules_of_a_month_keyed_model_check_the_months_the_build_rewrote(broken: dict) -> None:
    # the duplicate lies before the plan's first month: not this build's rows
    assert broken["sliced"].returncode == 0, broken["sliced"].stdout[-3000:]
    # without a plan (a full build) every month is checked and the duplicate found
    assert "rules_int_household_months" in broken["failed"]


def test_rules_of_a_big_fact_fail_on_its_key_and_relationships(broken: dict) -> None:
    rules = broken["rules"]["rules_fct_person_month"]
    assert rules["unique(person_id, benefit_month)"] == 1
    assert rules["relationship((person_id) → dim_person (person_id))"] >= 1
    # the duplicated int_household_months row is not in fct_household_month's table, so the
    # composite relationship still holds
    assert set(rules) == {
        "unique(person_id, benefit_month)",
        "relationship((person_id) → dim_person (person_id))",
    }


def test_the_singular_rules_of_the_kpi_observations_fail(broken: dict) -> None:
    assert broken["rules"]["rules_int_kpi_observations"] == {
        "counted_once": 1,
        "known_gender": 1,
        "one_eligible_from (subject)": 1,
        "one_eligible_from (person)": 1,
    }


def test_the_observations_rules_gate_the_published_figures_not_the_fan_out(
    broken: dict,
) -> None:
    """The check runs beside the fan-out (tests/kpi/rules_int_kpi_observations.sql says why)
    and still stops every figure that would be published from broken observations."""
    assert broken["gate"] == {
        "rules_int_kpi_observations": "fail",
        "int_kpi_period_cells": "success",
        "fct_indicator_value": "skipped",
    }


def test_a_contract_check_fails_an_incremental_append(broken: dict) -> None:
    rebuilt = broken["rebuild"]
    assert rebuilt.returncode == 1
    assert "Constraint Error" in rebuilt.stdout
    assert "age_at_month_end" in rebuilt.stdout


def test_every_contract_constraint_is_in_the_warehouse(
    refreshed_warehouse: Refreshed, broken: dict
) -> None:
    """The primary keys and checks declared in the marts and publish contracts are in the
    tables the refresh wrote (so DuckDB enforced them on every row)."""
    declared = {}
    for node in broken["manifest"]["nodes"].values():
        if node["resource_type"] != "model" or not node["config"]["contract"]["enforced"]:
            continue
        kinds = [c["type"] for c in node["constraints"]]
        kinds += [c["type"] for col in node["columns"].values() for c in col["constraints"]]
        declared[(node["schema"], node["name"])] = {
            "PRIMARY KEY": kinds.count("primary_key"),
            "CHECK": kinds.count("check"),
        }
    with duckdb.connect(str(refreshed_warehouse.warehouse), read_only=True) as con:
        found = {}
        for schema, table, kind, n in con.execute(
            "select schema_name, table_name, constraint_type, count(distinct constraint_index) "
            "from duckdb_constraints() where constraint_type in ('PRIMARY KEY', 'CHECK') "
            "group by all"
        ).fetchall():
            found.setdefault((schema, table), {"PRIMARY KEY": 0, "CHECK": 0})[kind] = n
    missing = {
        key: (kinds, found.get(key))
        for key, kinds in declared.items()
        if any(kinds.values()) and found.get(key, {}) != kinds
    }
    assert not missing, missing
