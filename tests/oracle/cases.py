"""Case indicators (ärenden and förändringsplaner): counted in the case's district, not by gender.

S = the period's first day, E = its last day; n_individuals = cases in the denominator.
"""

from __future__ import annotations

import pandas as pd

from tests.oracle.areas import with_areas, with_genders
from tests.oracle.computed import Computed, Denominator, count_cells
from tests.oracle.context import Context
from tests.oracle.periods import cross_periods, in_date_periods, periods_table

OWN_SUPPORT = frozenset({"ARBETE", "STUDIER"})
UNKNOWN = frozenset({"OKANT"})
DEADLINE = pd.Timedelta(days=90)


def _periods(ctx: Context) -> pd.DataFrame:
    return periods_table(ctx.case_months, "tertial")


def _cells(ctx: Context, cases_in_periods: pd.DataFrame) -> pd.DataFrame:
    """Cells from (case, period) rows of the denominator with a 0/1 column `hit` (numerator)."""
    observed = cases_in_periods.assign(one=1, hit=cases_in_periods["hit"].astype("int64"))
    observed = with_genders(with_areas(observed, ctx.ref), split=False)
    return count_cells(observed, subject="arende_id", numerator="hit", denominator="one")


def _closed_share(ctx: Context, reasons: frozenset[str]) -> Computed:
    """Cases closed in [S, E] with one of `reasons` ÷ all cases closed in [S, E]."""
    periods = _periods(ctx)
    closed = in_date_periods(ctx.landing.cases, periods, "closed")
    closed = closed.assign(hit=closed["reason"].isin(reasons))
    return Computed(_cells(ctx, closed), periods, Denominator.OBSERVED)


def eb_avslut_egen(ctx: Context) -> Computed:
    return _closed_share(ctx, OWN_SUPPORT)


def eb_avslut_okant(ctx: Context) -> Computed:
    return _closed_share(ctx, UNKNOWN)


def eb_plan_3man(ctx: Context) -> Computed:
    """Denominator: cases opened in [S, E] with opened + 90 days ≤ E, not closed on or before
    opened + 90 days. Numerator: of those, cases with a plan drawn up ≤ opened + 90 days."""
    periods = _periods(ctx)
    cases = ctx.landing.cases.assign(deadline=lambda c: c["opened"] + DEADLINE)
    first_plan = ctx.landing.plans.groupby("arende_id")["drawn_up"].min().rename("first_plan")
    cases = cases.join(first_plan, on="arende_id")
    opened_in_period = in_date_periods(cases, periods, "opened")  # opened in [S, E]
    pairs = opened_in_period.astype({"period": "str"}).merge(periods, on=["year", "period"])
    due = (pairs["deadline"] <= pairs["end"]) & ~(pairs["closed"] <= pairs["deadline"])
    pairs = pairs[due]
    pairs = pairs.assign(hit=pairs["first_plan"] <= pairs["deadline"])
    return Computed(_cells(ctx, pairs), periods, Denominator.OBSERVED)


def eb_plan_aktuell(ctx: Context) -> Computed:
    """Denominator: cases open at E (opened ≤ E, not closed or closed after E) and opened
    ≤ E − 90 days. Numerator: of those, cases with a plan drawn up or last revised in
    [E − 4 months, E] (calendar months, clamped to the month's end as in SQL intervals)."""
    periods = _periods(ctx)
    # Every distinct period end E once (T1 and M04 share theirs), with E − 4 months.
    ends = periods[["end"]].drop_duplicates()
    ends = ends.assign(window_start=[end - pd.DateOffset(months=4) for end in ends["end"]])
    cases = ctx.landing.cases[["arende_id", "stadsdel_kod", "opened", "closed"]]
    pairs = cross_periods(cases, ends)
    open_at_end = (
        (pairs["opened"] <= pairs["end"])
        & ~(pairs["closed"] <= pairs["end"])
        & (pairs["opened"] <= pairs["end"] - DEADLINE)
    )
    pairs = pairs[open_at_end]
    plans = pairs[["arende_id", "window_start", "end"]].merge(ctx.landing.plans, on="arende_id")

    def in_window(dates: pd.Series) -> pd.Series:
        return (dates >= plans["window_start"]) & (dates <= plans["end"])

    current = plans[in_window(plans["drawn_up"]) | in_window(plans["revised"])]
    current_keys = current[["arende_id", "end"]].drop_duplicates().assign(hit=True)
    pairs = pairs.merge(current_keys, on=["arende_id", "end"], how="left")
    pairs["hit"] = pairs["hit"].fillna(False).astype(bool)
    pairs = pairs.merge(periods[["year", "period", "end"]], on="end")  # back to the periods
    return Computed(_cells(ctx, pairs), periods, Denominator.OBSERVED)
