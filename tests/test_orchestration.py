"""Production orchestration: landing sensor, one writer, write–audit–publish, crashes, run log."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.lock import WriterLock
from orchestration.resources import WarehouseResource
from orchestration.sensors import landing_sensor
from tests.conftest import BISTAND, REPO_ROOT, Refreshed, refresh, run_bistand

KPI_TABLES = ("kpi", "indicator", "area")


def table_hashes(publish_file: Path, tables: tuple[str, ...] = KPI_TABLES) -> dict[str, str]:
    con = duckdb.connect(str(publish_file), read_only=True)
    try:
        return {
            t: hashlib.sha256(
                repr(
                    con.execute(f"select * from publish.publish.{t} order by all").fetchall()
                ).encode()
            ).hexdigest()
            for t in tables
        }
    finally:
        con.close()


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


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append((int(entry.name), cmdline))
    return found


def _start_refresh(work: Path) -> subprocess.Popen:
    env = {**os.environ, "EB_PSEUDONYM_KEY": "test-key-not-secret"}
    env.pop("DAGSTER_HOME", None)
    return subprocess.Popen(
        [
            BISTAND,
            "refresh",
            "--landing",
            str(work / "landing"),
            "--warehouse",
            str(work / "warehouse.duckdb"),
            "--no-pages",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill_when(proc: subprocess.Popen, condition, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the refresh finished before it could be killed"
        if condition():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("the moment to kill the refresh never came")


def _steps_succeeded(run_dbs: set[Path]) -> int:
    """Steps that succeeded so far in these runs' Dagster event logs (sqlite, read-only)."""
    count = 0
    for db in run_dbs:
        if db.name == "index.db":
            continue
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
                count += con.execute(
                    "select count(*) from event_logs where dagster_event_type = 'STEP_SUCCESS'"
                ).fetchone()[0]
        except sqlite3.Error:  # created a moment ago, tables not there yet
            continue
    return count


def test_sigkill_during_load_and_during_dbt_leaves_the_published_file_and_recovers(
    refreshed_warehouse: Refreshed, tmp_path: Path
) -> None:
    work = tmp_path / "crash"
    shutil.copytree(refreshed_warehouse.warehouse.parent, work)
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (work / name).unlink(missing_ok=True)  # start over: every file must be loaded again
    published = file_hash(work / "publish.duckdb")
    lock_file = work / "warehouse.duckdb.lock"
    lock_file.unlink(missing_ok=True)

    # 1. killed while loading: as soon as the run's first step (a loader) has succeeded — so the
    #    run is recorded and loading has begun — while the other loaders still run. (Waiting a
    #    fixed time after the warehouse file appears is not enough on a busy machine, and the
    #    loaders of the tiny profile take about a second together.)
    warehouse = work / "warehouse.duckdb"
    runs_dir = work / "dagster_home" / "history" / "runs"
    earlier_runs = set(runs_dir.glob("*.db"))
    proc = _start_refresh(work)
    started: list[float] = []

    def loading() -> bool:
        if not started and _steps_succeeded(set(runs_dir.glob("*.db")) - earlier_runs):
            started.append(time.monotonic())
        return bool(started)

    _kill_when(proc, loading)
    assert file_hash(work / "publish.duckdb") == published
    con = duckdb.connect(str(warehouse), read_only=True)
    run_status = con.execute("select status from meta.refresh_runs").fetchall()
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    loaded = (
        con.execute("select count(*) from raw.load_log").fetchone()[0]
        if "load_log" in tables
        else 0
    )
    con.close()
    assert run_status == [("pågår",)], "the run had started and never finished"
    total = len(list((work / "landing").glob("*.csv")))
    assert loaded < total, "the kill came after loading had finished"

    # 2. killed while dbt builds
    proc = _start_refresh(work)
    _kill_when(proc, lambda: any("dbt" in cmd and "build" in cmd for _, cmd in _children(proc.pid)))
    assert file_hash(work / "publish.duckdb") == published

    # 3. the next refresh is green and publishes what a clean run publishes
    result = refresh(work / "landing", work / "warehouse.duckdb")
    assert result.exit_code == 0, result.output[-3000:]
    assert table_hashes(work / "publish.duckdb") == table_hashes(refreshed_warehouse.publish_file)
