"""Flows of households (catalogue-v2 "Flows of households"), computed from the payments.

For month m a household is new (a bidragshushåll in m and in none of the 12 months before),
returning (one in m, not in m − 1, but in some month m − 12 … m − 2) or leaving (one in m − 1,
not in m; only for months with data). Periods sum their months; a month is reported only once
the 12 months before it have data. EB_TID_MED_BISTAND: for the period's leavers, the mean length
of the run of consecutive bidragshushåll months that ended at m − 1 (a run reaching back to the
first month with data counts as it is). Area: the household's district in m (leaving: m − 1).
EB_INFLODE_NYA_PERSONER: adult recipients in m who were recipients in none of the 12 months
before, per gender.
"""

from __future__ import annotations

import pandas as pd

from tests.oracle.assistance import _households, _per_subject, _recipients
from tests.oracle.computed import Computed, Denominator, count_cells
from tests.oracle.context import Context
from tests.oracle.periods import periods_table

LOOKBACK = 12


def flow_periods(ctx: Context) -> pd.DataFrame:
    """Complete periods whose every month has data for the 12 months before it."""
    available = set(ctx.payment_months)
    periods = periods_table(available, "tertial")
    keep = [
        set(range(first - LOOKBACK, last + 1)) <= available
        for first, last in zip(periods["first_month"], periods["last_month"], strict=True)
    ]
    return periods[keep].reset_index(drop=True)


def household_flows(ctx: Context) -> pd.DataFrame:
    """hushall_id, month, stadsdel_kod, flow (new/returning/continuing/leaving), run_months,
    run_from_first_month — one row per household and month of the flow."""

    def compute() -> pd.DataFrame:
        households = _households(ctx)
        paid = households.loc[
            households["is_bidragshushall"], ["hushall_id", "month", "stadsdel_kod"]
        ]
        paid = paid.sort_values(["hushall_id", "month"], ignore_index=True)
        by_household = paid.groupby("hushall_id", sort=False)["month"]
        gap = paid["month"] - by_household.shift(1)
        run_id = (gap != 1).cumsum()
        paid["run_months"] = paid.groupby(run_id).cumcount() + 1
        paid["flow"] = "new"
        paid.loc[gap.between(2, LOOKBACK), "flow"] = "returning"
        paid.loc[gap == 1, "flow"] = "continuing"
        paid["run_end"] = paid["month"]

        first, last = min(ctx.payment_months), max(ctx.payment_months)
        following = by_household.shift(-1)
        ends = paid[(following != paid["month"] + 1) & (paid["month"] + 1 <= last)].copy()
        ends["month"] = ends["month"] + 1
        ends["flow"] = "leaving"
        flows = pd.concat([paid, ends], ignore_index=True)
        flows["run_from_first_month"] = flows["run_end"] - flows["run_months"] + 1 <= first
        return flows.drop(columns="run_end")

    return ctx.memo("household_flows", compute)


def _count(ctx: Context, flow: str) -> Computed:
    periods = flow_periods(ctx)
    flows = household_flows(ctx)
    selected = flows.loc[flows["flow"] == flow, ["hushall_id", "month", "stadsdel_kod"]]
    observed = _per_subject(ctx, selected, "hushall_id", False, periods, {"events": "size"})
    return Computed(
        count_cells(observed, subject="hushall_id", numerator="events"), periods, Denominator.NONE
    )


def eb_inflode_nya(ctx: Context) -> Computed:
    return _count(ctx, "new")


def eb_inflode_aterkommande(ctx: Context) -> Computed:
    return _count(ctx, "returning")


def eb_utflode(ctx: Context) -> Computed:
    return _count(ctx, "leaving")


def eb_tid_med_bistand(ctx: Context) -> Computed:
    """Months of the ended runs of the period's leavers ÷ leavers."""
    periods = flow_periods(ctx)
    flows = household_flows(ctx)
    leavers = flows.loc[
        flows["flow"] == "leaving", ["hushall_id", "month", "stadsdel_kod", "run_months"]
    ]
    observed = _per_subject(
        ctx, leavers, "hushall_id", False, periods, {"run": "run_months", "leavers": "size"}
    )
    cells = count_cells(observed, subject="hushall_id", numerator="run", denominator="leavers")
    return Computed(cells, periods, Denominator.OBSERVED)


def eb_inflode_nya_personer(ctx: Context) -> Computed:
    """Adult recipients in m who were recipients in none of the 12 months before m."""
    periods = flow_periods(ctx)
    recipients = _recipients(ctx).sort_values(["person", "month"], ignore_index=True)
    previous = recipients.groupby("person", sort=False)["month"].shift(1)
    is_new = previous.isna() | (recipients["month"] - previous > LOOKBACK)
    selected = recipients.loc[
        is_new & recipients["is_adult"], ["person", "month", "stadsdel_kod", "kon"]
    ]
    observed = _per_subject(ctx, selected, "person", True, periods, {"events": "size"})
    return Computed(
        count_cells(observed, subject="person", numerator="events"), periods, Denominator.NONE
    )
