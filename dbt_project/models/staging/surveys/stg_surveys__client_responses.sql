with

source as (

    select * from {{ source('surveys', 'brukarenkat') }}

),

renamed as (

    select
        ---------- ids
        svar_id as response_id,
        stadsdel_kod as district_code,

        ---------- dates
        datum as responded_on,

        ---------- answer
        verksamhet as activity_code,
        situation as situation_code,

        ---------- attributes
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
