-- Who a household consists of in a bidragsmånad, from hushållsmedlemmar, and its household type
-- by Socialstyrelsen's codes. The roles decide the type:
--   no SOK and no MED, only BARN                → 1 endast barn
--   one SOK, no MED: a man   → 3 (no BARN) / 4 (BARN present)
--                    a woman → 5 (no BARN) / 6 (BARN present)
--   one SOK and one MED (a couple)             → 7 (no BARN) / 8 (BARN present)
--   anything else (no SOK but a MED, two SOK or two MED, no members listed) → 9 okänd
-- Adults and children are counted by age on the last day of the month (adult = 18 or older),
-- as everywhere else in the project; the type looks at roles only.
-- Incremental by month (macros/incremental.sql).

{{ month_incremental_config('benefit_month') }}

with

members as (

    select * from {{ ref('stg_case_system__household_members') }}
    where {{ since_rebuild('benefit_month') }}

),

counted as (

    select
        household_id,
        benefit_month,
        count(*) as member_count,
        count(*) filter (where role_code = 'SOK') as applicant_count,
        count(*) filter (where role_code = 'MED') as co_applicant_count,
        count(*) filter (where role_code = 'BARN') as child_role_count,
        max(gender) filter (where role_code = 'SOK') as applicant_gender,
        count(*) filter (
            where {{ age_at_month_end('birth_month', 'benefit_month') }} >= 18
        ) as adult_count,
        count(*) filter (
            where {{ age_at_month_end('birth_month', 'benefit_month') }} < 18
        ) as child_count
    from members
    group by household_id, benefit_month

)

select
    household_id,
    benefit_month,
    member_count,
    applicant_count,
    co_applicant_count,
    child_role_count,
    applicant_gender,
    adult_count,
    child_count,
    case
        when applicant_count = 0 and co_applicant_count = 0 and child_role_count > 0 then 1
        when applicant_count = 1 and co_applicant_count = 0 and applicant_gender = 'man'
            then case when child_role_count > 0 then 4 else 3 end
        when applicant_count = 1 and co_applicant_count = 0 and applicant_gender = 'kvinnor'
            then case when child_role_count > 0 then 6 else 5 end
        when applicant_count = 1 and co_applicant_count = 1
            then case when child_role_count > 0 then 8 else 7 end
        else 9
    end as household_type_code

from counted
