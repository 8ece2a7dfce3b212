-- One row per household and bidragsmånad that has any payment, with its net amounts, its
-- district that month (largest net sum; ties: lowest code) and main försörjningshinder (largest
-- net sum; ties: lowest code). A household is a bidragshushåll in the month when net > 0 kr.
-- Incremental by month (macros/incremental.sql): only months from `rebuild_from` are rebuilt.

{{ month_incremental_config('benefit_month') }}

with

payments as (

    select * from {{ ref('stg_case_system__payments') }}
    where {{ since_rebuild('benefit_month') }}

),

by_district as (

    select household_id, benefit_month, district_code, sum(amount_sek) as district_sek
    from payments
    group by household_id, benefit_month, district_code

),

-- the number of districts comes with it (same partition as the ranking; count(distinct) in
-- `totals` would hash every payment's district again)
household_district as (

    select
        household_id,
        benefit_month,
        district_code,
        count(district_code) over (partition by household_id, benefit_month) as district_count
    from by_district
    qualify row_number() over (
        partition by household_id, benefit_month order by district_sek desc, district_code
    ) = 1

),

by_barrier as (

    select household_id, benefit_month, barrier_code, sum(amount_sek) as barrier_sek
    from payments
    group by household_id, benefit_month, barrier_code

),

household_barrier as (

    select household_id, benefit_month, barrier_code
    from by_barrier
    qualify row_number() over (
        partition by household_id, benefit_month order by barrier_sek desc, barrier_code
    ) = 1

),

totals as (

    select
        household_id,
        benefit_month,
        sum(amount_sek) as net_sek,
        coalesce(sum(amount_sek) filter (where assistance_type = 'FS'), 0) as net_fs_sek,
        coalesce(sum(amount_sek) filter (where assistance_type = 'LO'), 0) as net_lo_sek,
        -- null when the month has no HYRESSKULD payment (lo_andamal)
        sum(amount_sek) filter (where lo_purpose = 'HYRESSKULD') as net_rent_arrears_sek,
        count(*) as payment_count
    from payments
    group by household_id, benefit_month

)

select
    totals.household_id,
    totals.benefit_month,
    household_district.district_code,
    household_barrier.barrier_code,
    totals.net_sek,
    totals.net_fs_sek,
    totals.net_lo_sek,
    totals.net_rent_arrears_sek,
    totals.payment_count,
    household_district.district_count,
    totals.net_sek > 0 as is_recipient_household

from totals
inner join household_district using (household_id, benefit_month)
inner join household_barrier using (household_id, benefit_month)
