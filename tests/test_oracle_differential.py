"""Differential test: the warehouse's marts.fct_indicator_value against the independent oracle.

For two generated deliveries — seed 7 (the session's refreshed warehouse) and seed 1 (refreshed
here) — the pandas oracle (tests/oracle) computes every catalogue indicator from the same raw
CSV files. Every row must agree on value, numerator, denominator, n_individuals, target,
target_kf, previous_year_value, status and is_suppressed (floats within a relative 1e-9,
null = null), and no row may exist on one side only. One test per (seed, indicator).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import run_bistand
from tests.oracle import compute_indicators
from tests.oracle.diff import Differences, compare, report
from tests.oracle.reference import SEEDS_DIR

SEEDS = [7, 1]  # 7 is the seed of the session fixture `refreshed_warehouse` (tests/conftest.py)


def catalogue_codes() -> list[str]:
    with (SEEDS_DIR / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        return [row["indicator_code"] for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class DifferentialRun:
    seed: int
    oracle: pd.DataFrame
    warehouse: pd.DataFrame
    differences: Differences


@pytest.fixture(scope="session", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def differential(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    seed: int = request.param
    if seed == 7:  # reuse the session's refresh: a refresh is the expensive part of this test
        refreshed_warehouse = request.getfixturevalue("refreshed_warehouse")
        landing, warehouse_file = refreshed_warehouse.landing, refreshed_warehouse.warehouse
    else:
        work = tmp_path_factory.mktemp(f"oracle_seed{seed}")
        landing = work / "landing"
        generated = run_bistand(
            "generate", "--out", landing, "--profile", "tiny", "--seed", str(seed)
        )
        assert generated.returncode == 0, generated.stderr
        warehouse_file = work / "warehouse.duckdb"
        # The pages are not compared here; skipping their build keeps the test fast and
        # independent of the Evidence toolchain.
        refreshed = run_bistand(
            "refresh", "--landing", landing, "--warehouse", warehouse_file, "--no-pages"
        )
        assert refreshed.returncode == 0, (refreshed.stdout + refreshed.stderr)[-5000:]
    con = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        warehouse = con.execute("select * from marts.fct_indicator_value").df()
    finally:
        con.close()
    oracle = compute_indicators(Path(landing))
    return DifferentialRun(seed, oracle, warehouse, compare(oracle, warehouse))


def test_oracle_covers_the_whole_catalogue(differential: DifferentialRun) -> None:
    assert set(differential.oracle["indicator_code"]) == set(catalogue_codes())


def test_warehouse_has_only_catalogue_codes(differential: DifferentialRun) -> None:
    unknown = set(differential.warehouse["indicator_code"]) - set(catalogue_codes())
    assert not unknown, f"warehouse rows for codes outside the catalogue: {sorted(unknown)}"


@pytest.mark.parametrize("code", catalogue_codes())
def test_indicator_agrees_with_oracle(differential: DifferentialRun, code: str) -> None:
    differences = differential.differences.for_code(code)
    oracle_rows = int((differential.oracle["indicator_code"] == code).sum())
    warehouse_rows = int((differential.warehouse["indicator_code"] == code).sum())
    assert differences.count == 0, (
        f"seed {differential.seed}, {code}: oracle {oracle_rows} rows, warehouse "
        f"{warehouse_rows} rows; {len(differences.only_in_oracle)} only in oracle, "
        f"{len(differences.only_in_warehouse)} only in warehouse, "
        f"{len(differences.mismatches)} value mismatches\n" + report(differences)
    )
