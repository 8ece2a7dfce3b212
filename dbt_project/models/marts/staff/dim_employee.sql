-- Employees: one row per pseudonymised HR number (never the number itself) seen in the HR
-- snapshot or the absence export, with gender and the latest employment's unit, title and rate.

with

employments as (

    select * from {{ ref('stg_hr__employments') }}

),

absence as (

    select * from {{ ref('stg_hr__absence') }}

),

from_employments as (

    select
        employee_id,
        arg_max(unit_code, employed_on) as unit_code,
        arg_max(gender, employed_on) as gender,
        arg_max(job_title, employed_on) as job_title,
        arg_max(employment_rate_pct, employed_on) as employment_rate_pct,
        min(employed_on) as first_employed_on,
        case when bool_or(ended_on is null) then null else max(ended_on) end as ended_on,
        count(*) as employment_count
    from employments
    group by employee_id

),

from_absence as (

    select
        employee_id,
        arg_max(unit_code, month_start) as unit_code,
        arg_max(gender, month_start) as gender
    from absence
    group by employee_id

)

select
    cast(coalesce(from_employments.employee_id, from_absence.employee_id) as varchar) as employee_id,
    cast(coalesce(from_employments.unit_code, from_absence.unit_code) as varchar) as unit_code,
    cast(coalesce(from_employments.gender, from_absence.gender) as varchar) as gender,
    cast(from_employments.job_title as varchar) as job_title,
    cast(from_employments.employment_rate_pct as decimal(9, 2)) as employment_rate_pct,
    cast(from_employments.first_employed_on as date) as first_employed_on,
    cast(from_employments.ended_on as date) as ended_on,
    cast(coalesce(from_employments.employment_count, 0) as integer) as employment_count,
    cast(from_employments.employee_id is not null as boolean) as in_hr_snapshot

from from_employments
full outer join from_absence on from_absence.employee_id = from_employments.employee_id
