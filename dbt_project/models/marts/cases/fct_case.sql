-- Cases: one row per case (ärende) of the latest snapshot — opened, closed, closing reason,
-- district, first change plan and latest revision, and the 90-day plan deadline.

select
    ---------- keys
    cast(case_id as varchar) as case_id,
    cast(household_id as varchar) as household_id,
    cast(district_code as varchar) as district_code,
    cast(closing_reason_code as varchar) as closing_reason_code,

    ---------- dates
    cast(opened_on as date) as opened_on,
    cast(closed_on as date) as closed_on,
    cast(date_trunc('month', opened_on) as date) as opened_month,
    cast(date_trunc('month', closed_on) as date) as closed_month,
    cast(plan_deadline_on as date) as plan_deadline_on,
    cast(first_plan_on as date) as first_plan_on,
    cast(last_revised_on as date) as last_revised_on,
    cast(snapshot_on as date) as snapshot_on,

    ---------- measures
    cast(plan_count as integer) as plan_count,
    cast(date_diff('day', opened_on, first_plan_on) as integer) as days_to_first_plan,
    cast(date_diff('day', opened_on, coalesce(closed_on, snapshot_on)) as integer) as days_open,

    ---------- flags
    cast(closed_on is null as boolean) as is_open,
    cast(is_closed_to_own_support as boolean) as is_closed_to_own_support,
    cast(has_plan_within_90_days as boolean) as has_plan_within_90_days,
    cast(is_closed_within_90_days as boolean) as is_closed_within_90_days

from {{ ref('int_cases') }}
