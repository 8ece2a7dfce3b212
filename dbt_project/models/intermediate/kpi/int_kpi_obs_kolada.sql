-- KPI observations of the Kolada-comparable indicators (VB only); their denominators, the
-- population of 31 December of the same year, are in int_kpi_obs_population.
-- Incremental by calendar year (macros/incremental.sql): a rebuild redoes the year of
-- `rebuild_from` and every later one.
--   KO_N31807  a recipient in the year: the person, once per district and gender, at the first
--              such month (the fan-out counts the person once per area, once in the city)
--   KO_U31803  the same for months as a child (under 18 at that month's end)
--   KO_N31816  in December of the year: persons with ≥ 10 recipient months in the calendar year
--              who are adult at the end of their last recipient month of the year; area and
--              gender of that month (window period_end)
--   KO_N31910  a bidragshushåll in the year: the household, once per district, at its first month

{{ year_incremental_config('obs_month') }}

with

-- not materialized: read by two aggregations below; scanning the table twice is cheaper than
-- DuckDB's temporary copy of every recipient-month (national profile: 4,9 → 3,9 s)
recipients as not materialized (

    select * from {{ ref('int_recipient_months') }}
    where {{ since_rebuild_year('benefit_month') }}

),

household_months as (

    select * from {{ ref('int_household_months') }}
    where {{ since_rebuild_year('benefit_month') }}

),

yearly_recipients as (

    select
        person_id,
        year(benefit_month) as year,
        count(*) as recipient_months,
        arg_max(district_code, benefit_month) as last_district_code,
        arg_max(gender, benefit_month) as last_gender,
        arg_max(is_adult, benefit_month) as is_adult_in_last_month
    from recipients
    group by person_id, year(benefit_month)

),

-- the indicators count a person (household) once per area and year, so one row per person,
-- year, district and gender is enough: recorded at its first month there that year
person_years as (

    select
        person_id,
        district_code,
        gender,
        min(benefit_month) as first_month,
        min(benefit_month) filter (where not is_adult) as first_month_as_child
    from recipients
    group by person_id, year(benefit_month), district_code, gender

),

household_years as (

    select household_id, district_code, min(benefit_month) as first_month
    from household_months
    where is_recipient_household
    group by household_id, year(benefit_month), district_code

),

person_rows as (

    select
        'KO_N31807' as indicator_code,
        first_month as obs_month,
        district_code,
        gender,
        person_id as subject_id,
        person_id,
        cast(1 as double) as numerator,
        cast(null as double) as denominator
    from person_years

    union all

    select 'KO_U31803', first_month_as_child, district_code, gender, person_id, person_id, 1, null
    from person_years
    where first_month_as_child is not null

    union all

    select
        'KO_N31816', make_date(year, 12, 1), last_district_code, last_gender,
        person_id, person_id, 1, null
    from yearly_recipients
    where recipient_months >= 10 and is_adult_in_last_month

    union all

    select
        'KO_N31910', first_month, district_code, cast(null as varchar),
        household_id, household_id, 1, cast(null as double)
    from household_years

)

select
    indicator_code,
    obs_month,
    'stadsdel_kod' as origin_level,
    district_code as origin_code,
    gender,
    subject_id,
    person_id,
    numerator,
    denominator,
    cast(null as date) as eligible_from
from person_rows

