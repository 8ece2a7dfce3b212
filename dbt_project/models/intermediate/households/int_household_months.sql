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

-- one pass over the payments: the sums, and whether the month mixes districts or barriers
-- (a null barrier beside a coded one counts as mixed)
totals as (

    select
        household_id,
        benefit_month,
        sum(amount_sek) as net_sek,
        coalesce(sum(amount_sek) filter (where assistance_type = 'FS'), 0) as net_fs_sek,
        coalesce(sum(amount_sek) filter (where assistance_type = 'LO'), 0) as net_lo_sek,
        count(*) as payment_count,
        min(district_code) as only_district,
        min(barrier_code) as only_barrier,
        min(district_code) is distinct from max(district_code)
            or count(district_code) not in (0, count(*)) as mixes_districts,
        min(barrier_code) is distinct from max(barrier_code)
            or count(barrier_code) not in (0, count(*)) as mixes_barriers
    from payments
    group by household_id, benefit_month

),

-- the few household-months paid from several districts or for several barriers are ranked on
-- their payments; all others take their only value from `totals`
mixed_payments as (

    select payments.*
    from payments
    semi join (
        select household_id, benefit_month
        from totals
        where mixes_districts or mixes_barriers
    ) as mixed using (household_id, benefit_month)

),

mixed_district as (

    select
        household_id,
        benefit_month,
        district_code,
        count(district_code) over (partition by household_id, benefit_month) as district_count
    from (
        select household_id, benefit_month, district_code, sum(amount_sek) as district_sek
        from mixed_payments
        group by household_id, benefit_month, district_code
    )
    qualify row_number() over (
        partition by household_id, benefit_month order by district_sek desc, district_code
    ) = 1

),

mixed_barrier as (

    select household_id, benefit_month, barrier_code
    from (
        select household_id, benefit_month, barrier_code, sum(amount_sek) as barrier_sek
        from mixed_payments
        group by household_id, benefit_month, barrier_code
    )
    qualify row_number() over (
        partition by household_id, benefit_month order by barrier_sek desc, barrier_code
    ) = 1

)

select
    totals.household_id,
    totals.benefit_month,
    case when totals.mixes_districts then mixed_district.district_code
        else totals.only_district end as district_code,
    case when totals.mixes_barriers then mixed_barrier.barrier_code
        else totals.only_barrier end as barrier_code,
    totals.net_sek,
    totals.net_fs_sek,
    totals.net_lo_sek,
    totals.payment_count,
    case when totals.mixes_districts then mixed_district.district_count
        else cast(totals.only_district is not null as integer) end as district_count,
    totals.net_sek > 0 as is_recipient_household

from totals
left join mixed_district using (household_id, benefit_month)
left join mixed_barrier using (household_id, benefit_month)
