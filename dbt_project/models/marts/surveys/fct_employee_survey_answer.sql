-- Employee survey: one row per answer (survey year × respondent × question), with the index the
-- question belongs to and the answer on the 0–100 index scale ((svar − 1) × 25).

with

answers as (

    select * from {{ ref('stg_surveys__employee_answers') }}

),

questions as (

    select * from {{ ref('dim_survey_question') }}

)

select
    cast(answers.survey_year as integer) as survey_year,
    cast(answers.respondent_id as varchar) as respondent_id,
    cast(answers.question_code as varchar) as question_code,
    cast(answers.unit_code as varchar) as unit_code,
    cast(answers.gender as varchar) as gender,
    cast(questions.index_code as varchar) as index_code,
    cast(answers.answer as integer) as answer,
    cast((answers.answer - 1) * 25 as double) as index_score,
    cast(answers.answer >= 4 as boolean) as is_positive

from answers
left join questions on questions.question_code = answers.question_code
