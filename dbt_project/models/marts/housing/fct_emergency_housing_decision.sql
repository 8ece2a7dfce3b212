-- Housing star: one row per decision on emergency housing (akutboende, latest snapshot) — the
-- kind of housing, the applicant (pseudonymised) and district, the stay and its cost. A family
-- with children is a household with barn_i_hushallet > 0; hotel and hostel are the kinds marked
-- hotell_vandrarhem in ref_boendetyp.

with

decisions as (

    select * from {{ ref('stg_case_system__emergency_housing') }}

),

housing_types as (

    select * from {{ ref('ref_boendetyp') }}

)

select
    ---------- keys
    cast(decisions.decision_id as varchar) as decision_id,
    cast(decisions.person_id as varchar) as person_id,
    cast(decisions.district_code as varchar) as district_code,
    cast(decisions.gender as varchar) as gender,
    cast(decisions.housing_type_code as varchar) as housing_type_code,

    ---------- dates
    cast(decisions.started_on as date) as started_on,
    cast(decisions.ended_on as date) as ended_on,
    cast(date_trunc('month', decisions.started_on) as date) as start_month,

    ---------- measures
    cast(decisions.children_in_household as integer) as children_in_household,
    cast(decisions.children_in_household > 0 as boolean) as is_family_with_children,
    cast(coalesce(housing_types.hotell_vandrarhem, false) as boolean) as is_hotel_or_hostel,
    cast(date_diff('day', decisions.started_on, decisions.ended_on) as integer) as nights,
    cast(decisions.cost_sek as decimal(18, 4)) as cost_sek

from decisions
left join housing_types on housing_types.kod = decisions.housing_type_code
