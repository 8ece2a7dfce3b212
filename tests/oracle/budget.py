"""Budget follow-up and the year-end forecast (catalogue-v2), from the budget and payment files.

- monthly budget: a district and type with monthly rows has those; one with a row for the year
  has it spread evenly over the 12 months in whole öre (January–November a twelfth rounded down,
  December the rest). EK_BUDGET sums the period's months (reported for the
  months of delivered budget years); it rests on no one, so it is never suppressed.
- EK_AVVIKELSE: that budget minus the net kronor of every household-month in the household's
  district (as EB_UTBETALT), for districts with a budget that year; n = those households.
- The forecast made at the end of month m of year Y (every m whose year has data for January–m)
  knows the payments of bidragsmånader up to m booked (utbetalningsdatum) by the end of m, per
  the payment's district: paid. Run rate = paid ÷ months × 12. The method = paid × last year's
  total (booked by the end of m) ÷ last year's paid at the end of m − 12; the run rate without a
  complete last year or when either of those is not positive. At December of a complete year
  the outcome (EB_UTBETALT VB of the district) instead.
- Amounts are kept to 1/10 000 kr per observation (a forecast rounded to that), summed exactly.
- EK_PROGNOS = that forecast at the period's last month (T1: April, T2: August, VB: the outcome),
  summed over the area's districts; EK_PROGNOS_AVVIKELSE = the year's budget minus it, for
  districts with a budget. Both rest on the households paid in that month in those districts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.oracle.areas import KEY, with_areas, with_genders
from tests.oracle.assistance import SCALE, _households
from tests.oracle.computed import Computed, Denominator
from tests.oracle.context import Context
from tests.oracle.periods import period_months, periods_table


def monthly_budget(ctx: Context) -> pd.DataFrame:
    """stadsdel_kod, year, month, amount_1e4 — one row per district and month."""

    def compute() -> pd.DataFrame:
        rows = ctx.landing.budget
        named = rows[rows["month"] >= 0].assign(amount_1e4=rows["belopp_1e4"])
        yearly = rows[rows["month"] < 0]
        spread = yearly.loc[yearly.index.repeat(12)].copy()
        month_of_year = np.tile(np.arange(12), len(yearly))
        spread["month"] = spread["ar"].to_numpy() * 12 + month_of_year
        ore = np.round(spread["belopp_1e4"].to_numpy() / 100).astype("int64")
        twelfth = ore // 12
        spread["amount_1e4"] = np.where(month_of_year < 11, twelfth, ore - 11 * twelfth) * 100
        both = pd.concat([named, spread], ignore_index=True)
        both["year"] = both["month"] // 12
        return both.groupby(["stadsdel_kod", "year", "month"], as_index=False)["amount_1e4"].sum()

    return ctx.memo("monthly_budget", compute)


def budget_years(ctx: Context) -> pd.DataFrame:
    """stadsdel_kod, year, year_budget_1e4 — districts with a budget for the year."""
    budget = monthly_budget(ctx)
    return (
        budget.groupby(["stadsdel_kod", "year"], as_index=False)["amount_1e4"]
        .sum()
        .rename(columns={"amount_1e4": "year_budget_1e4"})
    )


def _complete_years(ctx: Context) -> set[int]:
    months = ctx.payment_months
    return {y for y in {m // 12 for m in months} if all(y * 12 + k in months for k in range(12))}


def forecasts(ctx: Context) -> pd.DataFrame:
    """stadsdel_kod, year, month, months, paid, run_rate, forecast, actual (NaN while the year
    is incomplete) — one row per district and month end."""

    def compute() -> pd.DataFrame:
        months = ctx.payment_months
        points = [
            m
            for m in sorted(months)
            if all((m // 12) * 12 + k in months for k in range(m % 12 + 1))
        ]
        complete = _complete_years(ctx)
        payments = ctx.landing.payments
        year_of = payments["month"] // 12
        households = _households(ctx)
        actuals = (
            households.assign(year=households["month"] // 12)
            .query("year in @complete")
            .groupby(["stadsdel_kod", "year"])["net_1e4"]
            .sum()
        )
        rows = []
        for m in points:
            year, count = m // 12, m % 12 + 1
            window = payments[year_of.isin([year, year - 1]) & (payments["month"] <= m)]
            this = window["month"] // 12 == year
            for district, p in window.groupby("stadsdel_kod"):
                now = this.loc[p.index]
                paid = int(p.loc[now & (p["booked_month"] <= m), "amount_1e4"].sum())
                last = p[~now]
                ly_to_date = int(
                    last.loc[
                        (last["month"] <= m - 12) & (last["booked_month"] <= m - 12), "amount_1e4"
                    ].sum()
                )
                ly_total = int(last.loc[last["booked_month"] <= m, "amount_1e4"].sum())
                actual = actuals.get((district, year))
                if paid == 0 and actual is None:
                    continue
                run_rate = paid / SCALE / count * 12
                if year - 1 in complete and ly_to_date > 0 and ly_total > 0:
                    forecast = paid / SCALE * (ly_total / ly_to_date)
                else:
                    forecast = run_rate
                rows.append(
                    {
                        "stadsdel_kod": district,
                        "year": year,
                        "month": m,
                        "months": count,
                        "paid": paid / SCALE,
                        "run_rate": run_rate,
                        "forecast": forecast,
                        "actual": np.nan if actual is None else actual / SCALE,
                    }
                )
        columns = ["stadsdel_kod", "year", "month", "months", "paid", "run_rate", "forecast"]
        return pd.DataFrame(rows, columns=[*columns, "actual"])

    return ctx.memo("budget_forecasts", compute)


def _cells(
    observed: pd.DataFrame, periods: pd.DataFrame, window: str, ctx: Context
) -> pd.DataFrame:
    """Cells of month observations (stadsdel_kod, month, amount_1e4, hushall_id or None): summed
    over the period's months (window 'period') or its last month ('period_end')."""
    if window == "period":
        months = period_months(periods)
    else:
        months = periods[["year", "period", "last_month"]].rename(columns={"last_month": "month"})
    inside = observed.merge(months, on="month")
    fanned = with_genders(with_areas(inside, ctx.ref), split=False)
    cells = fanned.groupby(KEY, as_index=False, observed=True).agg(
        numerator=("amount_1e4", "sum"), n_individuals=("hushall_id", "nunique")
    )
    for column in KEY[1:]:
        cells[column] = cells[column].astype("str")
    cells["numerator"] = cells["numerator"].astype("float64") / SCALE
    return cells


