-- KPI observations of the budget follow-up (catalogue-v2, "Budget follow-up and the year-end
-- forecast"), per district:
--   EK_BUDGET             the month's budget (int_budget_months), summed over the period
--   EK_AVVIKELSE          the month's budget, minus the net kronor of every household-month
--                         (as EB_UTBETALT: the household's district) — for districts with a
--                         budget that year only (positive = under budget)
--   EK_PROGNOS            at each month end the year-end forecast made then
--                         (int_budget_forecasts); at December of a complete year the outcome
--                         (EB_UTBETALT VB); window period_end: a period shows its last month's
--   EK_PROGNOS_AVVIKELSE  the year's budget minus that forecast (districts with a budget)
-- Budget rows rest on no subject (an area with a budget is reached by its amount, never
-- suppressed); the payment rows of EK_AVVIKELSE count households, and the forecasts rest on the
-- households paid in the forecast month (rows of 0 kr), so either resting on 1–4 households is
-- suppressed like EB_UTBETALT.
-- A view over small tables and the incremental int_household_months.

{{ config(materialized='view') }}

with

budget as (

    select * from {{ ref('int_budget_months') }}

),

budget_years as (

    select district_code, budget_year, sum(budget_sek) as year_budget_sek
    from budget
    group by all

),

-- not materialized: read three times below (see int_kpi_obs_recipients)
household_months as not materialized (

    select * from {{ ref('int_household_months') }}

),

forecasts as (

    select
        area_code as district_code,
        year,
        forecast_month,
        case
            when months_to_date = 12 and actual_sek is not null then actual_sek
            else forecast_sek
        end as forecast_sek
    from {{ ref('int_budget_forecasts') }}
    where area_level = 'stadsdel'

),

rows as (

    select
        'EK_BUDGET' as indicator_code,
        month_start as obs_month,
        district_code,
        cast(null as varchar) as household_id,
        budget_sek as numerator
    from budget

    union all

    select 'EK_AVVIKELSE', month_start, district_code, null, budget_sek
    from budget

    union all

    select
        'EK_AVVIKELSE',
        household_months.benefit_month,
        household_months.district_code,
        household_months.household_id,
        -household_months.net_sek
    from household_months
    inner join budget_years
        on budget_years.district_code = household_months.district_code
        and budget_years.budget_year = year(household_months.benefit_month)

    union all

    select 'EK_PROGNOS', forecast_month, district_code, null, forecast_sek
    from forecasts

    union all

    -- what a forecast rests on: the households paid in the forecast month (as EB_UTBETALT;
    -- a forecast — at VB the outcome — resting on 1–4 households is suppressed like it)
    select codes.indicator_code, household_months.benefit_month,
        household_months.district_code, household_months.household_id, 0
    from household_months
    inner join forecasts
        on forecasts.district_code = household_months.district_code
        and forecasts.forecast_month = household_months.benefit_month
    -- EK_PROGNOS_AVVIKELSE only where the district has a budget that year (budget_years has
    -- one row per district and year: a join, not a correlated EXISTS, which DuckDB ran as a
    -- delim join over every household-month)
    left join budget_years
        on budget_years.district_code = household_months.district_code
        and budget_years.budget_year = year(household_months.benefit_month)
    cross join (values ('EK_PROGNOS'), ('EK_PROGNOS_AVVIKELSE')) as codes (indicator_code)
    where codes.indicator_code = 'EK_PROGNOS' or budget_years.district_code is not null

    union all

    select
        'EK_PROGNOS_AVVIKELSE',
        forecasts.forecast_month,
        forecasts.district_code,
        null,
        budget_years.year_budget_sek - forecasts.forecast_sek
    from forecasts
    inner join budget_years
        on budget_years.district_code = forecasts.district_code
        and budget_years.budget_year = forecasts.year

)

select
    indicator_code,
    obs_month,
    'stadsdel_kod' as origin_level,
    district_code as origin_code,
    cast(null as varchar) as gender,
    household_id as subject_id,
    household_id as person_id,
    cast(numerator as double) as numerator,
    cast(null as double) as denominator,
    cast(null as date) as eligible_from
from rows
