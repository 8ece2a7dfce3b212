-- Bidragshushåll per area, month and household type (Socialstyrelsen's codes), for the
-- household page. Every type has a row in every area-month with households (0 when none).
-- Counts resting on 1–4 households are hidden, and when one type in an area-month is hidden the
-- next smallest is hidden too (the month's total is published as EB_HUSHALL).

with

households as (

    select * from {{ ref('fct_household_month') }}
    where is_recipient_household
        and benefit_month in (
            select month_start from {{ ref('int_kpi_source_months') }}
            where source = 'utbetalningar'
        )

),

rollup as (

    select * from {{ ref('int_area_rollup') }}
    where origin_level = 'stadsdel_kod'

),

types as (

    select * from {{ ref('dim_household_type') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

counted as (

    select
        rollup.area_level,
        rollup.area_code,
        households.benefit_month,
        households.household_type_code,
        count(*) as households
    from households
    inner join rollup on rollup.origin_code = households.district_code
    group by all

),

scaffold as (

    select distinct area_level, area_code, benefit_month from counted

),

cells as (

    select
        scaffold.area_level,
        scaffold.area_code,
        scaffold.benefit_month,
        types.household_type_code,
        types.household_type_name,
        coalesce(counted.households, 0) as households
    from scaffold
    cross join types
    left join counted
        on counted.area_level = scaffold.area_level
        and counted.area_code = scaffold.area_code
        and counted.benefit_month = scaffold.benefit_month
        and counted.household_type_code = types.household_type_code

),

suppressed as (

    select
        cells.*,
        {{ complementary_suppression(
            'households', 'area_level, area_code, benefit_month', 'household_type_code'
        ) }} as is_suppressed
    from cells

)

select
    cast(suppressed.area_level as varchar) as area_level,
    cast(suppressed.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(months.year as integer) as year,
    cast(months.period_code as varchar) as period,
    cast(suppressed.benefit_month as date) as month_date,
    cast(suppressed.household_type_code as integer) as hushallstyp_kod,
    cast(suppressed.household_type_name as varchar) as hushallstyp_namn,
    cast(case when not suppressed.is_suppressed then suppressed.households end as bigint)
        as antal_hushall,
    cast(suppressed.is_suppressed as boolean) as is_suppressed

from suppressed
inner join areas
    on areas.area_level = suppressed.area_level and areas.area_code = suppressed.area_code
inner join months on months.month_start = suppressed.benefit_month
