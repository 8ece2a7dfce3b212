-- The (indicator, year, period) combinations that are reported: the indicator's periodicity
-- allows the period (tertial: T1, T2, VB and months; ar: VB only) and its source has data for
-- every month the period needs — the period's own months, and for windows that look back
-- (trailing 12 months) the `lookback_months` before its last month as well. For windows over the
-- period's months (time_window 'period') every month of the period looks back: the
-- `lookback_months` before its first month (the flows: a month is reported only once the 12
-- months before it have data).

with

catalogue as (

    select * from {{ ref('indicators') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

source_months as (

    select * from {{ ref('int_kpi_source_months') }}

),

candidates as (

    select
        catalogue.indicator_code,
        catalogue.source,
        periods.year,
        periods.period,
        cast(
            case catalogue.time_window
                when 'period' then periods.first_month - to_months(catalogue.lookback_months)
                else least(
                    periods.first_month, periods.last_month - to_months(catalogue.lookback_months)
                )
            end as date
        ) as required_from,
        periods.last_month as required_to
    from catalogue
    inner join periods
        on catalogue.periodicitet = 'tertial' or periods.period = 'VB'

)

select
    candidates.indicator_code,
    candidates.year,
    candidates.period

from candidates
left join source_months
    on source_months.source = candidates.source
    and source_months.month_start between candidates.required_from and candidates.required_to
group by candidates.indicator_code, candidates.year, candidates.period,
    candidates.required_from, candidates.required_to
having count(source_months.month_start)
    = date_diff('month', candidates.required_from, candidates.required_to) + 1
