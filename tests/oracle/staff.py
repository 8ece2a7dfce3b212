"""Staff indicators: sick leave (franvaro) and the employee survey (medarbetarenkat).

Reported per unit (`enhet_kod` of the rows) and for the whole city only, split by gender.
"""

from __future__ import annotations

import pandas as pd

from tests.oracle.areas import KEY, with_genders, with_unit_areas
from tests.oracle.computed import Computed, Denominator, count_cells
from tests.oracle.context import Context
from tests.oracle.periods import in_periods, periods_table, trailing_months

POINTS_PER_STEP = 25  # index = (svar − 1) × 25, 0–100


# --- sick leave over the 12 months ending at the period's last month ---------------------------
def _sick_leave(ctx: Context, sick_column: str) -> Computed:
    periods = periods_table(ctx.absence_months, "tertial", lookback_months=11)
    window = in_periods(ctx.landing.absence, trailing_months(periods, 12))
    observed = with_genders(with_unit_areas(window, ctx.ref), split=True)
    cells = count_cells(
        observed, subject="anstallning_id", numerator=sick_column, denominator="scheduled"
    )
    return Computed(cells, periods, Denominator.OBSERVED)


def pe_sjukfranvaro(ctx: Context) -> Computed:
    """Sick hours ÷ scheduled hours, 12 months ending at e; n = employees."""
    return _sick_leave(ctx, "sick")


def pe_sjukfranvaro_1_14(ctx: Context) -> Computed:
    """Day 1–14 sick hours ÷ scheduled hours, same window."""
    return _sick_leave(ctx, "sick_1_14")


# --- employee survey: VB rows of the survey year ----------------------------------------------
def _survey_periods(ctx: Context) -> pd.DataFrame:
    return periods_table(ctx.staff_survey_months, "ar")


def _answers(ctx: Context, indices: frozenset[str]) -> pd.DataFrame:
    survey = ctx.landing.staff_survey
    in_index = survey["fraga_kod"].map(ctx.ref.question_index).isin(indices)
    answers = survey[in_index].assign(period="VB")
    return with_genders(with_unit_areas(answers, ctx.ref), split=True)


def _survey_index(ctx: Context, indices: frozenset[str]) -> Computed:
    """Mean of (svar − 1) × 25 over all answers to the index's questions; n = respondents."""
    periods = _survey_periods(ctx)
    answers = _answers(ctx, indices)
    answers = answers.merge(periods[["year", "period"]], on=["year", "period"])
    answers = answers.assign(points=(answers["svar"] - 1) * POINTS_PER_STEP, one=1)
    cells = count_cells(answers, subject="respondent_id", numerator="points", denominator="one")
    return Computed(cells, periods, Denominator.OBSERVED)


def pe_ami(ctx: Context) -> Computed:
    return _survey_index(ctx, frozenset({"MOT", "LED", "STY"}))


def pe_ledarskap(ctx: Context) -> Computed:
    return _survey_index(ctx, frozenset({"LED"}))


def pe_styrning(ctx: Context) -> Computed:
    return _survey_index(ctx, frozenset({"STY"}))


def pe_motivation(ctx: Context) -> Computed:
    return _survey_index(ctx, frozenset({"MOT"}))


def pe_rekommendera(ctx: Context) -> Computed:
    """Respondents answering REK with 4 or 5 ÷ respondents answering REK."""
    periods = _survey_periods(ctx)
    answers = _answers(ctx, frozenset({"REK"}))
    answers = answers.merge(periods[["year", "period"]], on=["year", "period"])
    answers = answers.assign(recommends=answers["svar"] >= 4)
    per_respondent = answers.groupby([*KEY, "respondent_id"], as_index=False, observed=True)[
        "recommends"
    ].any()
    per_respondent["recommends"] = per_respondent["recommends"].astype("int64")
    cells = count_cells(per_respondent, subject="respondent_id", numerator="recommends")
    cells["denominator"] = cells["n_individuals"].astype("float64")
    return Computed(cells, periods, Denominator.OBSERVED)
