with

source as (

    select * from {{ source('case_system', 'insatser') }}

),

renamed as (

    select
        ---------- ids
        insats_id as measure_id,
        person_pseudonym as person_id,
        stadsdel_kod as district_code,

        ---------- dates
        startdatum as started_on,
        slutdatum as ended_on,
        person_birth_month as birth_month,

        ---------- attributes
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,
        insatstyp as measure_type_code,
        utfall_kod as outcome_code,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
