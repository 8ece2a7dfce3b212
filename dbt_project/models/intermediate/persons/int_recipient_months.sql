-- One row per person and month in which the person is a member of a bidragshushåll
-- (biståndsmottagare). A person listed in two bidragshushåll the same month is counted once,
-- in the household with the larger net payment (ties: lowest household id).
-- `recipient_months_trailing_12` counts the person's recipient months in the 12 months ending
-- with this one (a window frame over consecutive month numbers, so it crosses year boundaries).
-- `is_new_recipient`: a recipient in none of the 12 months before this one (the person-level
-- inflow, EB_INFLODE_NYA_PERSONER; the same window sort as the trailing count).
-- Incremental by month (macros/incremental.sql): a rebuild reads 12 months before
-- `rebuild_from` (the trailing count needs 11, the inflow 12) and writes the months from
-- `rebuild_from` on.

{{ month_incremental_config('benefit_month') }}

with

members as (

    select * from {{ ref('stg_case_system__household_members') }}
    where {{ since_rebuild('benefit_month', 12) }}

),

recipient_households as (

    select * from {{ ref('int_household_months') }}
    where is_recipient_household and {{ since_rebuild('benefit_month', 12) }}

),

joined as (

    select
        members.person_id,
        members.benefit_month,
        members.household_id,
        recipient_households.district_code,
        members.gender,
        members.role_code,
        members.birth_month,
        members.is_coordination_number,
        recipient_households.net_sek
    from members
    inner join recipient_households using (household_id, benefit_month)
    qualify row_number() over (
        partition by members.person_id, members.benefit_month
        order by recipient_households.net_sek desc, members.household_id
    ) = 1

),

indexed as (

    select
        joined.*,
        year(benefit_month) * 12 + month(benefit_month) - 1 as month_index
    from joined

),

counted as (

    select
        person_id,
        benefit_month,
        household_id,
        district_code,
        gender,
        role_code,
        birth_month,
        is_coordination_number,
        {{ age_at_month_end('birth_month', 'benefit_month') }} as age_at_month_end,
        {{ age_at_month_end('birth_month', 'benefit_month') }} >= 18 as is_adult,
        month_index,
        count(*) over (
            partition by person_id order by month_index range between 11 preceding and current row
        ) as recipient_months_trailing_12,
        coalesce(
            month_index - lag(month_index) over (partition by person_id order by month_index) > 12,
            true
        ) as is_new_recipient
    from indexed

)

select * from counted
where {{ since_rebuild('benefit_month') }}
