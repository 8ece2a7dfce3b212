"""benchmarks/sql_floor.py, the floor of the dbt step quoted in results.md: on a copy of the
session's tiny warehouse it rebuilds every model from the project's compiled SQL, without dbt,
to the same rows, and runs every data test."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from benchmarks import sql_floor


def table_rows(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('intermediate', 'marts', 'publish')"
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchone()[0]
            for schema, table in tables
        }
    finally:
        con.close()


def test_the_sql_floor_rebuilds_every_model_to_the_same_rows(
    refreshed_warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "floor.json"
    work = tmp_path / "work"
    assert sql_floor.main([str(refreshed_warehouse.warehouse), str(out), "--work", str(work)]) == 0
    floor = json.loads(out.read_text(encoding="utf-8"))
    manifest = json.loads((work / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    kinds = [node["resource_type"] for node in manifest["nodes"].values()]
    assert floor["models"] == kinds.count("model")
    assert floor["tests"] == kinds.count("test")
    assert floor["failing_tests"] == {}  # the refresh's tests pass, so the floor's find nothing
    assert len(floor["seconds"]) == floor["models"] + floor["tests"]
    assert floor["wall_s"] >= floor["models_wall_s"] > 0 and floor["cpu_s"] > 0
    # the same tables with the same rows as the refresh built
    built = table_rows(refreshed_warehouse.warehouse)
    assert table_rows(work / "warehouse.duckdb") == built
    rebuilt = {key.split(".", 2)[2]: rows for key, rows in floor["rows"].items()}
    assert {name.split(".", 1)[1]: rows for name, rows in built.items()} == rebuilt


def test_models_come_after_every_model_they_read() -> None:
    manifest = {
        "nodes": {
            "model.p.c": {"resource_type": "model", "depends_on": {"nodes": ["model.p.b"]}},
            "model.p.b": {"resource_type": "model", "depends_on": {"nodes": ["model.p.a"]}},
            "model.p.a": {"resource_type": "model", "depends_on": {"nodes": ["seed.p.s"]}},
            "test.p.t": {"resource_type": "test", "depends_on": {"nodes": ["model.p.c"]}},
        }
    }
    assert sql_floor.build_order(manifest, tests=False) == ["model.p.a", "model.p.b", "model.p.c"]
    assert sql_floor.build_order(manifest, tests=True)[-1] == "test.p.t"


def test_the_floor_scripts_default_to_the_profiles_memory_limit() -> None:
    """benchmarks/floor.py, sql_floor.py and `make bench` give DuckDB the memory the refresh's
    dbt has when BISTAND_DUCKDB_MEMORY_LIMIT is unset: the default in dbt_project/profiles.yml."""
    import re

    from benchmarks import floor
    from orchestration.settings import DBT_PROJECT_DIR

    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    (default,) = re.findall(r"env_var\('BISTAND_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    assert default == floor.MEMORY_LIMIT
    assert default == sql_floor.MEMORY_LIMIT
