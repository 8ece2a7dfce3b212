with

source as (

    select * from {{ source('finance', 'budget') }}

),

renamed as (

    select
        ar as budget_year,
        stadsdel_kod as district_code,
        bistandstyp as assistance_type,
        manad as budget_month,
        cast(belopp as decimal(18, 4)) as amount_sek,
        _delivery_id as delivery_id

    from source

)

select * from renamed
