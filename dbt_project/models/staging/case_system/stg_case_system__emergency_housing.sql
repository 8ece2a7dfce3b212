with

source as (

    select * from {{ source('case_system', 'akutboende') }}

),

renamed as (

    select
        ---------- ids
        beslut_id as decision_id,
        person_pseudonym as person_id,
        stadsdel_kod as district_code,

        ---------- dates
        startdatum as started_on,
        slutdatum as ended_on,

        ---------- attributes
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,
        boendetyp as housing_type_code,
        barn_i_hushallet as children_in_household,
        cast(kostnad as decimal(18, 4)) as cost_sek,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
