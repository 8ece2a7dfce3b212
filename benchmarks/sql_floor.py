"""The floor of the dbt step: this project's own SQL, without dbt and without Dagster.

    python -m benchmarks.sql_floor WAREHOUSE OUT_JSON [--work DIR] [--no-tests]
                                   [--memory-limit 6GB] [--top 15]

WAREHOUSE is a refreshed warehouse (its raw tables and seeds are the input). The script copies it
into DIR (default: a temporary folder, removed), compiles the project there in its full-rebuild
form (`dbt compile --full-refresh`: every incremental model as a plain `create table … as`),
drops every model's table or view from the copy, and then runs each model's compiled SQL — and
each data test's, as `select count(*)` over it — in the DAG's order on ONE plain DuckDB
connection with the refresh's settings (memory limit, insertion order not kept). Nothing runs
beside it: this is what DuckDB needs for the build's SQL, one node after the other, with both
cores for each. OUT_JSON gets the wall and CPU seconds (models, tests, all), each node's seconds
and the rows of every table it rebuilt, so that the floor is shown to do the build's work.

`make bench` does not run it (on the national profile it takes ~5 min on top of a full
refresh); results.md's notes quote it where a target is judged against the floor of a step.
The compile and the copy are not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.floor import MEMORY_LIMIT
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, WAREHOUSE_ENV


@dataclass
class Floor:
    """What one run of the SQL floor measured."""

    models: int = 0
    tests: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    models_wall_s: float = 0.0
    tests_wall_s: float = 0.0
    memory_limit: str = ""
    duckdb_version: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # per node, in DAG order
    rows: dict[str, int] = field(default_factory=dict)  # rows of each rebuilt table
    failing_tests: dict[str, int] = field(default_factory=dict)  # test → rows it returned


def compile_full_rebuild(warehouse: Path, target: Path) -> None:
    """`dbt compile --full-refresh` of the project against `warehouse` into `target`."""
    env = {
        **os.environ,
        WAREHOUSE_ENV: str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    subprocess.run(
        [
            DBT_EXECUTABLE,
            "compile",
            "--full-refresh",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        check=True,
        cwd=DBT_PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def build_order(manifest: dict[str, Any], tests: bool) -> list[str]:
    """Models (and data tests) in an order where each comes after every model it reads."""
    import networkx as nx

    kinds = ("model", "test") if tests else ("model",)
    graph = nx.DiGraph()
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in kinds:
            continue
        graph.add_node(unique_id)
        for parent in node["depends_on"]["nodes"]:
            if manifest["nodes"].get(parent, {}).get("resource_type") == "model":
                graph.add_edge(parent, unique_id)
    return list(nx.lexicographical_topological_sort(graph))


def relation(node: dict[str, Any]) -> str:
    return f'"{node["database"]}"."{node["schema"]}"."{node["alias"]}"'


def compiled_sql(target: Path, node: dict[str, Any]) -> str:
    """The node's compiled SQL from `target` (dbt writes it by the node's original file path;
    a generic test's under its own name)."""
    folder = target / "compiled" / node["package_name"]
    path = folder / node["original_file_path"]
    if node["resource_type"] == "test" and node.get("test_metadata"):
        path = path / f"{node['alias']}.sql"
    if not path.is_file():  # e.g. a generic test dbt named after a hash
        found = sorted(folder.rglob(f"{node['alias']}.sql"))
        if not found:
            raise FileNotFoundError(f"no compiled SQL for {node['unique_id']} in {folder}")
        path = found[0]
    return path.read_text(encoding="utf-8")


def measure(
    warehouse: Path, work: Path, tests: bool = True, memory_limit: str = MEMORY_LIMIT
) -> Floor:
    """Copies `warehouse` into `work`, compiles, drops the models and runs the SQL floor."""
    import duckdb

    work.mkdir(parents=True, exist_ok=True)
    copy = work / warehouse.name
    shutil.copy2(warehouse, copy)
    target = work / "dbt_target"
    compile_full_rebuild(copy, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    order = build_order(manifest, tests)
    nodes = manifest["nodes"]
    con = duckdb.connect(
        str(copy), config={"memory_limit": memory_limit, "preserve_insertion_order": False}
    )
    try:
        for unique_id in reversed([n for n in order if n.startswith("model.")]):
            node = nodes[unique_id]
            kind = con.execute(
                "select table_type from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                [node["schema"], node["alias"]],
            ).fetchone()
            if kind:
                what = "view" if kind[0] == "VIEW" else "table"
                con.execute(f"drop {what} {relation(node)}")
        con.execute("checkpoint")
        floor = Floor(memory_limit=memory_limit, duckdb_version=duckdb.__version__)
        seconds: dict[str, float] = {}
        started, cpu_started = time.perf_counter(), os.times()
        for unique_id in order:
            node = nodes[unique_id]
            sql = compiled_sql(target, node)
            node_started = time.perf_counter()
            if node["resource_type"] == "test":
                found = con.execute(f"select count(*) from ({sql}) as failures").fetchone()[0]
                if found:
                    floor.failing_tests[unique_id] = int(found)
            else:
                view = node["config"]["materialized"] == "view"
                con.execute(f"create {'view' if view else 'table'} {relation(node)} as {sql}")
            seconds[unique_id] = time.perf_counter() - node_started
        con.execute("checkpoint")
        wall = time.perf_counter() - started
        cpu_ended = os.times()
        cpu = (cpu_ended.user - cpu_started.user) + (cpu_ended.system - cpu_started.system)
        for unique_id in order:
            node = nodes[unique_id]
            if unique_id.startswith("model.") and node["config"]["materialized"] != "view":
                count = con.execute(f"select count(*) from {relation(node)}").fetchone()[0]
                floor.rows[unique_id] = int(count)
    finally:
        con.close()
    test_seconds = [s for unique_id, s in seconds.items() if unique_id.startswith("test.")]
    floor.tests, floor.models = len(test_seconds), len(seconds) - len(test_seconds)
    floor.tests_wall_s = round(sum(test_seconds), 2)
    floor.models_wall_s = round(sum(seconds.values()) - sum(test_seconds), 2)
    floor.wall_s, floor.cpu_s = round(wall, 2), round(cpu, 2)
    floor.seconds = {unique_id: round(s, 3) for unique_id, s in seconds.items()}
    return floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path, help="a refreshed warehouse.duckdb")
    parser.add_argument("out", type=Path, help="where the JSON result is written")
    parser.add_argument("--work", type=Path, help="folder for the copy (default: temporary)")
    parser.add_argument("--no-tests", action="store_true", help="models only")
    parser.add_argument(
        "--memory-limit", default=MEMORY_LIMIT, help="DuckDB's (the refresh's default)"
    )
    parser.add_argument("--top", type=int, default=15, help="slowest nodes printed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sql-floor-") as scratch:
        work = args.work or Path(scratch)
        floor = measure(args.warehouse.resolve(), work, not args.no_tests, args.memory_limit)
    args.out.write_text(json.dumps(asdict(floor), indent=1) + "\n", encoding="utf-8")
    print(
        f"{floor.models} models, {floor.tests} tests: {floor.wall_s} s wall "
        f"(models {floor.models_wall_s} s, tests {floor.tests_wall_s} s), {floor.cpu_s} CPU s"
    )
    slowest = sorted(floor.seconds.items(), key=lambda item: -item[1])[: args.top]
    for unique_id, seconds in slowest:
        print(f"  {seconds:7.2f} s  {unique_id}")
    if floor.failing_tests:
        print(f"tests returning rows: {floor.failing_tests}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
