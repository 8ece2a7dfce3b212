with

source as (

    select * from {{ source('hr', 'personal') }}

),

renamed as (

    select
        ---------- ids
        employee_pseudonym as employee_id,
        enhet_kod as unit_code,

        ---------- dates
        anstallningsdatum as employed_on,
        slutdatum as ended_on,

        ---------- attributes
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,
        befattning as job_title,
        cast(sysselsattningsgrad as decimal(9, 2)) as employment_rate_pct,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
