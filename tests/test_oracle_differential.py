"""Differential test: the warehouse's marts.fct_indicator_value against the independent oracle.

For two generated deliveries — seed 7 (the session's refreshed warehouse) and seed 1 (refreshed
here) — the pandas oracle (tests/oracle) computes every catalogue indicator from the same raw
CSV files. Every row must agree on value, numerator, denominator, n_individuals, target,
target_kf, previous_year_value, status and is_suppressed (floats within a relative 1e-9,
null = null), and no row may exist on one side only. One test per (seed, indicator).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import generate_and_refresh, made_in_background, prepared
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


def _refreshed(work: Path, seed: int) -> tuple[Path, Path]:
    """The tiny profile with `seed`, generated and refreshed in `work` (without the pages: they
    are not compared here): (landing, warehouse)."""
    refreshed = generate_and_refresh(work, "--profile", "tiny", "--seed", str(seed))
    return refreshed.landing, refreshed.warehouse


for _seed in SEEDS[1:]:  # seed 7 reuses the session's refresh (below)
    made_in_background(f"oracle_seed{_seed}", used_by="differential")(
        functools.partial(_refreshed, seed=_seed)
    )


@pytest.fixture(scope="session", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def differential(request: pytest.FixtureRequest):
    seed: int = request.param
    if seed == 7:  # reuse the session's refresh: a refresh is the expensive part of this test
        refreshed_warehouse = request.getfixturevalue("refreshed_warehouse")
        landing, warehouse_file = refreshed_warehouse.landing, refreshed_warehouse.warehouse
    else:
        landing, warehouse_file = prepared(f"oracle_seed{seed}", request)
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


def test_published_backtest_agrees_with_the_oracle(refreshed_warehouse) -> None:
    """publish.prognos_traffsakerhet (the forecast's published accuracy) against the oracle's
    forecasts (tests/oracle/budget.py): the same areas and months of forecast, the same mean
    absolute percentage errors of the method and of the run rate (seed 7: backtest year 2025)."""
    from tests.oracle import budget
    from tests.oracle.assistance import SCALE, _households
    from tests.oracle.context import Context
    from tests.oracle.exports import load_landing
    from tests.oracle.reference import load_reference

    ref = load_reference(SEEDS_DIR)
    ctx = Context(ref, load_landing(Path(refreshed_warehouse.landing), ref))
    forecasts = budget.forecasts(ctx)
    households = _households(ctx)
    complete = budget._complete_years(ctx)
    totals = households.groupby(households["month"] // 12)["net_1e4"].sum() / SCALE
    city_actual = totals[totals.index.isin(complete)].rename("actual")
    city = forecasts.groupby(["year", "months"], as_index=False)[["forecast", "run_rate"]].sum()
    city = city.join(city_actual, on="year").assign(area_level="stad", stadsdel_kod="STHLM")
    kinds = dict(zip(ref.districts["stadsdel_kod"], ref.districts["typ"], strict=True))
    districts = forecasts[forecasts["stadsdel_kod"].map(kinds) == "stadsdel"].assign(
        area_level="stadsdel"
    )
    rows = pd.concat([districts, city], ignore_index=True)
    rows = rows[
        rows["actual"].notna() & (rows["actual"] != 0) & (rows["year"] - 1).isin(complete)
    ].copy()
    rows["method"] = (rows["forecast"] - rows["actual"]).abs() / rows["actual"].abs()
    rows["run_rate_error"] = (rows["run_rate"] - rows["actual"]).abs() / rows["actual"].abs()
    oracle = rows.groupby(["area_level", "stadsdel_kod", "months"], as_index=False).agg(
        years=("year", "size"), method=("method", "mean"), run_rate=("run_rate_error", "mean")
    )
    with duckdb.connect(str(refreshed_warehouse.warehouse), read_only=True) as con:
        published = con.execute(
            "select area_level, area_code, prognosmanad, antal_ar, mape_metod, "
            "mape_rullande_takt from publish.prognos_traffsakerhet"
        ).fetchall()
    assert len(published) == len(oracle) > 0
    expected = {
        (r.area_level, r.stadsdel_kod, int(r.months)): (int(r.years), r.method, r.run_rate)
        for r in oracle.itertuples()
    }
    for level, code, month, years, method, run_rate in published:
        want = expected[(level, code, month)]
        assert years == want[0], (level, code, month)
        assert method == pytest.approx(want[1], rel=1e-9, abs=1e-12), (level, code, month)
        assert run_rate == pytest.approx(want[2], rel=1e-9, abs=1e-12), (level, code, month)
