-- KPI observations counted per recipient (person) and month, and the population they are
-- divided by (rows without a subject: they add to the denominator only).
--   EB_ANDEL_VUXNA       adult recipient-months ÷ (adult population × months in the period)
--   EB_ANDEL_BARN        child recipient-months ÷ (population 0–17 × months in the period)
--   EB_ANDEL_LANGVARIGT  at the period's last month e: adults with ≥ 10 recipient months in the
--                        12 ending at e (area and gender of their latest recipient month in the
--                        window) ÷ adult population (window period_end: only month e counts)
-- Population rows exist for every month of a reporting year (the fan-out keeps the months its
-- window needs), from int_population_reporting (31 December of the year before).

with

recipients as (

    select * from {{ ref('int_recipient_months') }}

),

long_term as (

    select * from {{ ref('int_long_term_recipients') }}

),

population as (

    select * from {{ ref('int_population_reporting') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

recipient_rows as (

    select
        case when is_adult then 'EB_ANDEL_VUXNA' else 'EB_ANDEL_BARN' end as indicator_code,
        benefit_month as obs_month,
        district_code as origin_code,
        gender,
        person_id,
        1 as numerator,
        cast(null as double) as denominator
    from recipients

    union all

    select
        'EB_ANDEL_LANGVARIGT',
        window_end_month,
        district_code,
        gender,
        person_id,
        1,
        null
    from long_term

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
    person_id as subject_id,
    person_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(null as date) as eligible_from
from recipient_rows

union all

select
    indicator_code,
    obs_month,
    'stadsdel_kod',
    origin_code,
    gender,
    cast(null as varchar),
    cast(null as varchar),
    cast(0 as double),
    cast(denominator as double),
    cast(null as date)
from population_rows
