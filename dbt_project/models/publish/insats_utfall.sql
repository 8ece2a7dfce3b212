-- Ended measures per area, year, type and outcome, for the measures page: persons whose
-- measure of the type ended in the year with the outcome (months with insatser data only; the
-- current year so far, see `manader`), and their share of the type's ended persons. Counts on
-- 1–4 persons are hidden, with complementary suppression within area × year × type.

with

episodes as (

    select * from {{ ref('fct_measure_episode') }}
    where end_month in (
        select month_start from {{ ref('int_kpi_source_months') }} where source = 'insatser'
    )

),

months_with_data as (

    select year(month_start) as year, count(*) as months
    from {{ ref('int_kpi_source_months') }}
    where source = 'insatser'
    group by all

),

rollup as (

    select * from {{ ref('int_area_rollup') }}
    where origin_level = 'stadsdel_kod'

),

types as (

    select * from {{ ref('dim_measure_type') }}

),

outcomes as (

    select * from {{ ref('dim_measure_outcome') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

counted as (

    select
        rollup.area_level,
        rollup.area_code,
        year(episodes.end_month) as year,
        episodes.measure_type_code,
        episodes.outcome_code,
        count(distinct episodes.person_id) as persons
    from episodes
    inner join rollup on rollup.origin_code = episodes.district_code
    group by all

),

scaffold as (

    select distinct area_level, area_code, year, measure_type_code from counted

),

cells as (

    select
        scaffold.*,
        outcomes.outcome_code,
        outcomes.outcome_name,
        coalesce(counted.persons, 0) as persons,
        sum(coalesce(counted.persons, 0)) over (
            partition by scaffold.area_level, scaffold.area_code, scaffold.year,
                scaffold.measure_type_code
        ) as type_persons
    from scaffold
    cross join outcomes
    left join counted
        on counted.area_level = scaffold.area_level
        and counted.area_code = scaffold.area_code
        and counted.year = scaffold.year
        and counted.measure_type_code = scaffold.measure_type_code
        and counted.outcome_code = outcomes.outcome_code

),

suppressed as (

    select
        cells.*,
        {{ complementary_suppression(
            'persons', 'area_level, area_code, year, measure_type_code', 'outcome_code'
        ) }} as is_suppressed
    from cells

)

select
    cast(suppressed.area_level as varchar) as area_level,
    cast(suppressed.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(suppressed.year as integer) as year,
    cast(months_with_data.months as integer) as manader,
    cast(suppressed.measure_type_code as varchar) as insatstyp,
    cast(types.measure_type_name as varchar) as insatstyp_namn,
    cast(suppressed.outcome_code as varchar) as utfall_kod,
    cast(suppressed.outcome_name as varchar) as utfall_namn,
    cast(case when not suppressed.is_suppressed then suppressed.persons end as bigint)
        as antal_personer,
    cast(
        case when not suppressed.is_suppressed and not {{ is_small('suppressed.type_persons') }}
            then suppressed.persons / nullif(suppressed.type_persons, 0) end
        as double
    ) as andel,
    cast(suppressed.is_suppressed as boolean) as is_suppressed

from suppressed
inner join areas
    on areas.area_level = suppressed.area_level and areas.area_code = suppressed.area_code
inner join types on types.measure_type_code = suppressed.measure_type_code
inner join months_with_data on months_with_data.year = suppressed.year
