-- The year-end forecast of net payments (EB_UTBETALT VB) made at every month end, per district
-- and for the city (the sum of its districts), with the run-rate baseline beside it and the
-- actual outcome once the year is complete (catalogue-v2, "the year-end forecast").
--
-- No peeking: the forecast made at the end of month m of year Y knows only the payments of
-- bidragsmånader up to m booked (utbetalningsdatum) by the last day of m — later months, late
-- bookings and corrections booked after that day are left out. Made only at month ends whose
-- year has data for every month from January to m.
--   paid_to_date   net kronor of bidragsmånader January–m of Y booked by the end of m
--   run rate       paid_to_date ÷ months × 12
--   method         last year's profile: paid_to_date × (last year's total ÷ last year's
--                  paid_to_date at the same month end), both of last year as booked by the end
--                  of m of last year and of this year respectively — so the season and the
--                  lag of late bookings of last year carry over. Without a complete last year
--                  (all 12 months with data, and something paid to date) the run rate.
-- Districts are the payments' stadsdel_kod (at a month end that is what is known); the actual
-- is EB_UTBETALT VB (the household's district, int_household_months).

with

paid as (

    select * from {{ ref('int_budget_paid') }}

),

data_months as (

    select month_start from {{ ref('int_kpi_source_months') }}
    where source = 'utbetalningar'

),

-- month ends with data for every month of their year up to them
points as (

    select
        month_start as forecast_month,
        year(month_start) as year,
        month(month_start) as months_to_date
    from data_months
    qualify count(*) over (
        partition by year(month_start) order by month_start
        rows between unbounded preceding and current row
    ) = month(month_start)

),

complete_years as (

    select year(month_start) as year
    from data_months
    group by 1
    having count(*) = 12

),

known as (

    select
        paid.district_code,
        points.year,
        points.forecast_month,
        points.months_to_date,
        coalesce(sum(paid.net_sek) filter (
            where year(paid.benefit_month) = points.year
                and paid.benefit_month <= points.forecast_month
                and paid.booked_month <= points.forecast_month
        ), 0) as paid_to_date,
        sum(paid.net_sek) filter (
            where year(paid.benefit_month) = points.year - 1
                and month(paid.benefit_month) <= points.months_to_date
                and paid.booked_month <= points.forecast_month - to_months(12)
        ) as last_year_to_date,
        sum(paid.net_sek) filter (
            where year(paid.benefit_month) = points.year - 1
                and paid.booked_month <= points.forecast_month
        ) as last_year_total
    from points
    inner join paid
        on year(paid.benefit_month) in (points.year, points.year - 1)
        and paid.benefit_month <= points.forecast_month
    group by all

),

actuals as (

    select district_code, year(benefit_month) as year, sum(net_sek) as actual_sek
    from {{ ref('int_household_months') }}
    where year(benefit_month) in (select year from complete_years)
    group by all

),

districts as (

    select
        known.district_code,
        known.year,
        known.forecast_month,
        known.months_to_date,
        known.paid_to_date,
        known.paid_to_date / known.months_to_date * 12 as run_rate_sek,
        case
            when known.year - 1 in (select year from complete_years)
                and known.last_year_to_date > 0 and known.last_year_total > 0
                then known.paid_to_date * known.last_year_total / known.last_year_to_date
            else known.paid_to_date / known.months_to_date * 12
        end as forecast_sek,
        actuals.actual_sek
    from known
    left join actuals
        on actuals.district_code = known.district_code and actuals.year = known.year
    -- a district with nothing this year (only last year) makes no forecast
    where known.paid_to_date <> 0 or actuals.actual_sek is not null

),

areas as (

    select 'stadsdel' as area_level, district_code as area_code, * exclude (district_code)
    from districts

    union all

    select
        'stad',
        'STHLM',
        districts.year,
        districts.forecast_month,
        districts.months_to_date,
        sum(districts.paid_to_date),
        -- a sum of doubles depends on the order it meets them, and DuckDB's parallel
        -- aggregation meets them in any order, while the figures must be identical from one
        -- refresh of the same data to the next: the run rate from the exact total (the
        -- districts' run rates add up to it), the forecasts added in district order
        sum(districts.paid_to_date) / districts.months_to_date * 12,
        sum(districts.forecast_sek order by districts.district_code),
        -- the city's outcome: every district's (null while the year is incomplete)
        any_value(city_actuals.actual_sek)
    from districts
    left join (
        select year, sum(actual_sek) as actual_sek from actuals group by year
    ) as city_actuals on city_actuals.year = districts.year
    group by districts.year, districts.forecast_month, districts.months_to_date

)

select
    cast(area_level as varchar) as area_level,
    cast(area_code as varchar) as area_code,
    cast(year as integer) as year,
    cast(forecast_month as date) as forecast_month,
    cast(months_to_date as integer) as months_to_date,
    cast(paid_to_date as decimal(18, 4)) as paid_to_date_sek,
    -- not rounded (the KPI observations keep 4 decimals)
    cast(run_rate_sek as double) as run_rate_sek,
    cast(forecast_sek as double) as forecast_sek,
    cast(actual_sek as decimal(18, 4)) as actual_sek
from areas
