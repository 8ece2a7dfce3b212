-- KPI observations counted per recipient (person) and month, and the population they are
-- divided by (rows without a subject: they add to the denominator only).
--   EB_ANDEL_VUXNA: adult recipient-months ÷ (adult population × months in the period).

with

recipients as (

    select * from {{ ref('int_recipient_months') }}

),

population as (

    select * from {{ ref('int_population_reporting') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

adult_recipients as (

    select
        'EB_ANDEL_VUXNA' as indicator_code,
        benefit_month as obs_month,
        'stadsdel_kod' as origin_level,
        district_code as origin_code,
        gender,
        person_id as subject_id,
        person_id,
        cast(1 as double) as numerator,
        cast(0 as double) as denominator,
        cast(null as date) as eligible_from
    from recipients
    where is_adult

),

adult_population as (

    select
        'EB_ANDEL_VUXNA' as indicator_code,
        months.month_start as obs_month,
        'stadsdel_kod' as origin_level,
        population.district_code as origin_code,
        population.gender,
        cast(null as varchar) as subject_id,
        cast(null as varchar) as person_id,
        cast(0 as double) as numerator,
        cast(population.population_adults as double) as denominator,
        cast(null as date) as eligible_from
    from population
    inner join months on months.year = population.reporting_year

)

select * from adult_recipients
union all
select * from adult_population
