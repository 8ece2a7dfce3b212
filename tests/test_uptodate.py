"""A refresh with nothing new stops early (orchestration/uptodate.py) — and only then."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration import uptodate
from orchestration.settings import Paths
from tests.conftest import REPO_ROOT, Refreshed


@pytest.fixture
def copy(refreshed_warehouse: Refreshed, tmp_path: Path) -> Paths:
    """A copy of the refreshed tiny warehouse, its landing and published file (mtimes kept)."""
    work = tmp_path / "copy"
    shutil.copytree(refreshed_warehouse.warehouse.parent, work, copy_function=shutil.copy2)
    return Paths(landing=work / "landing", warehouse=work / "warehouse.duckdb")


def test_nothing_new_is_up_to_date(copy: Paths) -> None:
    current = uptodate.check(copy, pages=False)
    assert current is not None
    assert current.files == len(list(copy.landing.iterdir()))
    assert not current.anything_rejected


def test_a_touched_file_is_a_change(copy: Paths) -> None:
    some = sorted(copy.landing.glob("utbetalningar_*.csv"))[0]
    os.utime(some, ns=(some.stat().st_atime_ns, some.stat().st_mtime_ns + 1_000_000))
    assert uptodate.check(copy, pages=False) is None


def test_a_new_or_removed_file_is_a_change(copy: Paths) -> None:
    some = sorted(copy.landing.glob("utbetalningar_*.csv"))[0]
    shutil.copy2(some, copy.landing / "utbetalningar_2030-01.csv")
    assert uptodate.check(copy, pages=False) is None
    (copy.landing / "utbetalningar_2030-01.csv").unlink()
    assert uptodate.check(copy, pages=False) is not None
    some.unlink()
    assert uptodate.check(copy, pages=False) is None


def test_hidden_files_are_not_deliveries(copy: Paths) -> None:
    (copy.landing / ".partial.csv").write_text("a;b\n", encoding="utf-8")
    assert uptodate.check(copy, pages=False) is not None


def test_changed_models_are_a_change(copy: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import orchestration.incremental as incremental

    monkeypatch.setattr(incremental, "project_fingerprint", lambda: "another")
    assert uptodate.check(copy, pages=False) is None


def test_a_failed_or_unfinished_last_run_is_not_up_to_date(copy: Paths) -> None:
    with duckdb.connect(str(copy.warehouse)) as con:
        con.execute(
            "insert into meta.refresh_runs (run_id, started_at, status) "
            "values ('later', now()::timestamp + interval 1 minute, 'misslyckad')"
        )
    assert uptodate.check(copy, pages=False) is None


def test_a_run_of_the_pages_alone_changes_nothing_else(copy: Paths, tmp_path: Path) -> None:
    """A run that built only the pages (finished or killed) does not make the warehouse or the
    published file stale; the pages themselves stay outstanding until a build shows the file."""
    evidence = tmp_path / "evidence"
    (evidence / "build").mkdir(parents=True)
    with duckdb.connect(str(copy.warehouse)) as con:
        con.execute(
            "insert into meta.refresh_runs (run_id, started_at, status, build_scope) "
            "values ('pages', now()::timestamp + interval 1 minute, 'pågår', 'endast sidorna')"
        )
    assert uptodate.check(copy, pages=False) is not None
    assert uptodate.check(copy, pages=True, evidence_dir=evidence) is None


def test_a_missing_published_file_is_not_up_to_date(copy: Paths) -> None:
    copy.publish_file.unlink()
    assert uptodate.check(copy, pages=False) is None


def test_pages_must_show_this_published_file(copy: Paths, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    (evidence / "build").mkdir(parents=True)
    assert uptodate.check(copy, pages=True, evidence_dir=evidence) is None
    uptodate.pages_marker(evidence).write_text(uptodate.publish_stamp(copy.publish_file))
    assert uptodate.check(copy, pages=True, evidence_dir=evidence) is not None
    os.utime(copy.publish_file)  # published again since the pages were built
    assert uptodate.check(copy, pages=True, evidence_dir=evidence) is None


def test_the_cli_stops_early_in_a_few_lines_without_dagster(copy: Paths) -> None:
    """The nothing-new path imports neither dagster nor dbt — nor pandas, which DuckDB's Python
    client imports for a query parameter — prints ≤ 10 lines, exit 0."""
    probe = (
        "import sys\n"
        "from orchestration.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "loaded = sorted(m for m in ('dagster', 'dagster_dbt', 'dbt', 'pandas', 'numpy')\n"
        "                if m in sys.modules)\n"
        "print('LOADED', loaded)\n"
        "raise SystemExit(code)\n"
    )
    env = {**os.environ, "EB_PSEUDONYM_KEY": "test-key-not-secret"}
    env.pop("DAGSTER_HOME", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "refresh",
            "--landing",
            str(copy.landing),
            "--warehouse",
            str(copy.warehouse),
            "--no-pages",
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert lines[-1] == "LOADED []"
    assert lines[0].startswith("Inget nytt")
    assert len(lines) - 1 <= 10


# Every statement the refresh's own process runs against the warehouse outside the loaders (which
# have their own test: tests/loaders), with a value in it: DuckDB's Python client imports pandas
# and numpy for the first query parameter it converts (0,3 s of one core), so these write their
# values as literals (orchestration/loaders/literals.py) — and quote what needs quoting.
_BOOKKEEPING = """
import sys
from datetime import date
from pathlib import Path

import duckdb

from orchestration import accept, incremental, run, runlog, uptodate
from orchestration.settings import Paths

paths = Paths(landing=Path(sys.argv[1]), warehouse=Path(sys.argv[2]))
uptodate.check(paths, pages=False)
run._last_delivery_id(paths)
con = duckdb.connect(str(paths.warehouse))
run_id = "o'run"
runlog.record_start(con, run_id)
runlog.record_build_scope(con, run_id, "från 2026-08")
runlog.record_published(con, run_id)
plan = incremental.plan_build(con)
incremental.start_build(
    con, incremental.BuildPlan(False, date(2026, 8, 1), "test", date(2026, 1, 1))
)
print("PLANNED", con.execute("select * from meta.dbt_build_plan").fetchall())
incremental.record_state(con, runlog.now())
outcome = run.RefreshOutcome(success=True)
run._deliveries_since(con, 0, outcome)
runlog.record_end(con, run_id, "klar", ["en 'kontroll'"], "ett 'meddelande'")
assert run.close_dagster_run(con, run_id, run.RefreshOutcome(success=True)) is None
try:
    accept._accept(con, "utbetalningar_'2099-01.csv")
except accept.NotHeld:
    pass
row = con.execute(
    "select build_scope, failed_checks, message, status from meta.refresh_runs "
    "where run_id = 'o''run'"
).fetchone()
print("ROW", row)
print("PLAN", con.execute("select * from meta.dbt_build_plan").fetchall())
print("LOADED", sorted(m for m in ("pandas", "numpy") if m in sys.modules))
"""


def test_the_refresh_bookkeeping_imports_no_pandas(copy: Paths) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _BOOKKEEPING, str(copy.landing), str(copy.warehouse)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "LOADED []"
    assert lines[-4] == ("PLANNED [(datetime.date(2026, 8, 1), datetime.date(2026, 1, 1))]")
    assert lines[-3] == "ROW ('från 2026-08', \"en 'kontroll'\", \"ett 'meddelande'\", 'klar')"
    assert lines[-2] == "PLAN []"  # record_state cleared the plan start_build wrote