def _household_rows(ctx: Context, keep: pd.DataFrame, amount: float | None = None) -> pd.DataFrame:
    """Household-months (any payment) in the districts and months of `keep`."""
    households = _households(ctx)
    rows = households.merge(keep, on=["stadsdel_kod", "month"])
    return pd.DataFrame(
        {
            "stadsdel_kod": rows["stadsdel_kod"],
            "month": rows["month"],
            "amount_1e4": 0 if amount is not None else -rows["net_1e4"],
            "hushall_id": rows["hushall_id"],
        }
    )


def ek_budget(ctx: Context) -> Computed:
    budget_months = {y * 12 + k for y in ctx.landing.budget_years for k in range(12)}
    periods = periods_table(budget_months, "tertial")
    budget = monthly_budget(ctx).assign(hushall_id=None)[
        ["stadsdel_kod", "month", "amount_1e4", "hushall_id"]
    ]
    return Computed(_cells(budget, periods, "period", ctx), periods, Denominator.NONE)


def ek_avvikelse(ctx: Context) -> Computed:
    periods = periods_table(ctx.payment_months, "tertial")
    budget = monthly_budget(ctx)
    with_budget = budget_years(ctx)[["stadsdel_kod", "year"]]
    households = _households(ctx)
    keep = (
        households.assign(year=households["month"] // 12)
        .merge(with_budget, on=["stadsdel_kod", "year"])[["stadsdel_kod", "month"]]
        .drop_duplicates()
    )
    observed = pd.concat(
        [
            budget.assign(hushall_id=None)[["stadsdel_kod", "month", "amount_1e4", "hushall_id"]],
            _household_rows(ctx, keep),
        ],
        ignore_index=True,
    )
    return Computed(_cells(observed, periods, "period", ctx), periods, Denominator.NONE)


def _prognos(ctx: Context) -> pd.DataFrame:
    """stadsdel_kod, year, month, value (float kronor): the forecast, at December of a complete
    year the outcome."""
    f = forecasts(ctx)
    december = (f["months"] == 12) & f["actual"].notna()
    return f.assign(value=f["forecast"].where(~december, f["actual"]))


def _to_1e4(kronor: pd.Series) -> pd.Series:
    """Kronor to whole 1/10 000 kr (an observation keeps 4 decimals)."""
    return pd.Series(np.round(kronor.to_numpy() * SCALE).astype("int64"), index=kronor.index)


def ek_prognos(ctx: Context) -> Computed:
    periods = periods_table(ctx.payment_months, "tertial")
    prognos = _prognos(ctx)
    observed = pd.concat(
        [
            prognos.assign(amount_1e4=_to_1e4(prognos["value"]), hushall_id=None)[
                ["stadsdel_kod", "month", "amount_1e4", "hushall_id"]
            ],
            _household_rows(ctx, prognos[["stadsdel_kod", "month"]], amount=0.0),
        ],
        ignore_index=True,
    )
    return Computed(_cells(observed, periods, "period_end", ctx), periods, Denominator.NONE)


def ek_prognos_avvikelse(ctx: Context) -> Computed:
    periods = periods_table(ctx.payment_months, "tertial")
    prognos = _prognos(ctx).merge(budget_years(ctx), on=["stadsdel_kod", "year"])
    observed = pd.concat(
        [
            prognos.assign(
                amount_1e4=_to_1e4(prognos["year_budget_1e4"] / SCALE - prognos["value"]),
                hushall_id=None,
            )[["stadsdel_kod", "month", "amount_1e4", "hushall_id"]],
            _household_rows(ctx, prognos[["stadsdel_kod", "month"]], amount=0.0),
        ],
        ignore_index=True,
    )
    return Computed(_cells(observed, periods, "period_end", ctx), periods, Denominator.NONE)
