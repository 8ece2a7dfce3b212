-- Measures star: one row per measure episode (insats) of the latest snapshot — type, dates,
-- outcome, the district that granted it, and the participant's age group at the start.

with

measures as (

    select * from {{ ref('stg_case_system__measures') }}

),

outcomes as (

    select * from {{ ref('dim_measure_outcome') }}

),

-- one row per age, so the join is an equality join
age_groups as (

    select age_group_code, unnest(range(age_from, age_to + 1)) as age
    from {{ ref('dim_age_group') }}

),

aged as (

    select
        measures.*,
        {{ age_at_month_end('birth_month', 'started_on') }} as age_at_start_month_end
    from measures

)

select
    ---------- keys
    cast(aged.measure_id as varchar) as measure_id,
    cast(aged.person_id as varchar) as person_id,
    cast(aged.district_code as varchar) as district_code,
    cast(aged.gender as varchar) as gender,
    cast(aged.measure_type_code as varchar) as measure_type_code,
    cast(aged.outcome_code as varchar) as outcome_code,
    cast(age_groups.age_group_code as varchar) as age_group_code,

    ---------- dates
    cast(aged.started_on as date) as started_on,
    cast(aged.ended_on as date) as ended_on,
    cast(date_trunc('month', aged.started_on) as date) as start_month,
    cast(date_trunc('month', aged.ended_on) as date) as end_month,

    ---------- measures
    cast(date_diff('day', aged.started_on, aged.ended_on) + 1 as integer) as duration_days,
    cast(aged.ended_on is null as boolean) as is_ongoing,
    cast(coalesce(outcomes.is_self_support, false) as boolean) as is_self_support

from aged
left join outcomes on outcomes.outcome_code = aged.outcome_code
left join age_groups on age_groups.age = aged.age_at_start_month_end
