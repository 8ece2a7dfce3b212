-- Persons: every pseudonymised person who is a household member or a measure participant,
-- with nothing beyond the pseudonym, the birth year-month and the gender (the latest recorded).
-- No personnummer, no samordningsnummer flag, no name.

with

members as (

    select person_id, birth_month, gender, benefit_month as seen_month
    from {{ ref('stg_case_system__household_members') }}

),

participants as (

    select person_id, birth_month, gender, started_on as seen_month
    from {{ ref('stg_case_system__measures') }}

),

sightings as (

    select * from members
    union all
    select * from participants

)

select
    cast(person_id as varchar) as person_id,
    cast(strftime(arg_max(birth_month, seen_month), '%Y-%m') as varchar) as birth_year_month,
    cast(arg_max(gender, seen_month) as varchar) as gender

from sightings
group by person_id
