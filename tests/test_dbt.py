"""dbt's unit tests (hand-computed inputs and outputs for every derived rule and indicator).

The refresh builds with `--exclude-resource-type unit_test`; here they all run, against a copy
of a refreshed warehouse (dbt needs the parent relations to exist to type the fixtures).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orchestration import dbt_warm
from tests.conftest import Refreshed


def test_every_dbt_unit_test_passes(refreshed_warehouse: Refreshed, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(refreshed_warehouse.warehouse, warehouse)
    target = tmp_path / "target"
    result = dbt_warm.run(warehouse, target, ["test", "--select", "test_type:unit"])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    run = json.loads((target / "run_results.json").read_text())
    # the results also hold the on-run-start hooks (dbt_project.yml)
    statuses = {
        r["unique_id"]: r["status"]
        for r in run["results"]
        if r["unique_id"].startswith("unit_test.")
    }
    assert set(statuses) == set(manifest["unit_tests"]), "every unit test ran"
    assert len(statuses) >= 34
    assert set(statuses.values()) == {"pass"}
