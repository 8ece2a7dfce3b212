with

source as (

    select * from {{ source('case_system', 'hushallsmedlemmar') }}

),

renamed as (

    select
        ---------- ids
        hushall_id as household_id,
        person_pseudonym as person_id,

        ---------- dates
        bidragsmanad as benefit_month,
        person_birth_month as birth_month,

        ---------- attributes
        person_is_coordination_number as is_coordination_number,
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,
        roll as role_code,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
