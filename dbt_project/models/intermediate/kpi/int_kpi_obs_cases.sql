-- KPI observations counted per case (ärende), in the case's district; n_individuals = cases.
--   EB_AVSLUT_EGEN   at the month of closing: 1 ÷ 1 when closed with a reason that counts as own
--                    support (ARBETE, STUDIER — ref_avslutsorsak.egen_forsorjning), else 0 ÷ 1
--   EB_AVSLUT_OKANT  the same with reason OKANT
--   EB_PLAN_3MAN     at the month of opening, for cases not closed on or before opened + 90
--                    days: plan drawn up by then ? 1 : 0 ÷ 1, eligible only in periods ending on
--                    or after opened + 90 days (the deadline must have passed)
--   EB_PLAN_AKTUELL  at every month e (window period_end) the case is open at its last day E and
--                    was opened ≤ E − 90 days: current plan (drawn up or revised in
--                    [E − 4 months, E]) ? 1 : 0 ÷ 1
-- A view: a projection of int_cases and int_case_plan_months (a million rows on the stockholm
-- profile, whose compressed write cost 1,5 s of the build; reading them again costs 0,1 s).

{{ config(materialized='view') }}

with

cases as (

    select * from {{ ref('int_cases') }}

),

plan_months as (

    select * from {{ ref('int_case_plan_months') }}

),

rows as (

    select
        'EB_AVSLUT_EGEN' as indicator_code,
        case_id,
        district_code,
        cast(date_trunc('month', closed_on) as date) as obs_month,
        case when is_closed_to_own_support then 1 else 0 end as numerator,
        cast(null as date) as eligible_from
    from cases
    where closed_on is not null

    union all

    select
        'EB_AVSLUT_OKANT',
        case_id,
        district_code,
        cast(date_trunc('month', closed_on) as date),
        case when is_closed_reason_unknown then 1 else 0 end,
        cast(null as date)
    from cases
    where closed_on is not null

    union all

    select
        'EB_PLAN_3MAN',
        case_id,
        district_code,
        cast(date_trunc('month', opened_on) as date),
        case when has_plan_within_90_days then 1 else 0 end,
        plan_deadline_on
    from cases
    where not is_closed_within_90_days

    union all

    select
        'EB_PLAN_AKTUELL',
        case_id,
        district_code,
        month_start,
        case when has_current_plan then 1 else 0 end,
        cast(null as date)
    from plan_months

)

select
    indicator_code,
    obs_month,
    'stadsdel_kod' as origin_level,
    district_code as origin_code,
    cast(null as varchar) as gender,
    case_id as subject_id,
    case_id as person_id,
    cast(numerator as double) as numerator,
    cast(1 as double) as denominator,
    eligible_from

from rows
