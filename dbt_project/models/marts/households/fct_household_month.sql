-- Households star: one row per household and bidragsmånad with any payment (net-zero and
-- negative months included, flagged by is_recipient_household). District and main
-- försörjningshinder as in int_household_months, composition and household type from
-- int_household_composition, and the number of consecutive months as a bidragshushåll ending
-- with this one (0 in a month that is not a bidragshushåll-month).
-- Incremental by month (macros/incremental.sql): a run of consecutive months that reaches back
-- before `rebuild_from` continues from the count this table holds for the month before.

{{ month_incremental_config('benefit_month') }}

with

household_months as (

    select * from {{ ref('int_household_months') }}
    where {{ since_rebuild('benefit_month') }}

),

composition as (

    select * from {{ ref('int_household_composition') }}
    where {{ since_rebuild('benefit_month') }}

),

runs as (

    select
        household_id,
        benefit_month,
        year(benefit_month) * 12 + month(benefit_month)
            - row_number() over (partition by household_id order by benefit_month) as run_key
    from household_months
    where is_recipient_household

),

months_in_row as (

    select
        household_id,
        benefit_month,
        row_number() over (partition by household_id, run_key order by benefit_month)
            as position_in_run,
        min(benefit_month) over (partition by household_id, run_key) as run_start
    from runs

),

-- the run's length before `rebuild_from` (an incremental build continues it; a full build
-- starts every run at 0)
carried as (

    {% if is_incremental() -%}
    select household_id, consecutive_months as carried_months
    from {{ this }}
    where benefit_month = {{ rebuild_from() }} - to_months(1)
    {%- else -%}
    select cast(null as varchar) as household_id, 0 as carried_months
    where false
    {%- endif %}

)

select
    ---------- keys
    cast(household_months.household_id as varchar) as household_id,
    cast(household_months.benefit_month as date) as benefit_month,
    cast(household_months.district_code as varchar) as district_code,
    cast(household_months.barrier_code as varchar) as barrier_code,
    cast(coalesce(composition.household_type_code, 9) as integer) as household_type_code,

    ---------- amounts (the sums are decimal(38, 4); rounding that wide type to 2 decimals is
    ---------- slow in DuckDB, narrowing it to decimal(18, 4) first is not, and gives the same value)
    cast(cast(household_months.net_sek as decimal(18, 4)) as decimal(18, 2)) as net_sek,
    cast(cast(household_months.net_fs_sek as decimal(18, 4)) as decimal(18, 2)) as net_fs_sek,
    cast(cast(household_months.net_lo_sek as decimal(18, 4)) as decimal(18, 2)) as net_lo_sek,
    cast(household_months.payment_count as integer) as payment_count,
    cast(household_months.district_count as integer) as district_count,

    ---------- composition
    cast(coalesce(composition.member_count, 0) as integer) as member_count,
    cast(coalesce(composition.adult_count, 0) as integer) as adult_count,
    cast(coalesce(composition.child_count, 0) as integer) as child_count,

    ---------- flags and runs
    cast(household_months.is_recipient_household as boolean) as is_recipient_household,
    cast(
        coalesce(months_in_row.position_in_run, 0)
        + case when months_in_row.run_start = {{ rebuild_from() }}
            then coalesce(carried.carried_months, 0) else 0 end
        as integer
    ) as consecutive_months

from household_months
left join composition
    on composition.household_id = household_months.household_id
    and composition.benefit_month = household_months.benefit_month
left join months_in_row
    on months_in_row.household_id = household_months.household_id
    and months_in_row.benefit_month = household_months.benefit_month
left join carried
    on carried.household_id = household_months.household_id
