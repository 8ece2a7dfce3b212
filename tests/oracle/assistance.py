"""Payment-based indicators: households, recipients, kronor, and the Kolada-comparable four.

Rulebook, common rules 2–3:
- household-month: net of a household's payments with that bidragsmånad; its district is the
  district with the largest net sum (ties: lowest code). A bidragshushåll has net > 0 kr.
- recipient-month: a person listed for a bidragshushåll that month; listed in two, the person
  counts once, in the household with the larger net (ties: lowest hushall_id). Age in whole
  years on the month's last day from the birth year-month; adult = 18 or older.
Amounts are summed exactly as integers of 1/10 000 kr.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from tests.oracle.areas import KEY, with_areas, with_genders
from tests.oracle.computed import Computed, Denominator, Population, count_cells
from tests.oracle.context import Context
from tests.oracle.periods import in_periods, period_months, periods_table

SCALE = 10_000  # amount_1e4 / SCALE = kronor

ADULT_MONTHS = Population(18, 999, same_year=False, times_months=True)
CHILD_MONTHS = Population(0, 17, same_year=False, times_months=True)
ADULTS = Population(18, 999, same_year=False, times_months=False)
KOLADA_ALL = Population(0, 999, same_year=True, times_months=False)
KOLADA_ADULTS = Population(18, 999, same_year=True, times_months=False)
KOLADA_CHILDREN = Population(0, 17, same_year=True, times_months=False)


# --- households and recipients -------------------------------------------------------------
def household_months(payments: pd.DataFrame) -> pd.DataFrame:
    """hushall_id, month, stadsdel_kod, net_1e4, is_bidragshushall — one row per household-month
    with any payment (also those netting ≤ 0, which still carry kronor)."""
    keys = ["hushall_id", "month"]
    per_district = payments.groupby([*keys, "stadsdel_kod"], as_index=False)["amount_1e4"].sum()
    ranked = per_district.sort_values(
        [*keys, "amount_1e4", "stadsdel_kod"], ascending=[True, True, False, True]
    )
    district = ranked.drop_duplicates(keys)[[*keys, "stadsdel_kod"]]
    net = payments.groupby(keys, as_index=False)["amount_1e4"].sum()
    households = district.merge(net.rename(columns={"amount_1e4": "net_1e4"}), on=keys)
    households["is_bidragshushall"] = households["net_1e4"] > 0
    return households


def recipient_months(members: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """person, month, hushall_id, stadsdel_kod, kon, birth_month_index, age, is_adult.

    One row per person and month in which the person is a recipient.
    """
    paid = households[households["is_bidragshushall"]]
    listed = members.merge(paid, on=["hushall_id", "month"], how="inner")
    ranked = listed.sort_values(
        ["person", "month", "net_1e4", "hushall_id"], ascending=[True, True, False, True]
    )
    recipients = ranked.drop_duplicates(["person", "month"]).copy()
    recipients["age"] = (recipients["month"] - recipients["birth_month_index"]) // 12
    recipients["is_adult"] = recipients["age"] >= 18
    columns = [
        *["person", "month", "hushall_id", "stadsdel_kod", "kon"],
        *["birth_month_index", "age", "is_adult"],
    ]
    return recipients[columns].reset_index(drop=True)


def _households(ctx: Context) -> pd.DataFrame:
    return ctx.memo("households", lambda: household_months(ctx.landing.payments))


def _recipients(ctx: Context) -> pd.DataFrame:
    return ctx.memo("recipients", lambda: recipient_months(ctx.landing.members, _households(ctx)))


def _periods(ctx: Context, periodicity: str = "tertial", lookback: int = 0) -> pd.DataFrame:
    return periods_table(ctx.payment_months, periodicity, lookback)


def _fan_out(
    ctx: Context,
    observations: pd.DataFrame,
    split: bool,
    periods: pd.DataFrame,
    distinct: str | None = None,
) -> pd.DataFrame:
    """Month observations copied into the periods containing the month, then to their areas and
    genders. With `distinct`, each such subject is kept once per period and district first."""
    observed = in_periods(observations, period_months(periods))
    if distinct:
        once = ["year", "period", "stadsdel_kod", *(["kon"] if split else []), distinct]
        observed = observed.drop_duplicates(once)
    return with_genders(with_areas(observed, ctx.ref), split=split)


def _per_subject(
    ctx: Context,
    observations: pd.DataFrame,
    subject: str,
    split: bool,
    periods: pd.DataFrame,
    sums: dict[str, str],
) -> pd.DataFrame:
    """Month observations summed per (period, district[, kon], subject), then fanned out to
    areas and genders. `sums` maps output column → the month column summed (or "size" for the
    number of months). Distinct subjects per cell stay countable; totals stay exact."""
    detail = ["year", "period", "stadsdel_kod", *(["kon"] if split else []), subject]
    in_period = in_periods(observations, period_months(periods))
    aggregations = {
        out: (subject, "size") if column == "size" else (column, "sum")
        for out, column in sums.items()
    }
    summed = in_period.groupby(detail, as_index=False, observed=True).agg(**aggregations)
    return with_genders(with_areas(summed, ctx.ref), split=split)


def _distinct(observed: pd.DataFrame, subject: str) -> pd.DataFrame:
    """Cells counting each subject once: numerator = n_individuals = distinct subjects."""
    return count_cells(observed.drop_duplicates([*KEY, subject]), subject=subject)


# --- shares of the population averaged over the period's months ----------------------------
def _recipient_months_share(
    ctx: Context, who: Callable[[pd.DataFrame], pd.Series], population: Population
) -> Computed:
    """Numerator: the selected recipient-months in the area; n: distinct people."""
    recipients = _recipients(ctx)
    periods = _periods(ctx)
    selected = recipients.loc[who(recipients), ["person", "month", "stadsdel_kod", "kon"]]
    observed = _per_subject(ctx, selected, "person", True, periods, {"recipient_months": "size"})
    cells = count_cells(observed, subject="person", numerator="recipient_months")
    return Computed(cells, periods, population)


def eb_andel_vuxna(ctx: Context) -> Computed:
    """Adult recipient-months ÷ (adult population × months in the period)."""
    return _recipient_months_share(ctx, lambda r: r["is_adult"], ADULT_MONTHS)


def eb_andel_barn(ctx: Context) -> Computed:
    """Child recipient-months ÷ (population 0–17 × months in the period)."""
    return _recipient_months_share(ctx, lambda r: ~r["is_adult"], CHILD_MONTHS)


def eb_andel_langvarigt(ctx: Context) -> Computed:
    """Persons adult at e, recipients (anywhere) in ≥ 10 of the 12 months ending at e ÷ adults.

    Area and gender from the person's latest recipient month in that window.
    """
    recipients = _recipients(ctx)
    periods = _periods(ctx, lookback=11)
    ends = periods[["last_month"]].drop_duplicates()  # T1 and M04 share their window, …
    windows = ends.assign(month=[list(range(e - 11, e + 1)) for e in ends["last_month"]])
    windows = windows.explode("month").astype({"month": "int64"})
    in_window = recipients[["person", "month"]].merge(windows, on="month")
    per_person = in_window.groupby(["last_month", "person"], as_index=False).agg(
        months_in_window=("month", "size"), latest=("month", "max")
    )  # one row per person and recipient month, so size = months
    long_term = per_person[per_person["months_in_window"] >= 10]
    long_term = long_term.merge(
        recipients, left_on=["person", "latest"], right_on=["person", "month"]
    )  # district and gender of the latest recipient month
    age_at_e = (long_term["last_month"] - long_term["birth_month_index"]) // 12
    long_term = long_term[age_at_e >= 18]
    long_term = long_term.merge(periods[["year", "period", "last_month"]], on="last_month")
    observed = with_genders(with_areas(long_term, ctx.ref), split=True)
    return Computed(_distinct(observed, "person"), periods, ADULTS)


# --- households and kronor -------------------------------------------------------------------
def eb_hushall(ctx: Context) -> Computed:
    """Bidragshushåll-months ÷ months in the period (monthly average); n = households."""
    households = _households(ctx)
    periods = _periods(ctx)
    paid = households.loc[households["is_bidragshushall"], ["hushall_id", "month", "stadsdel_kod"]]
    observed = _per_subject(ctx, paid, "hushall_id", False, periods, {"household_months": "size"})
    cells = count_cells(observed, subject="hushall_id", numerator="household_months")
    return Computed(cells, periods, Denominator.MONTHS)


def _kronor_cells(ctx: Context, periods: pd.DataFrame) -> pd.DataFrame:
    return ctx.memo("kronor_cells", lambda: _compute_kronor_cells(ctx, periods)).copy()


def _compute_kronor_cells(ctx: Context, periods: pd.DataFrame) -> pd.DataFrame:
    """Net kronor of all household-months (district of the household that month),
    bidragshushåll-months as `denominator`, n = households with any payment."""
    households = _households(ctx)
    households = households.assign(paid_month=households["is_bidragshushall"].astype("int64"))
    observed = _per_subject(
        ctx,
        households[["hushall_id", "month", "stadsdel_kod", "net_1e4", "paid_month"]],
        "hushall_id",
        False,
        periods,
        {"net_1e4": "net_1e4", "bidragshushall_months": "paid_month"},
    )
    cells = count_cells(
        observed, subject="hushall_id", numerator="net_1e4", denominator="bidragshushall_months"
    )
    cells["numerator"] = cells["numerator"] / SCALE
    return cells


def eb_bistand_per_hushall(ctx: Context) -> Computed:
    """Net kronor in the period ÷ bidragshushåll-months."""
    periods = _periods(ctx)
    return Computed(_kronor_cells(ctx, periods), periods, Denominator.OBSERVED)


def eb_utbetalt(ctx: Context) -> Computed:
    """Net kronor with bidragsmånad in the period."""
    periods = _periods(ctx)
    cells = _kronor_cells(ctx, periods).drop(columns="denominator")
    return Computed(cells, periods, Denominator.NONE)


# --- Kolada-comparable: people and households during the calendar year ------------------------
def _year_periods(ctx: Context) -> pd.DataFrame:
    return _periods(ctx, periodicity="ar")


def ko_n31807(ctx: Context) -> Computed:
    """Persons who were recipients in any month of the year ÷ population (all ages, same year)."""
    periods = _year_periods(ctx)
    observed = _fan_out(ctx, _recipients(ctx), True, periods, distinct="person")
    return Computed(_distinct(observed, "person"), periods, KOLADA_ALL)


def ko_n31816(ctx: Context) -> Computed:
    """Adults (at the end of their last recipient month of the year) with ≥ 10 recipient months
    in the year ÷ population 18+; area and gender of that last month."""
    periods = _year_periods(ctx)
    in_year = in_periods(_recipients(ctx), period_months(periods))
    per_person = ["year", "period", "person"]
    months_in_year = (
        in_year.groupby(per_person, observed=True)["month"].nunique().rename("months_in_year")
    )
    last = in_year.sort_values("month").drop_duplicates(per_person, keep="last")
    last = last.join(months_in_year, on=per_person)
    long_term = last[(last["months_in_year"] >= 10) & last["is_adult"]]
    observed = with_genders(with_areas(long_term, ctx.ref), split=True)
    return Computed(_distinct(observed, "person"), periods, KOLADA_ADULTS)


def ko_u31803(ctx: Context) -> Computed:
    """Persons who were recipients as a child in any month of the year ÷ population 0–17."""
    periods = _year_periods(ctx)
    recipients = _recipients(ctx)
    children = recipients[~recipients["is_adult"]]
    observed = _fan_out(ctx, children, True, periods, distinct="person")
    return Computed(_distinct(observed, "person"), periods, KOLADA_CHILDREN)


def ko_n31910(ctx: Context) -> Computed:
    """Distinct bidragshushåll during the year (in each district where it was one, city once)."""
    periods = _year_periods(ctx)
    households = _households(ctx)
    paid = households[households["is_bidragshushall"]]
    observed = _fan_out(ctx, paid, False, periods, distinct="hushall_id")
    return Computed(_distinct(observed, "hushall_id"), periods, Denominator.NONE)
