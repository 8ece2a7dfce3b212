-- KPI observations counted per household and month (see int_kpi_observations for the columns).
--   EB_HUSHALL: one per bidragshushåll-month; averaged over the period's months.

with

household_months as (

    select * from {{ ref('int_household_months') }}

)

select
    'EB_HUSHALL' as indicator_code,
    benefit_month as obs_month,
    'stadsdel_kod' as origin_level,
    district_code as origin_code,
    cast(null as varchar) as gender,
    household_id as subject_id,
    household_id as person_id,
    cast(1 as double) as numerator,
    cast(null as double) as denominator,
    cast(null as date) as eligible_from

from household_months
where is_recipient_household
