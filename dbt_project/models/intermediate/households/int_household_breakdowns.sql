-- Bidragshushåll per area, month and category, for the household page's two breakdowns:
--   hushallstyp          Socialstyrelsen's household type (fct_household_month)
--   forsorjningshinder   the group of the main försörjningshinder
-- Months with utbetalningar data only. Every category of a breakdown has a row in every
-- area-month with households (0 when none). is_suppressed: 1–4 households, and — when only one
-- category of an area-month is that small — also the next smallest non-zero one (the total is
-- published as EB_HUSHALL, so a single hidden cell could be recovered by subtraction).
-- Every row rests on its own area-month only: incremental by month (macros/incremental.sql), a
-- rebuild writes the months from rebuild_from on (national profile: 5,3 s of an incremental
-- refresh when it was rebuilt whole).

{{ month_incremental_config('benefit_month') }}

with

households as (

    select * from {{ ref('fct_household_month') }}
    where is_recipient_household
        and {{ since_rebuild('benefit_month') }}
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

categories as (

    select
        'hushallstyp' as breakdown,
        cast(household_type_code as varchar) as category_code,
        household_type_name as category_name,
        lpad(cast(household_type_code as varchar), 2, '0') as sort_key
    from {{ ref('dim_household_type') }}

    union all

    select 'forsorjningshinder', barrier_group, barrier_group, min(barrier_code)
    from barriers
    group by barrier_group

),

classified as (

    select
        'hushallstyp' as breakdown,
        district_code,
        benefit_month,
        cast(household_type_code as varchar) as category_code
    from households

    union all

    select 'forsorjningshinder', households.district_code, households.benefit_month,
        barriers.barrier_group
    from households
    inner join barriers on barriers.barrier_code = households.barrier_code

),

counted as (

    select
        classified.breakdown,
        rollup.area_level,
        rollup.area_code,
        classified.benefit_month,
        classified.category_code,
        count(*) as households
    from classified
    inner join rollup on rollup.origin_code = classified.district_code
    group by all

),

cells as (

    select
        scaffold.breakdown,
        scaffold.area_level,
        scaffold.area_code,
        scaffold.benefit_month,
        categories.category_code,
        categories.category_name,
        categories.sort_key,
        coalesce(counted.households, 0) as households
    from (select distinct breakdown, area_level, area_code, benefit_month from counted) as scaffold
    inner join categories on categories.breakdown = scaffold.breakdown
    left join counted
        on counted.breakdown = scaffold.breakdown
        and counted.area_level = scaffold.area_level
        and counted.area_code = scaffold.area_code
        and counted.benefit_month = scaffold.benefit_month
        and counted.category_code = categories.category_code

)

select
    cells.*,
    {{ complementary_suppression(
        'households', 'breakdown, area_level, area_code, benefit_month', 'category_code'
    ) }} as is_suppressed

from cells
