-- Reporting periods per year: T1 (Jan–Apr), T2 (Jan–Aug), VB (Jan–Dec) and the months M01–M12.
-- `first_month`/`last_month` bound the period; `n_months` divides monthly averages.

with

years as (

    select distinct year from {{ ref('dim_month') }}

),

tertials as (

    select
        years.year,
        tertial.period,
        'tertial' as period_type,
        make_date(years.year, 1, 1) as first_month,
        make_date(years.year, tertial.last_month_number, 1) as last_month,
        tertial.last_month_number as n_months,
        tertial.sort_order
    from years
    cross join (
        values ('T1', 4, 13), ('T2', 8, 14), ('VB', 12, 15)
    ) as tertial (period, last_month_number, sort_order)

),

months as (

    select
        year,
        period_code as period,
        'manad' as period_type,
        month_start as first_month,
        month_start as last_month,
        1 as n_months,
        month_number as sort_order
    from {{ ref('dim_month') }}

),

unioned as (

    select * from tertials
    union all
    select * from months

)

select
    cast(year as integer) as year,
    cast(period as varchar) as period,
    cast(period_type as varchar) as period_type,
    cast(first_month as date) as first_month,
    cast(last_month as date) as last_month,
    cast(last_day(last_month) as date) as period_end_date,
    cast(n_months as integer) as n_months,
    cast(sort_order as integer) as sort_order

from unioned
