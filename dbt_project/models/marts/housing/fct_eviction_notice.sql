-- Housing star: one row per notice from a landlord (vrakningsforebyggande, latest snapshot) —
-- kind, reason, the tenant (pseudonymised) and district, dates, outcome. An eviction is
-- averted when the notice closed with any outcome but one marked verkstalld in
-- ref_vrakning_utfall (AVVARJD, FLYTT, OVRIGT); open notices are neither.

with

notices as (

    select * from {{ ref('stg_case_system__eviction_notices') }}

),

outcomes as (

    select * from {{ ref('ref_vrakning_utfall') }}

)

select
    ---------- keys
    cast(notices.notice_id as varchar) as notice_id,
    cast(notices.person_id as varchar) as person_id,
    cast(notices.district_code as varchar) as district_code,
    cast(notices.gender as varchar) as gender,
    cast(notices.notice_type_code as varchar) as notice_type_code,
    cast(notices.reason_code as varchar) as reason_code,
    cast(notices.outcome_code as varchar) as outcome_code,

    ---------- dates
    cast(notices.received_on as date) as received_on,
    cast(notices.closed_on as date) as closed_on,
    cast(date_trunc('month', notices.received_on) as date) as received_month,
    cast(date_trunc('month', notices.closed_on) as date) as closed_month,

    ---------- measures
    cast(notices.children_in_household as integer) as children_in_household,
    cast(notices.accepted_support as boolean) as accepted_support,
    cast(notices.closed_on is null as boolean) as is_open,
    cast(coalesce(outcomes.verkstalld, false) as boolean) as is_carried_out,
    cast(notices.closed_on is not null and not coalesce(outcomes.verkstalld, false) as boolean)
        as is_averted

from notices
left join outcomes on outcomes.kod = notices.outcome_code
