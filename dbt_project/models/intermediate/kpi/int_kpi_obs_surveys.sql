-- KPI observations from the surveys.
-- Employee survey (origin: the respondent's enhet_kod; survey year = VB, recorded in December;
-- n = respondents, who carry a gender only when they gave one):
--   PE_AMI          every answer to MOT1–3, LED1–3, STY1–3: (svar − 1) × 25 ÷ 1 (the mean)
--   PE_MOTIVATION / PE_LEDARSKAP / PE_STYRNING   the same over MOT / LED / STY answers
--   PE_REKOMMENDERA the REK answer: svar 4 or 5 ? 1 : 0 ÷ 1
-- Client survey (origin: the response's stadsdel_kod, at the month of its date; n = responses):
--   BR_FORBATTRAD   every EB response: FORBATTRAD ? 1 : 0 ÷ 1

with

answers as (

    select * from {{ ref('stg_surveys__employee_answers') }}

),

questions as (

    select * from {{ ref('ref_enkatfraga') }}

),

responses as (

    select * from {{ ref('stg_surveys__client_responses') }}

),

answer_indices as (

    select
        answers.*,
        indices.indicator_code,
        cast(answers.survey_year as varchar) || '-' || answers.respondent_id as survey_respondent
    from answers
    inner join questions on questions.kod = answers.question_code
    inner join (
        values
            ('PE_AMI', 'MOT'), ('PE_AMI', 'LED'), ('PE_AMI', 'STY'),
            ('PE_MOTIVATION', 'MOT'), ('PE_LEDARSKAP', 'LED'), ('PE_STYRNING', 'STY'),
            ('PE_REKOMMENDERA', 'REK')
    ) as indices (indicator_code, index_code)
        on indices.index_code = questions.index_kod

),

rows as (

    select
        indicator_code,
        make_date(survey_year, 12, 1) as obs_month,
        'enhet_kod' as origin_level,
        unit_code as origin_code,
        gender,
        survey_respondent as subject_id,
        survey_respondent as person_id,
        case when indicator_code = 'PE_REKOMMENDERA'
            then case when answer >= 4 then 1 else 0 end
            else (answer - 1) * 25
        end as numerator,
        1 as denominator
    from answer_indices

    union all

    select
        'BR_FORBATTRAD',
        cast(date_trunc('month', responded_on) as date),
        'stadsdel_kod',
        district_code,
        gender,
        response_id,
        response_id,
        case when situation_code = 'FORBATTRAD' then 1 else 0 end,
        1
    from responses
    where activity_code = 'EB'

)

select
    indicator_code,
    obs_month,
    origin_level,
    origin_code,
    gender,
    subject_id,
    person_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(null as date) as eligible_from

from rows
