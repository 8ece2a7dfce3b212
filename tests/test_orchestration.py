"""Production orchestration: landing sensor, one writer, write–audit–publish, crashes, run log."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

import duckdb
from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.lock import WriterLock
from orchestration.resources import WarehouseResource, create_warehouse_file
from orchestration.sensors import landing_sensor
from tests.conftest import Refreshed, refresh, run_bistand, table_hashes


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- landing sensor


def evaluate_sensor(landing: Path, cursor: str | None):
    with build_sensor_context(
        cursor=cursor, resources={"warehouse": WarehouseResource(landing=str(landing))}
    ) as context:
        result = landing_sensor(context)
        return result, context.cursor


def test_landing_sensor_runs_for_new_and_changed_files_only(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    result, cursor = evaluate_sensor(landing, None)
    assert isinstance(result, SkipReason)

    (landing / "befolkning_2024.csv").write_text("ar;stadsdel_kod;kon;alder;antal\n")
    result, cursor = evaluate_sensor(landing, cursor)
    assert isinstance(result, RunRequest)
    assert result.tags["bistand/nya_filer"] == "1"

    result, cursor = evaluate_sensor(landing, cursor)
    assert isinstance(result, SkipReason), "an unchanged directory starts nothing"

    later = time.time() + 10
    os.utime(landing / "befolkning_2024.csv", (later, later))
    result, cursor = evaluate_sensor(landing, cursor)
    assert isinstance(result, SkipReason), "a touched but identical file starts nothing"

    (landing / "befolkning_2024.csv").write_text(
        "ar;stadsdel_kod;kon;alder;antal\n2024;BRO;K;1;5\n"
    )
    result, cursor = evaluate_sensor(landing, cursor)
    assert isinstance(result, RunRequest), "a replaced file starts a run"
    first_key = result.run_key

    (landing / "befolkning_2025.csv").write_text("ar;stadsdel_kod;kon;alder;antal\n")
    result, _ = evaluate_sensor(landing, cursor)
    assert isinstance(result, RunRequest)
    assert result.run_key != first_key


# ---------------------------------------------------------------- one writer


def test_a_second_refresh_exits_at_once_while_one_runs(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    lock = WriterLock(tmp_path / "warehouse.duckdb")
    lock.acquire()
    try:
        started = time.monotonic()
        result = run_bistand(
            "refresh",
            "--landing",
            tmp_path / "landing",
            "--warehouse",
            tmp_path / "warehouse.duckdb",
        )
        elapsed = time.monotonic() - started
    finally:
        lock.release()
    assert result.returncode == 1
    assert "en annan uppdatering pågår redan" in result.stdout + result.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()
    assert elapsed < 120  # it did not wait for the lock (generous: imports are slow on CI)


def test_wait_waits_for_the_running_refresh_then_publishes_identical_content(
    refreshed_warehouse: Refreshed, tmp_path: Path
) -> None:
    work = tmp_path / "again"
    shutil.copytree(refreshed_warehouse.warehouse.parent, work)
    before = table_hashes(work / "publish.duckdb")
    lock = WriterLock(work / "warehouse.duckdb")
    lock.acquire()
    releaser = threading.Timer(5.0, lock.release)
    releaser.start()
    try:
        again = refresh(work / "landing", work / "warehouse.duckdb", "--wait")
    finally:
        releaser.join()
    assert again.exit_code == 0, again.output[-3000:]
    assert "Inget nytt" in again.output  # it waited, then found nothing new
    assert table_hashes(work / "publish.duckdb") == before  # idempotent, byte for byte


# ---------------------------------------------------------------- run log


def test_each_run_is_logged_and_published(refreshed_warehouse: Refreshed) -> None:
    con = duckdb.connect(str(refreshed_warehouse.warehouse), read_only=True)
    runs = con.execute(
        "select status, new_files, rows_loaded, rows_rejected, published_at is not null, "
        "finished_at >= started_at from meta.refresh_runs"
    ).fetchall()
    loaded = con.execute("select count(*), sum(rows_loaded) from raw.load_log").fetchone()
    con.close()
    assert runs == [("klar", loaded[0], loaded[1], 0, True, True)]
    con = duckdb.connect(str(refreshed_warehouse.publish_file), read_only=True)
    published = con.execute("select status from publish.publish.refresh_runs").fetchall()
    con.close()
    assert published == [("publicerad",)]


# ---------------------------------------------------------------- write–audit–publish


def test_a_failing_blocking_check_fails_the_run_and_keeps_the_published_file(
    refreshed_warehouse: Refreshed, tmp_path: Path
) -> None:
    work = tmp_path / "failing"
    shutil.copytree(refreshed_warehouse.warehouse.parent, work)
    published = file_hash(work / "publish.duckdb")
    # A payment id that already exists in another month: each file is valid on its own (the
    # loader checks ids within a delivery), but dbt's unique test on payment_id fails.
    source = work / "landing" / "utbetalningar_2025-12.csv"
    header, first = source.read_text(encoding="utf-8").splitlines()[:2]
    reused_id = first.split(";")[0]
    row = first.replace("2025-12", "2026-01")
    (work / "landing" / "utbetalningar_2026-01.csv").write_text(
        f"{header}\n{row}\n", encoding="utf-8"
    )
    assert reused_id in row
    result = refresh(work / "landing", work / "warehouse.duckdb")
    assert result.exit_code == 1, result.output[-3000:]
    assert "MISSLYCKADES" in result.output
    assert "unique_stg_case_system__payments_payment_id" in result.output
    assert file_hash(work / "publish.duckdb") == published
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    last = con.execute(
        "select status, failed_checks from meta.refresh_runs order by started_at desc limit 1"
    ).fetchone()
    con.close()
    assert last[0] == "misslyckad"
    assert "unique_stg_case_system__payments_payment_id" in last[1]


# ---------------------------------------------------------------- crash safety
# kill -9 at several points of a refresh, and what is left running: tests/test_faults.py


def test_a_skipped_step_means_nothing_was_published() -> None:
    """Dagster skips the publish step when a model it waits for was not built; the run then
    reports a failure, never "publicerat"."""
    from types import SimpleNamespace

    from orchestration.run import outcome_of_run

    skipped = SimpleNamespace(
        is_step_failure=False,
        step_failure_data=None,
        is_step_skipped=True,
        step_key="published",
        event_type_value="STEP_SKIPPED",
    )
    outcome = outcome_of_run(True, [skipped])
    assert not outcome.success
    assert outcome.failures == ["steg published kördes inte (något det väntar på byggdes inte)"]
    assert "publicerat." not in outcome.summary()


def _storage_version(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        tags = con.execute(
            "select tags from duckdb_databases() where not internal and database_name = ?",
            [path.stem],
        ).fetchone()[0]
    return tags["storage_version"]


def test_a_refresh_writes_the_warehouse_and_the_published_file_in_the_v1_4_format(
    refreshed_warehouse: Refreshed,
) -> None:
    # DuckDB writes a new file in the v1.0 format unless told (resources.py: the v1.4 format
    # writes a table faster); the refresh created this one
    assert _storage_version(refreshed_warehouse.warehouse) == "v1.4.0+"
    # the published file too: the newest format Evidence's reader opens (the browser test and
    # every site build read it with Evidence's own DuckDB)
    assert _storage_version(refreshed_warehouse.publish_file) == "v1.4.0+"


def test_an_existing_warehouse_file_keeps_its_storage_format(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:  # DuckDB's default for a new file
        con.execute("create table t as select 1 as x")
    assert _storage_version(old) == "v1.0.0+"
    create_warehouse_file(old)
    assert _storage_version(old) == "v1.0.0+"
    with duckdb.connect(str(old), read_only=True) as con:
        assert con.execute("select x from t").fetchall() == [(1,)]

    new = tmp_path / "nested" / "new.duckdb"
    create_warehouse_file(new)
    assert _storage_version(new) == "v1.4.0+"
    with duckdb.connect(str(new)) as con:  # a later plain connection keeps the format
        con.execute("create table t as select range as x from range(200000)")
    assert _storage_version(new) == "v1.4.0+"
