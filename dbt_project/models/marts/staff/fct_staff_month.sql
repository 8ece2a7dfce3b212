-- Staff star: one row per employee, unit and month of the absence export — scheduled hours,
-- sick hours, day 1–14 sick hours, and the employment rate of the employment covering the month.

select
    cast(employee_id as varchar) as employee_id,
    cast(unit_code as varchar) as unit_code,
    cast(month_start as date) as month_start,
    cast(gender as varchar) as gender,
    cast(scheduled_hours as decimal(18, 2)) as scheduled_hours,
    cast(sick_hours as decimal(18, 2)) as sick_hours,
    cast(sick_day1_14_hours as decimal(18, 2)) as sick_day1_14_hours,
    cast(employment_rate_pct as decimal(9, 2)) as employment_rate_pct

from {{ ref('int_staff_months') }}
