-- What the pages show: every row of fct_indicator_value with Swedish names and a date for
-- charts, and nothing that rests on fewer than 5 people: value, previous-year value and status
-- are null where the row (or, for the previous-year value, that year's row) is suppressed.
-- No numerator, denominator or n_individuals leave the warehouse.

with

facts as (

    select * from {{ ref('fct_indicator_value') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

periods as (

    select * from {{ ref('dim_period') }}

)

select
    cast(facts.indicator_code as varchar) as indicator_code,
    cast(catalogue.namn as varchar) as indicator_name,
    cast(catalogue.enhet as varchar) as unit,
    cast(facts.area_level as varchar) as area_level,
    cast(facts.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(facts.year as integer) as year,
    cast(facts.period as varchar) as period,
    cast(periods.period_type as varchar) as period_type,
    cast(periods.last_month as date) as month_date,
    cast(facts.gender as varchar) as gender,
    cast(case when not facts.is_suppressed then facts.value end as double) as value,
    cast(
        case when not facts.is_suppressed and not coalesce(previous.is_suppressed, false)
            then facts.previous_year_value end
        as double
    ) as previous_year_value,
    cast(facts.target as double) as target,
    cast(facts.target_kf as double) as target_kf,
    cast(case when not facts.is_suppressed then facts.status end as varchar) as status,
    cast(facts.is_suppressed as boolean) as is_suppressed

from facts
inner join catalogue on catalogue.indicator_code = facts.indicator_code
inner join areas on areas.area_level = facts.area_level and areas.area_code = facts.area_code
inner join periods on periods.year = facts.year and periods.period = facts.period
left join facts as previous
    on previous.indicator_code = facts.indicator_code
    and previous.area_level = facts.area_level
    and previous.area_code = facts.area_code
    and previous.gender = facts.gender
    and previous.year = facts.year - 1
    and previous.period = case periods.period_type when 'tertial' then 'VB' else facts.period end
