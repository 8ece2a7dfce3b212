-- What the KPI cells of one indicator and year are computed from, as a fingerprint: the
-- year's reported periods (with their months), the observations keyed to the year (for
-- trailing-12 windows also the year before), the area roll-up and the catalogue row.
-- int_kpi_period_cells keeps the cells of an (indicator, year) whose fingerprint is unchanged
-- and recomputes the others, so a new month recomputes the current year, not ten.
-- Each part is a multiset hash (row count and the sum of the rows' 64-bit hashes): it does not
-- depend on row order, and any changed, added or removed row changes it. The observations' part
-- per indicator and year comes from int_kpi_observation_years (one pass over the view).
-- Only the (indicator, year) pairs with observations keyed to them: a pair without any has no
-- cells, and with a row here it would be "without cells" after every build — computed again by
-- each incremental one, its indicator's observations read from the year before (measured on the
-- national profile, whose first year 2016 has two months: EK_PROGNOS and EK_PROGNOS_AVVIKELSE
-- of 2016, with no forecast, made every new month read the budget part's ten years).

with

catalogue as (

    select * from {{ ref('indicators') }}

),

available as (

    select * from {{ ref('int_kpi_available_periods') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

-- the parts of an indicator's observations added up per year
observation_years as (

    select
        indicator_code,
        obs_year,
        sum(n_observations) as n_observations,
        sum(observations_hash) as observations_hash
    from {{ ref('int_kpi_observation_years') }}
    group by indicator_code, obs_year

),

rollup as (

    select * from {{ ref('int_area_rollup') }}

),

reported as (

    select
        available.indicator_code,
        available.year,
        count(*) as n_periods,
        sum(hash(available.period, periods.first_month, periods.last_month)::hugeint)
            as periods_hash
    from available
    inner join periods on periods.year = available.year and periods.period = available.period
    group by all

),

rollup_hash as (

    select
        count(*) as n_rollup,
        sum(hash(origin_level, origin_code, area_level, area_code)::hugeint) as rollup_hash
    from rollup

)

select
    cast(reported.indicator_code as varchar) as indicator_code,
    cast(reported.year as integer) as year,
    {{ md5_of_parts([
        'reported.n_periods', 'reported.periods_hash',
        'same_year.n_observations', 'same_year.observations_hash',
        'year_before.n_observations', 'year_before.observations_hash',
        'rollup_hash.n_rollup', 'rollup_hash.rollup_hash',
        'catalogue.time_window', 'catalogue.subject_agg', 'catalogue.kon_uppdelad'
    ]) }} as input_fingerprint
from reported
inner join catalogue on catalogue.indicator_code = reported.indicator_code
left join observation_years as same_year
    on same_year.indicator_code = reported.indicator_code
    and same_year.obs_year = reported.year
left join observation_years as year_before
    on catalogue.time_window = 'trailing_12'
    and year_before.indicator_code = reported.indicator_code
    and year_before.obs_year = reported.year - 1
cross join rollup_hash
where coalesce(same_year.n_observations, 0) + coalesce(year_before.n_observations, 0) > 0
