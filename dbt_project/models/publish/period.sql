-- Reporting periods the pages can list, in display order: T1, T2, VB and the months, with the
-- one rule every page opens on (Metod, "Vilken period sidorna visar först"):
--   is_complete  every month of the period is delivered (utbetalningar and hushallsmedlemmar,
--                int_kpi_source_months) — a tertial when all its months are, VB when December
--                is; a yearly file (surveys, budget) does not make a year complete
--   is_default   the latest complete tertial (the latest tertial at all while none is complete)

with

periods as (

    select * from {{ ref('dim_period') }}
    where (year, period) in (select distinct year, period from {{ ref('fct_indicator_value') }})

),

delivered as (

    select month_start from {{ ref('int_kpi_source_months') }}
    where source = 'utbetalningar'

),

completeness as (

    select
        periods.year,
        periods.period,
        count(delivered.month_start) = periods.n_months as is_complete
    from periods
    left join delivered
        on delivered.month_start between periods.first_month and periods.last_month
    group by periods.year, periods.period, periods.n_months

),

ranked as (

    select
        periods.*,
        completeness.is_complete,
        -- complete tertials first, then the latest
        row_number() over (
            order by periods.period_type = 'tertial' desc, completeness.is_complete desc,
                periods.year desc, periods.sort_order desc
        ) as default_rank
    from periods
    inner join completeness using (year, period)

)

select
    cast(year as integer) as year,
    cast(period as varchar) as period,
    cast(period_type as varchar) as period_type,
    cast(first_month as date) as first_month,
    cast(last_month as date) as month_date,
    cast(n_months as integer) as n_months,
    cast(sort_order as integer) as sortering,
    cast(is_complete as boolean) as is_complete,
    cast(default_rank = 1 and period_type = 'tertial' as boolean) as is_default

from ranked
