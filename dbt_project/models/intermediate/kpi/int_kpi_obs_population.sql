-- The population the recipient shares are divided by: rows without a subject, which add to the
-- denominator only (see int_kpi_observations), for EB_ANDEL_VUXNA and EB_ANDEL_LANGVARIGT
-- (adults) and EB_ANDEL_BARN (0–17). A row for every month of a reporting year (the fan-out
-- keeps the months its window needs), from int_population_reporting (31 December of the year
-- before).

with

population as (

    select * from {{ ref('int_population_reporting') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

population_rows as (

    select
        indicators.indicator_code,
        months.month_start as obs_month,
        population.district_code as origin_code,
        population.gender,
        case when indicators.indicator_code = 'EB_ANDEL_BARN'
            then population.population_children else population.population_adults
        end as denominator
    from population
    inner join months on months.year = population.reporting_year
    cross join (
        values ('EB_ANDEL_VUXNA'), ('EB_ANDEL_BARN'), ('EB_ANDEL_LANGVARIGT')
    ) as indicators (indicator_code)

)

select
    indicator_code,
    obs_month,
    'stadsdel_kod' as origin_level,
    origin_code,
    gender,
    cast(null as varchar) as subject_id,
    cast(null as varchar) as person_id,
    cast(0 as double) as numerator,
    cast(denominator as double) as denominator,
    cast(null as date) as eligible_from
from population_rows
