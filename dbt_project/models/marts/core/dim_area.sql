-- Areas reported on: districts (stadsdel), units (enhet) and the whole city (stad, STHLM).
-- A unit has population when it serves at least one district; city-wide units do not.

with

districts as (

    select * from {{ ref('ref_districts') }}

),

units as (

    select * from {{ ref('ref_units') }}

),

unit_population as (

    select enhet_kod, bool_or(typ = 'stadsdel') as has_population
    from districts
    group by enhet_kod

),

areas as (

    select
        'stadsdel' as area_level,
        stadsdel_kod as area_code,
        namn as area_name,
        enhet_kod as parent_area_code,
        false as is_citywide_unit,
        true as has_population,
        giltig_from as valid_from,
        giltig_tom as valid_to,
        200 + row_number() over (order by namn) as sort_order
    from districts
    where typ = 'stadsdel'

    union all

    select
        'enhet',
        units.enhet_kod,
        units.namn,
        'STHLM',
        not coalesce(unit_population.has_population, false),
        coalesce(unit_population.has_population, false),
        units.giltig_from,
        units.giltig_tom,
        400 + row_number() over (order by units.namn)
    from units
    left join unit_population using (enhet_kod)

    union all

    select 'stad', 'STHLM', 'Hela staden', null, false, true, null, null, 100

)

select
    cast(area_level as varchar) as area_level,
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    cast(parent_area_code as varchar) as parent_area_code,
    cast(is_citywide_unit as boolean) as is_citywide_unit,
    cast(has_population as boolean) as has_population,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(sort_order as integer) as sort_order

from areas
