"""dbt's unit tests (hand-computed inputs and outputs for every derived rule and indicator).

The refresh builds with `--exclude-resource-type unit_test`; here they all run, against a copy
of a refreshed warehouse (dbt needs the parent relations to exist to type the fixtures) — in the
background since the session started (tests/conftest.py, `dbt_unit_tests`).
"""

from __future__ import annotations

import json

from tests.conftest import DbtRun


def test_every_dbt_unit_test_passes(dbt_unit_tests: DbtRun) -> None:
    result, target = dbt_unit_tests.result, dbt_unit_tests.target
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
