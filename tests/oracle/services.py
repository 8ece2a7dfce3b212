"""Catalogue v2 indicators (shared/spec/catalogue-v2.md), each in its record's district.

S = the period's first day, E = its last day. Notices and emergency housing are split by the
person's gender and count persons; FUT reports count cases (arende_id); complaints count the
reports. Bostad först uses insatser, rent arrears the payments (utbetalningar).
"""

from __future__ import annotations

import pandas as pd

from tests.oracle.areas import KEY, with_areas, with_genders
from tests.oracle.assistance import SCALE, household_months
from tests.oracle.computed import Computed, Denominator, count_cells
from tests.oracle.context import Context
from tests.oracle.periods import in_date_periods, in_periods, period_months, periods_table

HOTEL_OR_HOSTEL = frozenset({"HOTELL", "VANDRARHEM"})


def _periods(ctx: Context, export: str) -> pd.DataFrame:
    return periods_table(ctx.export_months(export), "tertial")


def _fan_out(ctx: Context, observed: pd.DataFrame, split: bool) -> pd.DataFrame:
    return with_genders(with_areas(observed, ctx.ref), split=split)


def _share(
    ctx: Context, observed: pd.DataFrame, periods: pd.DataFrame, subject: str, split: bool
) -> Computed:
    """Rows (one per counted record and period) with a boolean `hit`: hits ÷ rows."""
    observed = observed.assign(one=1, hit=observed["hit"].astype("int64"))
    cells = count_cells(
        _fan_out(ctx, observed, split), subject=subject, numerator="hit", denominator="one"
    )
    return Computed(cells, periods, Denominator.OBSERVED)


def _count(
    ctx: Context, observed: pd.DataFrame, periods: pd.DataFrame, subject: str, split: bool
) -> Computed:
    """Rows (one per counted record and period): their number; n = distinct `subject`."""
    cells = count_cells(_fan_out(ctx, observed, split), subject=subject)
    return Computed(cells, periods, Denominator.NONE)


