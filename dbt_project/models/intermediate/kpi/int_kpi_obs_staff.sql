-- KPI observations from the absence export, per employee, unit and month (origin enhet_kod);
-- window trailing_12 sums the 12 months ending at the period's last month; n = employees.
--   PE_SJUKFRANVARO       sick hours ÷ scheduled hours
--   PE_SJUKFRANVARO_1_14  day 1–14 sick hours ÷ scheduled hours

with

absence as (

    select * from {{ ref('stg_hr__absence') }}

),

rows as (

    select
        'PE_SJUKFRANVARO' as indicator_code,
        employee_id,
        unit_code,
        month_start,
        gender,
        sick_hours as numerator,
        scheduled_hours as denominator
    from absence

    union all

    select
        'PE_SJUKFRANVARO_1_14',
        employee_id,
        unit_code,
        month_start,
        gender,
        sick_day1_14_hours,
        scheduled_hours
    from absence

)

select
    indicator_code,
    month_start as obs_month,
    'enhet_kod' as origin_level,
    unit_code as origin_code,
    gender,
    employee_id as subject_id,
    employee_id as person_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(null as date) as eligible_from

from rows
