-- KPI observations counted per household and bidragsmånad (see int_kpi_observations).
--   EB_HUSHALL              one per bidragshushåll-month (net > 0 kr); averaged over the months
--   EB_BISTAND_PER_HUSHALL  net kronor of every household-month with a payment (corrections and
--                           net ≤ 0 months included) ÷ bidragshushåll-months
--   EB_UTBETALT             net kronor, summed
--   EB_HYRESSKULD_HUSHALL   one per household-month whose net HYRESSKULD payments (lo_andamal)
--                           are above 0 kr (a payment fully reversed is no assistance); the
--                           household counts once per period (subject_agg max)
--   EB_HYRESSKULD_KR        net kronor of the HYRESSKULD payments, summed (corrections included)
--   EB_INFLODE_NYA, EB_INFLODE_ATERKOMMANDE, EB_UTFLODE
--                           one per new / returning / leaving household-month (fct_household_flow)
--   EB_TID_MED_BISTAND      per leaving household-month: the months of the run that ended at
--                           m − 1 ÷ 1 (the mean over the period's leavers)
-- Every row lies in the household's district that month (largest net sum; leaving: in m − 1).
-- n_individuals counts
-- households: bidragshushåll for EB_HUSHALL, any household with a payment for the kronor ones.
-- A view: a projection of tables that are incremental themselves, read once by
-- fct_indicator_value (writing its millions of rows to a table cost more than computing them).

{{ config(materialized='view') }}

with

household_months as (

    select * from {{ ref('int_household_months') }}

),

flows as (

    select * from {{ ref('fct_household_flow') }}
    where flow_code <> 'continuing'

),

rows as (

    select
        'EB_HUSHALL' as indicator_code,
        household_id,
        benefit_month,
        district_code,
        1.0 as numerator,
        cast(null as double) as denominator
    from household_months
    where is_recipient_household

    union all

    select
        'EB_BISTAND_PER_HUSHALL',
        household_id,
        benefit_month,
        district_code,
        net_sek,
        case when is_recipient_household then 1.0 else 0.0 end
    from household_months

    union all

    select
        'EB_UTBETALT',
        household_id,
        benefit_month,
        district_code,
        net_sek,
        cast(null as double)
    from household_months

    union all

    select
        'EB_HYRESSKULD_HUSHALL',
        household_id,
        benefit_month,
        district_code,
        1.0,
        cast(null as double)
    from household_months
    where net_rent_arrears_sek > 0

    union all

    select
        'EB_HYRESSKULD_KR',
        household_id,
        benefit_month,
        district_code,
        net_rent_arrears_sek,
        cast(null as double)
    from household_months
    where net_rent_arrears_sek is not null

    union all

    select
        case flow_code
            when 'new' then 'EB_INFLODE_NYA'
            when 'returning' then 'EB_INFLODE_ATERKOMMANDE'
            else 'EB_UTFLODE'
        end,
        household_id,
        benefit_month,
        district_code,
        1.0,
        cast(null as double)
    from flows

    union all

    select
        'EB_TID_MED_BISTAND',
        household_id,
        benefit_month,
        district_code,
        run_months,
        1.0
    from flows
    where flow_code = 'leaving'

)

select
    indicator_code,
    benefit_month as obs_month,
    'stadsdel_kod' as origin_level,
    district_code as origin_code,
    cast(null as varchar) as gender,
    household_id as subject_id,
    household_id as person_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(null as date) as eligible_from

from rows
