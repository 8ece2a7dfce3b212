-- Reporting periods the pages can list, in display order: T1, T2, VB and the months.

select
    cast(year as integer) as year,
    cast(period as varchar) as period,
    cast(period_type as varchar) as period_type,
    cast(first_month as date) as first_month,
    cast(last_month as date) as month_date,
    cast(n_months as integer) as n_months,
    cast(sort_order as integer) as sortering

from {{ ref('dim_period') }}
where (year, period) in (select distinct year, period from {{ ref('fct_indicator_value') }})
