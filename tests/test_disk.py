"""Bounded disk: what a refresh leaves beside the warehouse stops growing.

Three things grow with every refresh unless pruned: Dagster's run storage (runs beyond
BISTAND_KEEP_RUNS are deleted, orchestration/instance.py), the refresh logs (the newest
BISTAND_KEEP_LOGS are kept, orchestration/run.py) and dbt's target folder (one per warehouse,
overwritten by every build: settings.Paths.dbt_target; tests/test_faults.py measures it over
real refreshes). Here 20 runs are recorded in a real instance with the refresh's own storage,
each by an instance opened and closed for it and pruned after it, as the CLI does, without 20
dbt builds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dagster import job, op

from orchestration.instance import KEEP_RUNS_ENV, cli_instance, keep_runs, prune_runs
from orchestration.run import KEEP_LOGS_ENV, keep_logs, log_file_for
from orchestration.settings import Paths
from tests import reliability

RUNS = 20
KEEP = 5


@op
def a_step() -> int:
    return 1


@job
def a_refresh() -> None:
    a_step()


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_disk_use_stays_flat_over_20_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEEP_RUNS_ENV, str(KEEP))
    monkeypatch.setenv(KEEP_LOGS_ENV, str(KEEP))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert (keep_runs(), keep_logs()) == (KEEP, KEEP)
    paths = Paths(landing=tmp_path / "landing", warehouse=tmp_path / "warehouse.duckdb")
    home = tmp_path / "dagster_home"
    logs = tmp_path / "logs"
    started = datetime(2026, 1, 1, 2, 0)
    sizes: dict[int, tuple[int, int, int, int]] = {}
    for n in range(1, RUNS + 1):
        # one refresh: its own instance, as each `bistand refresh` process opens and closes one
        # (while open, SQLite's write-ahead logs grow; closing checkpoints and removes them)
        instance = cli_instance(paths.warehouse)
        try:
            log = log_file_for(paths, started + timedelta(days=n))
            log.write_text("x" * 50_000)  # a refresh's log
            assert a_refresh.execute_in_process(instance=instance).success
            prune_runs(instance)
            runs = instance.get_runs_count()
        finally:
            instance.dispose()
        if n % 5 == 0:
            files = len(list(logs.glob("refresh-*.log")))
            sizes[n] = (du(home), files, du(logs), runs)
    assert [s[1] for s in sizes.values()] == [KEEP] * 4
    assert [s[3] for s in sizes.values()] == [KEEP] * 4
    assert [s[2] for s in sizes.values()] == [KEEP * 50_000] * 4
    first = sizes[5][0]
    assert all(s[0] <= first * 1.25 for s in sizes.values()), sizes  # flat, not growing
    for n, (home_bytes, files, log_bytes, runs) in sizes.items():
        reliability.record(
            "disk",
            f"{n:02d} runs (Dagster job, pruned as the CLI does)",
            {
                "runs": n,
                "keep": KEEP,
                "dagster_home": reliability.mb(home_bytes),
                "logs": files,
                "logs size": reliability.mb(log_bytes),
                "runs kept": runs,
                "dbt_target": "n/a (no dbt)",
            },
        )
