-- KPI observations counted per recipient (person) and month (their population denominators are
-- int_kpi_obs_population).
--   EB_ANDEL_VUXNA       adult recipient-months ÷ (adult population × months in the period)
--   EB_ANDEL_BARN        child recipient-months ÷ (population 0–17 × months in the period)
--   EB_ANDEL_LANGVARIGT  at the period's last month e: adults with ≥ 10 recipient months in the
--                        12 ending at e (area and gender of their latest recipient month in the
--                        window) ÷ adult population (window period_end: only month e counts)
--   EB_INFLODE_NYA_PERSONER  adults who are recipients in the month and in none of the 12
--                        months before it (is_new_recipient), counted once per month
-- A view: a projection of tables that are incremental themselves, read once by
-- fct_indicator_value (writing its millions of rows to a table cost more than computing them).

{{ config(materialized='view') }}

with

-- not materialized: read twice below, and DuckDB would otherwise copy every recipient-month
-- into a temporary result in each reader of the observations (measured on the national
-- profile: the view took 1,96 s to read, 0,70 s so; the fan-out, which reads it three times,
-- 84,9 → 55,7 s with the same change in int_kpi_obs_budget)
recipients as not materialized (

    select * from {{ ref('int_recipient_months') }}

),

long_term as (

    select * from {{ ref('int_long_term_recipients') }}

),

recipient_rows as (

    select
        case when is_adult then 'EB_ANDEL_VUXNA' else 'EB_ANDEL_BARN' end as indicator_code,
        benefit_month as obs_month,
        district_code as origin_code,
        gender,
        person_id,
        1 as numerator,
        cast(null as double) as denominator
    from recipients

    union all

    select
        'EB_INFLODE_NYA_PERSONER',
        benefit_month,
        district_code,
        gender,
        person_id,
        1,
        null
    from recipients
    where is_adult and is_new_recipient

    union all

    select
        'EB_ANDEL_LANGVARIGT',
        window_end_month,
        district_code,
        gender,
        person_id,
        1,
        null
    from long_term

)

select
    indicator_code,
    obs_month,
    'stadsdel_kod' as origin_level,
    origin_code,
    gender,
    person_id as subject_id,
    person_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(null as date) as eligible_from
from recipient_rows
