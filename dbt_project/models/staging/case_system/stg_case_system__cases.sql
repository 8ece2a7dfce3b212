with

source as (

    select * from {{ source('case_system', 'arenden') }}

),

renamed as (

    select
        ---------- ids
        arende_id as case_id,
        hushall_id as household_id,
        stadsdel_kod as district_code,

        ---------- dates
        aktualiserad_datum as opened_on,
        avslutad_datum as closed_on,

        ---------- codes
        avslutsorsak_kod as closing_reason_code,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
