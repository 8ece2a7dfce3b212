with

source as (

    select * from {{ source('surveys', 'medarbetarenkat') }}

),

renamed as (

    select
        ---------- ids
        respondent_id,
        enhet_kod as unit_code,

        ---------- dates
        enkat_ar as survey_year,

        ---------- answer
        fraga_kod as question_code,
        svar as answer,

        ---------- attributes
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
