with

source as (

    select * from {{ source('statistics', 'befolkning') }}

),

renamed as (

    select
        ar as population_year,
        stadsdel_kod as district_code,
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,
        alder as age,
        antal as population

    from source

)

select * from renamed
