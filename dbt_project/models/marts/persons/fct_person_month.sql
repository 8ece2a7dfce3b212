-- Persons star: one row per pseudonymised person and month as a recipient (member of a
-- bidragshushåll; a person in two counts once, in the one with the larger net sum). Age at the
-- end of the month (samordningsnummer: from the corrected birth date), age group, and the
-- person's recipient months in the 12 months ending with this one (long-term = 10 or more).
-- Incremental by month (macros/incremental.sql).

{{ month_incremental_config('benefit_month') }}

with

recipients as (

    select * from {{ ref('int_recipient_months') }}
    where {{ since_rebuild('benefit_month') }}

),

-- one row per age, so the join is an equality join
age_groups as (

    select age_group_code, unnest(range(age_from, age_to + 1)) as age
    from {{ ref('dim_age_group') }}

)

select
    ---------- keys
    cast(recipients.person_id as varchar) as person_id,
    cast(recipients.benefit_month as date) as benefit_month,
    cast(recipients.household_id as varchar) as household_id,
    cast(recipients.district_code as varchar) as district_code,
    cast(recipients.gender as varchar) as gender,
    cast(age_groups.age_group_code as varchar) as age_group_code,

    ---------- attributes
    cast(recipients.role_code as varchar) as role_code,
    cast(recipients.age_at_month_end as integer) as age_at_month_end,
    cast(recipients.is_adult as boolean) as is_adult,

    ---------- trailing 12 months
    cast(recipients.recipient_months_trailing_12 as integer) as recipient_months_trailing_12,
    cast(recipients.recipient_months_trailing_12 >= 10 as boolean) as is_long_term

from recipients
left join age_groups on age_groups.age = recipients.age_at_month_end
