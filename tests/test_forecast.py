"""The year-end forecast beats the run rate on the stockholm profile (catalogue-v2, "Backtest").

The stockholm profile is generated for three whole years (2021–2023), so that two years (2022
and 2023) have a full year of data and a full year before it. The forecasts are computed by the
independent pandas oracle (tests/oracle/budget.py) from the payment files alone; the warehouse
computes the same numbers (tests/test_oracle_differential.py: EK_PROGNOS agrees on every row).
For the city, at T1 (the end of April) and T2 (the end of August), the method's mean absolute
percentage error over 2022–2023 must be below the run rate's. Both errors are printed and named
in the assertion.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from orchestration.synthetic.generate import generate
from tests.oracle import budget
from tests.oracle.context import Context
from tests.oracle.exports import Landing, _months, payments
from tests.oracle.landing import select_deliveries
from tests.oracle.reference import SEEDS_DIR, load_reference

FIRST, LAST = "2021-01", "2023-12"


def _payments_only(landing: Path, ref) -> Landing:
    """The Landing of the payment files (the forecast needs nothing else)."""
    chosen = select_deliveries(landing)
    months = _months(chosen["utbetalningar"])
    empty = pd.DataFrame()
    return Landing(
        payments=payments(chosen["utbetalningar"], ref),
        members=empty,
        cases=empty,
        plans=empty,
        measures=empty,
        population=empty,
        budget=empty,
        absence=empty,
        staff_survey=empty,
        client_survey=empty,
        payment_months=months,
        member_months=months,
        absence_months=frozenset(),
        case_extraction=None,
        measure_extraction=None,
        staff_survey_years=frozenset(),
        client_survey_years=frozenset(),
        notices=empty,
        emergency_housing=empty,
        fut_reports=empty,
        feedback=empty,
        extractions={},
        budget_years=frozenset(),
    )


@pytest.fixture(scope="module")
def city_errors(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    work = tmp_path_factory.mktemp("stockholm_forecast")
    generated = work / "generated"
    generate(generated, profile="stockholm", seed=0, start=FIRST, end=LAST)
    landing = work / "landing"
    landing.mkdir()
    for path in generated.glob("utbetalningar_*.csv"):
        shutil.move(path, landing / path.name)
    shutil.rmtree(generated)
    ref = load_reference(SEEDS_DIR)
    ctx = Context(ref, _payments_only(landing, ref))
    forecasts = budget.forecasts(ctx)
    city = forecasts.groupby(["year", "month", "months"], as_index=False)[
        ["forecast", "run_rate", "actual"]
    ].sum(min_count=1)
    backtest = city[city["year"].isin([2022, 2023]) & city["actual"].notna()].copy()
    backtest["method_error"] = (backtest["forecast"] - backtest["actual"]).abs() / backtest[
        "actual"
    ]
    backtest["run_rate_error"] = (backtest["run_rate"] - backtest["actual"]).abs() / backtest[
        "actual"
    ]
    return backtest.groupby("months", as_index=False)[["method_error", "run_rate_error"]].mean()


@pytest.mark.parametrize(("period", "months"), [("T1", 4), ("T2", 8)])
def test_the_method_beats_the_run_rate_on_stockholm(
    city_errors: pd.DataFrame, period: str, months: int
) -> None:
    row = city_errors[city_errors["months"] == months].iloc[0]
    method, run_rate = float(row["method_error"]), float(row["run_rate_error"])
    print(f"stockholm {period}: MAPE method {method:.2%}, run rate {run_rate:.2%}")
    assert method < run_rate, f"{period}: method {method:.4f} vs run rate {run_rate:.4f}"
