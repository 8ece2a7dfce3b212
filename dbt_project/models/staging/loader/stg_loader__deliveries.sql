-- Every delivered file the loader examined, with the kind of key its name carries and whether
-- its rows are the current state of the export (the rule of orchestration/loaders/storage.py:
-- the newest loaded delivery of each month/year key; for snapshots the loaded one with the
-- latest extraction date).

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
        message

    from source

),

ranked as (

    select
        renamed.*,
        status = 'loaded' and case key_kind
            when 'snapshot' then row_number() over (
                partition by export_name, status = 'loaded'
                order by file_key desc, file_modified_at desc, file_name desc, delivery_id desc
            ) = 1
            else row_number() over (
                partition by export_name, file_key, status = 'loaded'
                order by file_modified_at desc, file_name desc, delivery_id desc
            ) = 1
        end as is_current
    from renamed

)

select * from ranked