# --- eviction prevention (vrakningsforebyggande) ----------------------------------------------
def _closed_notices(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    periods = _periods(ctx, "vrakningsforebyggande")
    return in_date_periods(ctx.landing.notices, periods, "closed"), periods


def bo_avhysning_avvarjd(ctx: Context) -> Computed:
    """Notices closed in [S, E]: share with an outcome other than VERKSTALLD."""
    closed, periods = _closed_notices(ctx)
    closed = closed.assign(hit=closed["outcome"] != "VERKSTALLD")
    return _share(ctx, closed, periods, "person", split=True)


def bo_verkstallda(ctx: Context) -> Computed:
    """Notices closed in [S, E] with VERKSTALLD."""
    closed, periods = _closed_notices(ctx)
    return _count(ctx, closed[closed["outcome"] == "VERKSTALLD"], periods, "person", split=True)


def bo_vrakning_barn(ctx: Context) -> Computed:
    """Notices closed in [S, E] with VERKSTALLD and children in the household."""
    closed, periods = _closed_notices(ctx)
    hit = (closed["outcome"] == "VERKSTALLD") & (closed["children"] > 0)
    return _count(ctx, closed[hit], periods, "person", split=True)


def bo_stod_vid_kontakt(ctx: Context) -> Computed:
    """Notices received in [S, E]: share where the household accepted support."""
    periods = _periods(ctx, "vrakningsforebyggande")
    received = in_date_periods(ctx.landing.notices, periods, "received")
    return _share(ctx, received.assign(hit=received["support"]), periods, "person", split=True)


# --- emergency housing (akutboende) ------------------------------------------------------------
def bo_barnfamilj_hotell(ctx: Context) -> Computed:
    """Distinct applicants with a HOTELL/VANDRARHEM decision starting in [S, E] for a household
    with children (each counted once per period and area)."""
    periods = _periods(ctx, "akutboende")
    decisions = ctx.landing.emergency_housing
    families = decisions[decisions["boendetyp"].isin(HOTEL_OR_HOSTEL) & (decisions["children"] > 0)]
    started = in_date_periods(families, periods, "start_date")
    observed = _fan_out(ctx, started, split=True).drop_duplicates([*KEY, "person"])
    return Computed(count_cells(observed, subject="person"), periods, Denominator.NONE)


# --- Bostad först (insatser) ----------------------------------------------------------------
def in_bostad_forst_12man(ctx: Context) -> Computed:
    """BOSTAD_FORST measures whose start + 12 months lies in [S, E]: share still ongoing that
    day (no end, or an end after it) or ended KONTRAKT_OVERTAGET."""
    periods = periods_table(ctx.measure_months, "tertial")
    measures = ctx.landing.measures
    measures = measures[measures["insatstyp"] == "BOSTAD_FORST"]
    measures = measures.assign(anniversary=measures["start_date"] + pd.DateOffset(months=12))
    due = in_date_periods(measures, periods, "anniversary")
    kept = (
        due["end_date"].isna()
        | (due["end_date"] > due["anniversary"])
        | (due["outcome"] == "KONTRAKT_OVERTAGET")
    )
    return _share(ctx, due.assign(hit=kept), periods, "person", split=True)


# --- FUT (fut_anmalningar) ---------------------------------------------------------------------
def fu_forhandsbedomd_3man(ctx: Context) -> Computed:
    """Reports whose received + 3 months lies in [S, E]: share assessed on or before that day."""
    periods = _periods(ctx, "fut_anmalningar")
    reports = ctx.landing.fut_reports
    reports = reports.assign(due=reports["received"] + pd.DateOffset(months=3))
    due = in_date_periods(reports, periods, "due")
    return _share(ctx, due.assign(hit=due["assessed"] <= due["due"]), periods, "arende_id", False)


def fu_aterkrav(ctx: Context) -> Computed:
    """Reports with a repayment decision dated in [S, E]."""
    periods = _periods(ctx, "fut_anmalningar")
    repaid = in_date_periods(ctx.landing.fut_reports, periods, "repaid")
    return _count(ctx, repaid, periods, "arende_id", split=False)


# --- complaints (synpunkter) -----------------------------------------------------------------
def _received_feedback(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    periods = _periods(ctx, "synpunkter")
    return in_date_periods(ctx.landing.feedback, periods, "received"), periods


def sy_klagomal(ctx: Context) -> Computed:
    """Complaints (typ KLAGOMAL) received in [S, E]."""
    received, periods = _received_feedback(ctx)
    complaints = received[received["typ"] == "KLAGOMAL"]
    return _count(ctx, complaints, periods, "synpunkt_id", split=False)


def sy_lex_sarah(ctx: Context) -> Computed:
    """Lex Sarah reports received in [S, E]."""
    received, periods = _received_feedback(ctx)
    return _count(ctx, received[received["lex_sarah"]], periods, "synpunkt_id", split=False)


def sy_aterkoppling(ctx: Context) -> Computed:
    """Complaints received in [S, E]: share with feedback given on or before E."""
    received, periods = _received_feedback(ctx)
    complaints = received[received["typ"] == "KLAGOMAL"]
    complaints = complaints.astype({"period": "str"}).merge(
        periods[["year", "period", "end"]], on=["year", "period"]
    )
    hit = complaints["answered"] <= complaints["end"]
    return _share(ctx, complaints.assign(hit=hit), periods, "synpunkt_id", split=False)


# --- rent arrears (utbetalningar, lo_andamal HYRESSKULD) -------------------------------------
def _rent_arrears(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Household-months with a HYRESSKULD payment: net HYRESSKULD kronor (× 10 000) in the
    household's district that month, in every period containing the month."""
    periods = periods_table(ctx.payment_months, "tertial")

    def compute() -> pd.DataFrame:
        payments = ctx.landing.payments
        households = ctx.memo("households", lambda: household_months(payments))
        arrears = payments[payments["lo_andamal"] == "HYRESSKULD"]
        net = arrears.groupby(["hushall_id", "month"], as_index=False)["amount_1e4"].sum()
        located = net.merge(households[["hushall_id", "month", "stadsdel_kod"]])
        return in_periods(located, period_months(periods))

    return ctx.memo("rent_arrears", compute), periods


def eb_hyresskuld_hushall(ctx: Context) -> Computed:
    """Distinct households with net HYRESSKULD payments > 0 kr for a bidragsmånad in the period."""
    observed, periods = _rent_arrears(ctx)
    paid = _fan_out(ctx, observed[observed["amount_1e4"] > 0], split=False)
    paid = paid.drop_duplicates([*KEY, "hushall_id"])
    return Computed(count_cells(paid, subject="hushall_id"), periods, Denominator.NONE)


def eb_hyresskuld_kr(ctx: Context) -> Computed:
    """Net kronor of HYRESSKULD payments with bidragsmånad in the period (n = households)."""
    observed, periods = _rent_arrears(ctx)
    cells = count_cells(
        _fan_out(ctx, observed, split=False), subject="hushall_id", numerator="amount_1e4"
    )
    cells["numerator"] = cells["numerator"] / SCALE
    return Computed(cells, periods, Denominator.NONE)
