with

source as (

    select * from {{ source('case_system', 'forandringsplaner') }}

),

renamed as (

    select
        ---------- ids
        plan_id,
        arende_id as case_id,

        ---------- dates
        upprattad_datum as drawn_up_on,
        senast_reviderad_datum as last_revised_on,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
