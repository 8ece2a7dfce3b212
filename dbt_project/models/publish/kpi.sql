-- What the pages show: every row of fct_indicator_value with Swedish names and a date for
-- charts, and nothing that rests on fewer than 5 people or could be computed from what is shown:
-- value and status are null where int_kpi_disclosure hides the value (fewer than 5, or hidden
-- as the complement of another hidden cell of an additive group), the previous-year value where
-- it hides that. No numerator, denominator or n_individuals leave the warehouse.

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

),

disclosure as (

    select * from {{ ref('int_kpi_disclosure') }}

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
    cast(case when disclosure.suppression_reason is null then facts.value end as double) as value,
    cast(
        case when disclosure.previous_year_suppression_reason is null
            then facts.previous_year_value end
        as double
    ) as previous_year_value,
    cast(facts.target as double) as target,
    cast(facts.target_kf as double) as target_kf,
    cast(case when disclosure.suppression_reason is null then facts.status end as varchar) as status,
    cast(disclosure.suppression_reason is not null as boolean) as is_suppressed,
    cast(disclosure.suppression_reason as varchar) as suppression_reason,
    cast(disclosure.previous_year_suppression_reason as varchar) as previous_year_suppression_reason

from facts
inner join catalogue on catalogue.indicator_code = facts.indicator_code
inner join areas on areas.area_level = facts.area_level and areas.area_code = facts.area_code
inner join periods on periods.year = facts.year and periods.period = facts.period
inner join disclosure
    on disclosure.indicator_code = facts.indicator_code
    and disclosure.area_level = facts.area_level
    and disclosure.area_code = facts.area_code
    and disclosure.year = facts.year
    and disclosure.period = facts.period
    and disclosure.gender = facts.gender
