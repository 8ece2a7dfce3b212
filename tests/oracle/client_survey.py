"""BR_FORBATTRAD: the client survey (brukarenkat), by the response's date and district."""

from __future__ import annotations

from tests.oracle.areas import with_areas, with_genders
from tests.oracle.computed import Computed, Denominator, count_cells
from tests.oracle.context import Context
from tests.oracle.periods import in_date_periods, periods_table


def br_forbattrad(ctx: Context) -> Computed:
    """EB responses dated in [S, E] with FORBATTRAD ÷ all EB responses in [S, E]; n = responses."""
    periods = periods_table(ctx.client_survey_months, "tertial")
    responses = ctx.landing.client_survey
    responses = responses[responses["verksamhet"] == "EB"]
    responses = responses.assign(
        one=1, improved=(responses["situation"] == "FORBATTRAD").astype("int64")
    )
    dated = in_date_periods(responses, periods, "date")
    observed = with_genders(with_areas(dated, ctx.ref), split=True)
    cells = count_cells(observed, subject="svar_id", numerator="improved", denominator="one")
    return Computed(cells, periods, Denominator.OBSERVED)
