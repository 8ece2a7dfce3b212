with

source as (

    select * from {{ source('hr', 'franvaro') }}

),

renamed as (

    select
        ---------- ids
        employee_pseudonym as employee_id,
        enhet_kod as unit_code,

        ---------- dates
        manad as month_start,

        ---------- hours
        cast(schemalagd_tid_timmar as decimal(18, 2)) as scheduled_hours,
        cast(sjukfranvaro_timmar as decimal(18, 2)) as sick_hours,
        cast(sjukfranvaro_dag1_14_timmar as decimal(18, 2)) as sick_day1_14_hours,

        ---------- attributes
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
