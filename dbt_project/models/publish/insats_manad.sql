-- Measures per area, month and type, for the measures page: persons with an active measure,
-- persons whose measure started and persons whose measure ended that month. Months with
-- insatser data only (before the snapshot's extraction date). Each count resting on 1–4
-- persons is hidden (null); 0 is shown.

with

measure_months as (

    select * from {{ ref('fct_measure_month') }}
    where month_start in (
        select month_start from {{ ref('int_kpi_source_months') }} where source = 'insatser'
    )

),

rollup as (

    select * from {{ ref('int_area_rollup') }}
    where origin_level = 'stadsdel_kod'

),

types as (

    select * from {{ ref('dim_measure_type') }}

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
        measure_months.month_start,
        measure_months.measure_type_code,
        count(distinct measure_months.person_id) as active_persons,
        count(distinct measure_months.person_id) filter (where measure_months.is_start_month)
            as started_persons,
        count(distinct measure_months.person_id) filter (where measure_months.is_end_month)
            as ended_persons
    from measure_months
    inner join rollup on rollup.origin_code = measure_months.district_code
    group by all

),

scaffold as (

    select distinct area_level, area_code, month_start from counted

),

cells as (

    select
        scaffold.*,
        types.measure_type_code,
        types.measure_type_name,
        coalesce(counted.active_persons, 0) as active_persons,
        coalesce(counted.started_persons, 0) as started_persons,
        coalesce(counted.ended_persons, 0) as ended_persons
    from scaffold
    cross join types
    left join counted
        on counted.area_level = scaffold.area_level
        and counted.area_code = scaffold.area_code
        and counted.month_start = scaffold.month_start
        and counted.measure_type_code = types.measure_type_code

)

select
    cast(cells.area_level as varchar) as area_level,
    cast(cells.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(months.year as integer) as year,
    cast(months.period_code as varchar) as period,
    cast(cells.month_start as date) as month_date,
    cast(cells.measure_type_code as varchar) as insatstyp,
    cast(cells.measure_type_name as varchar) as insatstyp_namn,
    cast(case when not {{ is_small('cells.active_persons') }} then cells.active_persons end
        as bigint) as aktiva_personer,
    cast(case when not {{ is_small('cells.started_persons') }} then cells.started_persons end
        as bigint) as startade_personer,
    cast(case when not {{ is_small('cells.ended_persons') }} then cells.ended_persons end
        as bigint) as avslutade_personer

from cells
inner join areas on areas.area_level = cells.area_level and areas.area_code = cells.area_code
inner join months on months.month_start = cells.month_start
