-- Persons star: one row per pseudonymised person and month as a recipient.

select
    cast(person_id as varchar) as person_id,
    cast(benefit_month as date) as benefit_month,
    cast(household_id as varchar) as household_id,
    cast(district_code as varchar) as district_code,
    cast(gender as varchar) as gender,
    cast(role_code as varchar) as role_code,
    cast(age_at_month_end as integer) as age_at_month_end,
    cast(is_adult as boolean) as is_adult

from {{ ref('int_recipient_months') }}
