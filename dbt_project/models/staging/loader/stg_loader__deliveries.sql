-- Every delivered file the loader examined, with the kind of key its name carries and whether
-- its rows are the current state of the export (the rule of orchestration/loaders/storage.py:
-- of the loaded deliveries — status loaded, or identical to an earlier loaded one — the newest
-- of each month/year key by file modification time, then name, then load order; for snapshot
-- exports only the one with the latest extraction date). A held re-delivery (status held,
-- orchestration/loaders/guard.py) is not loaded until accepted (then accepted_at is set).

with

source as (

    select * from {{ source('loader', 'load_log') }}

),

renamed as (

    select
        ---------- ids
        delivery_id,
        export as export_name,
        file_name,
        file_key,

        ---------- key
        case length(file_key)
            when 10 then 'snapshot' when 7 then 'month' when 4 then 'year'
        end as key_kind,
        case length(file_key)
            when 10 then try_cast(file_key as date)
            when 7 then try_cast(file_key || '-01' as date)
            when 4 then try_cast(file_key || '-01-01' as date)
        end as key_date,

        ---------- timestamps
        file_mtime as file_modified_at,
        loaded_at,

        ---------- outcome
        status,
        encoding,
        rows_read,
        rows_loaded,
        rows_rejected,
        message,
        accepted_at

    from source

),

flagged as (

    select
        renamed.*,
        status in ('loaded', 'identical') as is_loaded
    from renamed

),

ranked as (

    select
        flagged.*,
        is_loaded
            and row_number() over (
                partition by export_name, file_key, is_loaded
                order by file_modified_at desc nulls last, file_name desc, delivery_id desc
            ) = 1
            and (key_kind <> 'snapshot'
                or file_key = max(file_key) over (partition by export_name, is_loaded))
            as is_current
    from flagged

)

select * from ranked
