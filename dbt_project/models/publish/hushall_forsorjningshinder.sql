-- Bidragshushåll per area, month and group of main försörjningshinder, for the household page.
-- Every group has a row in every area-month with households (0 when none). Counts resting on
-- 1–4 households are hidden, with complementary suppression as in hushall_typ.

with

households as (

    select * from {{ ref('fct_household_month') }}
    where is_recipient_household
        and benefit_month in (
            select month_start from {{ ref('int_kpi_source_months') }}
            where source = 'utbetalningar'
        )

),

barriers as (

    select * from {{ ref('dim_barrier') }}

),

rollup as (

    select * from {{ ref('int_area_rollup') }}
    where origin_level = 'stadsdel_kod'

),

areas as (

    select * from {{ ref('dim_area') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

groups as (

    select barrier_group, min(barrier_code) as first_code
    from barriers
    group by barrier_group

),

counted as (

    select
        rollup.area_level,
        rollup.area_code,
        households.benefit_month,
        barriers.barrier_group,
        count(*) as households
    from households
    inner join barriers on barriers.barrier_code = households.barrier_code
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
        groups.barrier_group,
        groups.first_code,
        coalesce(counted.households, 0) as households
    from scaffold
    cross join groups
    left join counted
        on counted.area_level = scaffold.area_level
        and counted.area_code = scaffold.area_code
        and counted.benefit_month = scaffold.benefit_month
        and counted.barrier_group = groups.barrier_group

),

suppressed as (

    select
        cells.*,
        {{ complementary_suppression(
            'households', 'area_level, area_code, benefit_month', 'barrier_group'
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
    cast(suppressed.barrier_group as varchar) as forsorjningshinder_grupp,
    cast(suppressed.first_code as varchar) as sortering_kod,
    cast(case when not suppressed.is_suppressed then suppressed.households end as bigint)
        as antal_hushall,
    cast(suppressed.is_suppressed as boolean) as is_suppressed

from suppressed
inner join areas
    on areas.area_level = suppressed.area_level and areas.area_code = suppressed.area_code
inner join months on months.month_start = suppressed.benefit_month
