"""The project's lean `table` and `view` materializations (dbt_project/macros/materializations.sql)
keep dbt-duckdb's guarantees: a model whose query, contract or constraint fails leaves the
previous table as it was; a model may change between table and view; nothing is left behind
under another name; options the lean versions do not implement are refused, not ignored.

A four-model project of its own (the macro file copied from the real one), so each case is a
build of a few rows rather than of the warehouse."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import DBT_PROJECT_DIR
from tests.conftest import made_in_background, prepared

PROJECT = """\
name: lean
version: "1.0"
config-version: 2
profile: lean
flags:
  send_anonymous_usage_stats: false
"""

PROFILE = """\
lean:
  target: t
  outputs:
    t: {{type: duckdb, path: "{warehouse}", threads: 1}}
"""

# `counted` has a contract with a NOT NULL column; the var `second` decides its second row.
# `flips` and `flops` swap between table and view when the var `flip` is true; `refused` exists
# only then, with an option the lean table does not implement.
MODELS = {
    "counted.sql": "select * from (values (1, 'a'), ({{ var('second', '2') }}, 'b'))"
    " as t (id, name)",
    "flips.sql": "{{ config(materialized='view' if var('flip', false) else 'table') }}\n"
    "select 1 as x",
    "flops.sql": "{{ config(materialized='table' if var('flip', false) else 'view') }}\n"
    "select 2 as x",
    "refused.sql": "{{ config(materialized='table', enabled=var('flip', false), "
    "partitioned_by='x') }}\nselect 3 as x",
    "schema.yml": """\
version: 2
models:
  - name: counted
    config: {materialized: table, contract: {enforced: true}}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}]
      - name: name
        data_type: varchar
""",
}


@dataclass
class Build:
    """One `dbt build` of the project and the warehouse right after it."""

    result: subprocess.CompletedProcess[str]
    relations: dict[str, str]
    rows: dict[str, list[tuple]]


@made_in_background("lean_builds")
def _lean_builds(project: Path) -> list[Build]:
    """The project built once as it is, then again with `counted` breaking its contract and
    the materializations flipped (in the background: two dbt processes, ~8 s)."""
    warehouse = project / "lean.duckdb"
    (project / "dbt_project.yml").write_text(PROJECT)
    (project / "profiles.yml").write_text(PROFILE.format(warehouse=warehouse))
    (project / "macros").mkdir()
    shutil.copy(DBT_PROJECT_DIR / "macros" / "materializations.sql", project / "macros")
    (project / "models").mkdir()
    for name, text in MODELS.items():
        (project / "models" / name).write_text(text)
    dbt = Path(sys.executable).with_name("dbt")
    base = [str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
    builds = []
    for extra in ([], ["--vars", "{second: 'null', flip: true}"]):
        result = subprocess.run(
            [*base, *extra], capture_output=True, text=True, cwd=project, timeout=300, check=False
        )
        with duckdb.connect(str(warehouse), read_only=True) as con:
            relations = dict(
                con.execute(
                    "select table_name, table_type from information_schema.tables"
                ).fetchall()
            )
            rows = {r: con.execute(f"select * from {r} order by all").fetchall() for r in relations}
        builds.append(Build(result, relations, rows))
    return builds


@pytest.fixture(scope="module")
def lean_builds(request: pytest.FixtureRequest) -> list[Build]:
    return prepared("lean_builds", request)


def test_first_build_creates_tables_and_views(lean_builds: list[Build]) -> None:
    first = lean_builds[0]
    assert first.result.returncode == 0, first.result.stdout
    assert first.relations == {"counted": "BASE TABLE", "flips": "BASE TABLE", "flops": "VIEW"}
    assert first.rows["counted"] == [(1, "a"), (2, "b")]


def test_failed_contract_keeps_the_previous_table(lean_builds: list[Build]) -> None:
    second = lean_builds[1]
    assert second.result.returncode == 1
    assert "NOT NULL constraint failed: counted.id" in second.result.stdout
    assert second.relations["counted"] == "BASE TABLE"
    assert second.rows["counted"] == [(1, "a"), (2, "b")]


def test_table_and_view_swap_without_leftovers(lean_builds: list[Build]) -> None:
    second = lean_builds[1]
    # no __dbt_tmp or __dbt_backup relation, and `refused` was not built
    assert second.relations == {"counted": "BASE TABLE", "flips": "VIEW", "flops": "BASE TABLE"}
    assert second.rows["flips"] == [(1,)]
    assert second.rows["flops"] == [(2,)]


def test_unsupported_option_is_refused(lean_builds: list[Build]) -> None:
    assert "does not support: partitioned_by" in lean_builds[1].result.stdout
