"""Measure indicators (insatser): counted in the measure's district, split by the row's gender.

S = the period's first day, E = its last day.
"""

from __future__ import annotations

import pandas as pd

from tests.oracle.areas import KEY, with_areas, with_genders
from tests.oracle.computed import Computed, Denominator, count_cells
from tests.oracle.context import Context
from tests.oracle.periods import cross_periods, in_date_periods, periods_table

SUCCESS = frozenset({"EGEN_FORSORJNING", "ANNAN_FORSORJNING"})


def _periods(ctx: Context) -> pd.DataFrame:
    return periods_table(ctx.measure_months, "tertial")


def _of_type(ctx: Context, insatstyp: str) -> pd.DataFrame:
    measures = ctx.landing.measures
    return measures[measures["insatstyp"] == insatstyp]


def _fan_out(ctx: Context, observations: pd.DataFrame) -> pd.DataFrame:
    return with_genders(with_areas(observations, ctx.ref), split=True)


def in_sthlmsjobb(ctx: Context) -> Computed:
    """Distinct persons with a STHLMSJOBB measure starting in [S, E] (area of that measure)."""
    periods = _periods(ctx)
    started = in_date_periods(_of_type(ctx, "STHLMSJOBB"), periods, "start_date")
    observed = _fan_out(ctx, started).drop_duplicates([*KEY, "person"])
    return Computed(count_cells(observed, subject="person"), periods, Denominator.NONE)


def in_ar_team(ctx: Context) -> Computed:
    """Denominator: persons with an AR_TEAM measure active in the period (start ≤ E, no end or
    end ≥ S) whose outcome is not PENSION. Numerator: of those, persons with such a measure that
    ended in [S, E] with EGEN_FORSORJNING or ANNAN_FORSORJNING."""
    periods = _periods(ctx)
    measures = _of_type(ctx, "AR_TEAM")
    measures = measures[measures["outcome"] != "PENSION"]
    pairs = cross_periods(measures, periods)
    active = (pairs["start_date"] <= pairs["end"]) & ~(pairs["end_date"] < pairs["start"])
    pairs = pairs[active]
    ended_well = (
        pairs["outcome"].isin(SUCCESS)
        & (pairs["end_date"] >= pairs["start"])
        & (pairs["end_date"] <= pairs["end"])
    )
    observed = _fan_out(ctx, pairs.assign(success=ended_well))
    per_person = observed.groupby([*KEY, "person"], as_index=False, observed=True)["success"].any()
    per_person["success"] = per_person["success"].astype("int64")
    cells = count_cells(per_person, subject="person", numerator="success")
    cells["denominator"] = cells["n_individuals"].astype("float64")
    return Computed(cells, periods, Denominator.OBSERVED)


def in_forsokslagenhet(ctx: Context) -> Computed:
    """FORSOKSLAGENHET measures ended in [S, E]: share ending KONTRAKT_OVERTAGET (n = persons)."""
    periods = _periods(ctx)
    ended = in_date_periods(_of_type(ctx, "FORSOKSLAGENHET"), periods, "end_date")
    ended = ended.assign(
        one=1, taken_over=(ended["outcome"] == "KONTRAKT_OVERTAGET").astype("int64")
    )
    cells = count_cells(
        _fan_out(ctx, ended), subject="person", numerator="taken_over", denominator="one"
    )
    return Computed(cells, periods, Denominator.OBSERVED)
