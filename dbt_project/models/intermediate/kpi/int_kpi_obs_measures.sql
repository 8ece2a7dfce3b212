-- KPI observations about measures (insatser), in the measure's district and the participant's
-- gender; n_individuals = participants (persons).
--   IN_STHLMSJOBB       at the start month of a STHLMSJOBB measure: the person (counted once per
--                       period and area: subject = person, subject_agg max)
--   IN_AR_TEAM          every month an AR_TEAM measure whose outcome is not PENSION is active:
--                       denominator 1; numerator 1 in its end month when it ended with own or
--                       other support (ref_insats_utfall.egen_eller_annan_forsorjning). Subject
--                       = person, max per period: active in the period ⇔ some active month in it.
--   IN_FORSOKSLAGENHET  at the end month of a FORSOKSLAGENHET measure: KONTRAKT_OVERTAGET ? 1 : 0
--                       ÷ 1 (subject = the measure; n = distinct persons)
--   IN_BOSTAD_FORST_12MAN at the month of a BOSTAD_FORST measure's 12-month anniversary
--                       (startdatum + 12 months): 1 ÷ 1 when it was still ongoing that day (no
--                       end, or an end after it — "open at e" as in indicators.md) or ended
--                       KONTRAKT_OVERTAGET (the client took over the contract, at any time),
--                       else 0 ÷ 1 (subject = the measure; n = distinct persons)

with

measures as (

    select * from {{ ref('stg_case_system__measures') }}

),

measure_months as (

    select * from {{ ref('int_measure_months') }}

),

outcomes as (

    select * from {{ ref('ref_insats_utfall') }}

),

rows as (

    select
        'IN_STHLMSJOBB' as indicator_code,
        cast(date_trunc('month', started_on) as date) as obs_month,
        district_code,
        gender,
        person_id as subject_id,
        person_id,
        1 as numerator,
        cast(null as double) as denominator
    from measures
    where measure_type_code = 'STHLMSJOBB'

    union all

    select
        'IN_AR_TEAM',
        measure_months.month_start,
        measure_months.district_code,
        measure_months.gender,
        measure_months.person_id,
        measure_months.person_id,
        case when measure_months.is_end_month and outcomes.egen_eller_annan_forsorjning
            then 1 else 0 end,
        1
    from measure_months
    left join outcomes on outcomes.kod = measure_months.outcome_code
    where measure_months.measure_type_code = 'AR_TEAM'
        and measure_months.outcome_code is distinct from 'PENSION'

    union all

    select
        'IN_FORSOKSLAGENHET',
        cast(date_trunc('month', ended_on) as date),
        district_code,
        gender,
        measure_id,
        person_id,
        case when outcome_code = 'KONTRAKT_OVERTAGET' then 1 else 0 end,
        1
    from measures
    where measure_type_code = 'FORSOKSLAGENHET' and ended_on is not null

    union all

    select
        'IN_BOSTAD_FORST_12MAN',
        cast(date_trunc('month', started_on + interval 12 month) as date),
        district_code,
        gender,
        measure_id,
        person_id,
        case
            when ended_on is null or ended_on > cast(started_on + interval 12 month as date)
                or outcome_code = 'KONTRAKT_OVERTAGET' then 1
            else 0
        end,
        1
    from measures
    where measure_type_code = 'BOSTAD_FORST'

)

select
    indicator_code,
    obs_month,
    'stadsdel_kod' as origin_level,
    district_code as origin_code,
    gender,
    subject_id,
    person_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(null as date) as eligible_from

from rows
