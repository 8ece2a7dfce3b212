-- The data-quality page: rejected rows counted per export, file and reason — counts and
-- reasons only, never the rejected lines themselves.

with

rejects as (

    select * from {{ ref('stg_loader__rejects') }}

),

deliveries as (

    select * from {{ ref('stg_loader__deliveries') }}

)

select
    cast(rejects.export_name as varchar) as export,
    cast(rejects.delivery_id as bigint) as leverans_id,
    cast(rejects.file_name as varchar) as filnamn,
    cast(deliveries.is_current as boolean) as ar_aktuell,
    cast(rejects.reason as varchar) as orsak,
    cast(count(*) as bigint) as antal_rader

from rejects
left join deliveries on deliveries.delivery_id = rejects.delivery_id
group by all
