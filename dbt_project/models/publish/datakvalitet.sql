-- The data-quality page: one row per delivered file the loader examined — export, file name,
-- key, status, row counts and, for a file rejected whole or a re-delivery held (or accepted after
-- being held), the loader's message (which names the file and the problem, never its contents)
-- — and whether its rows are the current state.
-- Row-level reasons are in datakvalitet_orsak; no raw line ever reaches this schema.

with

deliveries as (

    select * from {{ ref('stg_loader__deliveries') }}

)

select
    cast(delivery_id as bigint) as leverans_id,
    cast(export_name as varchar) as export,
    cast(file_name as varchar) as filnamn,
    cast(file_key as varchar) as nyckel,
    cast(key_kind as varchar) as nyckeltyp,
    cast(status as varchar) as status,
    cast(is_current as boolean) as ar_aktuell,
    cast(file_modified_at as timestamp) as levererad,
    cast(loaded_at as timestamp) as inlast,
    cast(rows_read as bigint) as rader_lasta,
    cast(rows_loaded as bigint) as rader_inlasta,
    cast(rows_rejected as bigint) as rader_avvisade,
    cast(
        case when status in ('rejected', 'held') or accepted_at is not null then message end
        as varchar
    ) as meddelande,
    cast(accepted_at as timestamp) as godkand

from deliveries
