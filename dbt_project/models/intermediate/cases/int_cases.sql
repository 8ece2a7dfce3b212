-- One row per case (ärende) of the latest snapshot with what its change plans say about it:
-- the first plan, the latest revision, and whether a plan was drawn up within 90 days of the
-- case being opened (`upprättad` on or before opened + 90 days).

with

cases as (

    select * from {{ ref('stg_case_system__cases') }}

),

plans as (

    select * from {{ ref('stg_case_system__change_plans') }}

),

closing_reasons as (

    select * from {{ ref('ref_avslutsorsak') }}

),

snapshot as (

    select max(key_date) as extracted_on
    from {{ ref('stg_loader__deliveries') }}
    where export_name = 'arenden' and is_current

),

plan_summary as (

    select
        plans.case_id,
        count(*) as plan_count,
        min(plans.drawn_up_on) as first_plan_on,
        max(plans.last_revised_on) as last_revised_on,
        bool_or(plans.drawn_up_on <= cast(cases.opened_on + interval 90 day as date))
            as has_plan_within_90_days
    from plans
    inner join cases on cases.case_id = plans.case_id
    group by plans.case_id

)

select
    cases.case_id,
    cases.household_id,
    cases.district_code,
    cases.opened_on,
    cases.closed_on,
    cases.closing_reason_code,
    coalesce(closing_reasons.egen_forsorjning, false) as is_closed_to_own_support,
    coalesce(cases.closing_reason_code = 'OKANT', false) as is_closed_reason_unknown,
    cast(cases.opened_on + interval 90 day as date) as plan_deadline_on,
    cases.closed_on is not null
        and cases.closed_on <= cast(cases.opened_on + interval 90 day as date)
        as is_closed_within_90_days,
    coalesce(plan_summary.plan_count, 0) as plan_count,
    plan_summary.first_plan_on,
    plan_summary.last_revised_on,
    coalesce(plan_summary.has_plan_within_90_days, false) as has_plan_within_90_days,
    snapshot.extracted_on as snapshot_on

from cases
cross join snapshot
left join plan_summary on plan_summary.case_id = cases.case_id
left join closing_reasons on closing_reasons.kod = cases.closing_reason_code
