-- The economy page's monthly view per district and the city: the month's and the cumulative
-- budget and outcome (EB_UTBETALT: the household's district), the year-end forecast made at the
-- month end with the run rate beside it (int_budget_forecasts; December of a complete year: the
-- outcome), and the year's budget. Months with utbetalningar data only. The outcome, forecast
-- and run rate are hidden when the area's month rests on 1–4 households.

with

budget as (

    select * from {{ ref('int_budget_months') }}

),

-- per district and month first: the city's row adds its districts' sums and counts up (a
-- household-month has one district), so the join below fans out some thousand rows instead of
-- every household-month (national profile: 2,6 s → 0,4 s)
households as (

    select district_code, benefit_month, sum(net_sek) as net_sek, count(*) as household_count
    from {{ ref('int_household_months') }}
    where benefit_month in (
        select month_start from {{ ref('int_kpi_source_months') }} where source = 'utbetalningar'
    )
    group by all

),

forecasts as (

    select * from {{ ref('int_budget_forecasts') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

district_kinds as (

    select stadsdel_kod, typ from {{ ref('ref_districts') }}

),

-- districts (of kind stadsdel) and the city
placed as (

    select 'stadsdel' as area_level, district_code as area_code, district_code
    from (select distinct district_code from households union select district_code from budget)
    where district_code in (select stadsdel_kod from district_kinds where typ = 'stadsdel')

    union all

    select 'stad', 'STHLM', district_code
    from (select distinct district_code from households union select district_code from budget)

),

paid as (

    select
        placed.area_level,
        placed.area_code,
        households.benefit_month as month_start,
        sum(households.net_sek) as paid_sek,
        sum(households.household_count) as household_count
    from households
    inner join placed on placed.district_code = households.district_code
    group by all

),

budgeted as (

    select placed.area_level, placed.area_code, budget.month_start, sum(budget.budget_sek) as budget_sek
    from budget
    inner join placed on placed.district_code = budget.district_code
    group by all

),

monthly as (

    select
        paid.area_level,
        paid.area_code,
        year(paid.month_start) as year,
        paid.month_start,
        budgeted.budget_sek,
        paid.paid_sek,
        paid.household_count,
        sum(budgeted.budget_sek) over (
            partition by paid.area_level, paid.area_code, year(paid.month_start)
            order by paid.month_start
        ) as budget_to_date,
        sum(paid.paid_sek) over (
            partition by paid.area_level, paid.area_code, year(paid.month_start)
            order by paid.month_start
        ) as paid_to_date,
        (
            select sum(b.budget_sek) from budgeted as b
            where b.area_level = paid.area_level and b.area_code = paid.area_code
                and year(b.month_start) = year(paid.month_start)
        ) as year_budget
    from paid
    left join budgeted using (area_level, area_code, month_start)

)

select
    cast(monthly.area_level as varchar) as area_level,
    cast(monthly.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(monthly.year as integer) as year,
    cast(monthly.month_start as date) as month_date,
    cast(month(monthly.month_start) as integer) as manad_nr,
    cast(monthly.budget_sek as double) as budget_manad,
    cast(monthly.budget_to_date as double) as budget_ack,
    cast(monthly.year_budget as double) as arsbudget,
    cast(case when not hidden then monthly.paid_sek end as double) as utfall_manad,
    cast(case when not hidden then monthly.paid_to_date end as double) as utfall_ack,
    cast(case when not hidden then
        case when forecasts.months_to_date = 12 and forecasts.actual_sek is not null
            then forecasts.actual_sek else forecasts.forecast_sek end
    end as double) as prognos,
    cast(case when not hidden then forecasts.run_rate_sek end as double) as rullande_takt,
    cast(hidden as boolean) as is_suppressed
from (
    select *, household_count between 1 and 4 as hidden from monthly
) as monthly
inner join areas on areas.area_level = monthly.area_level and areas.area_code = monthly.area_code
left join forecasts
    on forecasts.area_level = monthly.area_level
    and forecasts.area_code = monthly.area_code
    and forecasts.forecast_month = monthly.month_start
