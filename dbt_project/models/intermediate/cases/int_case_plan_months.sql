-- EB_PLAN_AKTUELL's population: one row per case and month e (E = its last day) in which the
-- case is ongoing and was opened at least 90 days before E — opened + 90 days ≤ E and not closed
-- on or before E — with whether it has a current change plan: a plan drawn up or last revised
-- in [E − 4 months, E]. Months are those of dim_month (the calendar the KPI table reports on).

with

cases as (

    select * from {{ ref('stg_case_system__cases') }}

),

plans as (

    select * from {{ ref('stg_case_system__change_plans') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

case_months as (

    select
        cases.case_id,
        cases.district_code,
        months.month_start,
        months.month_end
    from cases
    inner join months
        on months.month_end >= cast(cases.opened_on + interval 90 day as date)
        and (cases.closed_on is null or cases.closed_on > months.month_end)

)

select
    case_months.case_id,
    case_months.district_code,
    case_months.month_start,
    case_months.month_end,
    coalesce(bool_or(plans.plan_id is not null), false) as has_current_plan

from case_months
left join plans
    on plans.case_id = case_months.case_id
    and (
        plans.drawn_up_on between cast(case_months.month_end - interval 4 month as date)
            and case_months.month_end
        or plans.last_revised_on between cast(case_months.month_end - interval 4 month as date)
            and case_months.month_end
    )
group by case_months.case_id, case_months.district_code, case_months.month_start,
    case_months.month_end
