-- Staff per unit (and the whole city) and month, for the staff page: employees in the absence
-- export, full-time equivalents (sum of employment rates), scheduled hours and the month's sick
-- leave shares (all days, days 1–14). The 12-month sick leave is the KPI PE_SJUKFRANVARO.
-- Everything about a unit-month with 1–4 employees is hidden (is_suppressed).

with

staff_months as (

    select * from {{ ref('fct_staff_month') }}

),

rollup as (

    select * from {{ ref('int_area_rollup') }}
    where origin_level = 'enhet_kod'

),

areas as (

    select * from {{ ref('dim_area') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

aggregated as (

    select
        rollup.area_level,
        rollup.area_code,
        staff_months.month_start,
        count(distinct staff_months.employee_id) as employees,
        sum(staff_months.employment_rate_pct) / 100.0 as full_time_equivalents,
        sum(staff_months.scheduled_hours) as scheduled_hours,
        sum(staff_months.sick_hours) as sick_hours,
        sum(staff_months.sick_day1_14_hours) as sick_day1_14_hours
    from staff_months
    inner join rollup on rollup.origin_code = staff_months.unit_code
    group by all

),

flagged as (

    select aggregated.*, {{ is_small('employees') }} as is_suppressed
    from aggregated

)

select
    cast(flagged.area_level as varchar) as area_level,
    cast(flagged.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(months.year as integer) as year,
    cast(months.period_code as varchar) as period,
    cast(flagged.month_start as date) as month_date,
    cast(case when not is_suppressed then employees end as bigint) as antal_anstallda,
    cast(case when not is_suppressed then full_time_equivalents end as double) as arsarbetare,
    cast(case when not is_suppressed then scheduled_hours end as double) as schemalagda_timmar,
    cast(
        case when not is_suppressed then sick_hours / nullif(scheduled_hours, 0) end as double
    ) as sjukfranvaro_andel,
    cast(
        case when not is_suppressed then sick_day1_14_hours / nullif(scheduled_hours, 0) end
        as double
    ) as sjukfranvaro_dag1_14_andel,
    cast(is_suppressed as boolean) as is_suppressed

from flagged
inner join areas on areas.area_level = flagged.area_level and areas.area_code = flagged.area_code
inner join months on months.month_start = flagged.month_start
