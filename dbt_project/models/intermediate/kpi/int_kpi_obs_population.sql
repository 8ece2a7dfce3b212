-- The population the recipient shares are divided by: rows without a subject, which add to the
-- denominator only (see int_kpi_observations), for EB_ANDEL_VUXNA and EB_ANDEL_LANGVARIGT
-- (adults) and EB_ANDEL_BARN (0–17). A row for every month of a reporting year (the fan-out
-- keeps the months its window needs), from int_population_reporting (31 December of the year
-- before). And for the Kolada-comparable indicators (VB only): the population of 31 December
-- of the same year, one row per year recorded in December (no value until that year's
-- befolkning is delivered): all ages for KO_N31807, 18+ for KO_N31816, 0–17 for KO_U31803.

with

population as (

    select * from {{ ref('int_population_reporting') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

same_year_population as (

    select * from {{ ref('stg_statistics__population') }}

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

),

kolada_years as (

    select
        population_year,
        district_code,
        gender,
        sum(population) as population_total,
        coalesce(sum(population) filter (where age >= 18), 0) as population_adults,
        coalesce(sum(population) filter (where age < 18), 0) as population_children
    from same_year_population
    where population_year in (select distinct year from months)
    group by population_year, district_code, gender

),

kolada_rows as (

    select
        indicators.indicator_code,
        make_date(kolada_years.population_year, 12, 1) as obs_month,
        kolada_years.district_code as origin_code,
        kolada_years.gender,
        case indicators.indicator_code
            when 'KO_N31807' then kolada_years.population_total
            when 'KO_N31816' then kolada_years.population_adults
            when 'KO_U31803' then kolada_years.population_children
        end as denominator
    from kolada_years
    cross join (values ('KO_N31807'), ('KO_N31816'), ('KO_U31803')) as indicators (indicator_code)

),

all_rows as (

    select indicator_code, obs_month, origin_code, gender, denominator from population_rows
    union all
    select indicator_code, obs_month, origin_code, gender, denominator from kolada_rows

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
from all_rows
