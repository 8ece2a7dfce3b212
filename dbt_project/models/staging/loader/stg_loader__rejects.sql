-- Rejected records: where and why, never the record itself (the masked raw line stays in raw).

with

source as (

    select * from {{ source('loader', 'rejects') }}

),

renamed as (

    select
        ---------- ids
        delivery_id,
        export as export_name,
        file_name,
        line_number,

        ---------- why
        reason

    from source

)

select * from renamed
