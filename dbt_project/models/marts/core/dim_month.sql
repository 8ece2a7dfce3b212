-- Calendar months covering the loaded data — the bidragsmånader and every month a KPI source has
-- data for — in whole years, plus the year before the first one so that trailing-12-month
-- windows and previous-year values have months to refer to.
-- Tertial membership is cumulative, as the city reports: T1 = Jan–Apr, T2 = Jan–Aug, VB = Jan–Dec;
-- `tertial` is the (non-cumulative) third of the year the month lies in.

with

data_months as (

    select benefit_month as month_start from {{ ref('stg_case_system__payments') }}
    union all
    select month_start from {{ ref('int_kpi_source_months') }}

),

bounds as (

    select
        cast(date_trunc('year', min(month_start)) - interval 1 year as date) as first_month,
        cast(date_trunc('year', max(month_start)) + interval 11 month as date) as last_month
    from data_months

),

months as (

    select cast(generated.range as date) as month_start
    from bounds,
        range(bounds.first_month, bounds.last_month + interval 1 month, interval 1 month) as generated

)

select
    month_start,
    cast(last_day(month_start) as date) as month_end,
    cast(year(month_start) as integer) as year,
    cast(month(month_start) as integer) as month_number,
    cast(year(month_start) * 12 + month(month_start) - 1 as integer) as month_index,
    strftime(month_start, '%Y-%m') as year_month,
    [
        'januari', 'februari', 'mars', 'april', 'maj', 'juni',
        'juli', 'augusti', 'september', 'oktober', 'november', 'december'
    ][month(month_start)] as month_name,
    'M' || lpad(cast(month(month_start) as varchar), 2, '0') as period_code,
    cast((month(month_start) - 1) // 4 + 1 as integer) as tertial,
    month(month_start) <= 4 as in_t1,
    month(month_start) <= 8 as in_t2,
    true as in_vb

from months
