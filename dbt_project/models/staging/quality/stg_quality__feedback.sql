with

source as (

    select * from {{ source('quality', 'synpunkter') }}

),

renamed as (

    select
        ---------- ids
        synpunkt_id as feedback_id,
        stadsdel_kod as district_code,

        ---------- dates
        inkom_datum as received_on,
        aterkoppling_datum as answered_on,

        ---------- attributes
        verksamhet as activity_code,
        avsandare as sender_code,
        typ as feedback_type_code,
        kategori as category_code,
        lex_sarah = 'J' as is_lex_sarah,
        atgard_vidtagen = 'J' as action_taken,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
