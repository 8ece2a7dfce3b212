-- Time on assistance of the households that left (EB_UTFLODE), for the flows page: per area,
-- year and length of the ended run (fct_household_flow, leaving rows), in the months of the
-- year whose flows are reported (int_kpi_available_periods: the 12 months before have data).
-- Every group has a row in every area-year with leavers (0 when none). antal_hushall is hidden
-- for 1–4 households and, when only one group of an area-year is that small, also for the next
-- smallest non-zero one (complementary suppression: the monthly totals are published). A run
-- reaching back to the first month with data is counted with its known length.

with

leavers as (

    select * from {{ ref('fct_household_flow') }}
    where flow_code = 'leaving'

),

reported_months as (

    select periods.first_month as month_start
    from {{ ref('int_kpi_available_periods') }} as available
    inner join {{ ref('dim_period') }} as periods
        on periods.year = available.year and periods.period = available.period
    where available.indicator_code = 'EB_UTFLODE' and periods.period_type = 'manad'

),

rollup as (

    select * from {{ ref('int_area_rollup') }}
    where origin_level = 'stadsdel_kod'

),

areas as (

    select * from {{ ref('dim_area') }}

),

groups (group_code, group_name, months_from, months_to) as (

    values
        (1, '1–3 månader', 1, 3),
        (2, '4–6 månader', 4, 6),
        (3, '7–12 månader', 7, 12),
        (4, '13–24 månader', 13, 24),
        (5, 'Mer än 24 månader', 25, 1000000)

),

counted as (

    select
        rollup.area_level,
        rollup.area_code,
        year(leavers.benefit_month) as year,
        groups.group_code,
        count(*) as households
    from leavers
    inner join reported_months on reported_months.month_start = leavers.benefit_month
    inner join rollup on rollup.origin_code = leavers.district_code
    inner join groups on leavers.run_months between groups.months_from and groups.months_to
    group by all

),

cells as (

    select
        scaffold.area_level,
        scaffold.area_code,
        scaffold.year,
        groups.group_code,
        groups.group_name,
        coalesce(counted.households, 0) as households
    from (select distinct area_level, area_code, year from counted) as scaffold
    cross join groups
    left join counted
        on counted.area_level = scaffold.area_level
        and counted.area_code = scaffold.area_code
        and counted.year = scaffold.year
        and counted.group_code = groups.group_code

),

suppressed as (

    select
        cells.*,
        {{ complementary_suppression('households', 'area_level, area_code, year', 'group_code') }}
            as is_suppressed
    from cells

)

select
    cast(suppressed.area_level as varchar) as area_level,
    cast(suppressed.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(suppressed.year as integer) as year,
    cast(suppressed.group_code as integer) as tid_grupp,
    cast(suppressed.group_name as varchar) as tid_grupp_namn,
    cast(case when not suppressed.is_suppressed then suppressed.households end as bigint)
        as antal_hushall,
    cast(suppressed.is_suppressed as boolean) as is_suppressed
from suppressed
inner join areas
    on areas.area_level = suppressed.area_level and areas.area_code = suppressed.area_code
