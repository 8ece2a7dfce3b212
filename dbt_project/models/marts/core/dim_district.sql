-- Where facts are recorded: every stadsdel_kod of the exports (districts and city-wide units)
-- with the hierarchy district → unit → city. Facts carry district_code and join here; the KPI
-- areas (one row per reported area and level) are dim_area.

with

districts as (

    select * from {{ ref('ref_districts') }}

),

units as (

    select * from {{ ref('ref_units') }}

)

select
    cast(districts.stadsdel_kod as varchar) as district_code,
    cast(districts.namn as varchar) as district_name,
    cast(districts.typ as varchar) as district_type,
    cast(districts.enhet_kod as varchar) as unit_code,
    cast(units.namn as varchar) as unit_name,
    cast('STHLM' as varchar) as city_code,
    cast(districts.typ = 'stadsovergripande' as boolean) as is_citywide_unit,
    cast(districts.typ = 'stadsdel' as boolean) as has_population,
    cast(districts.giltig_from as date) as valid_from,
    cast(districts.giltig_tom as date) as valid_to

from districts
left join units on units.enhet_kod = districts.enhet_kod
