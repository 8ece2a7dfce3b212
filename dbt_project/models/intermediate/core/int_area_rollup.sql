-- Every area level an observation rolls up to, from where it was recorded:
--   a stadsdel_kod of a district (typ = stadsdel) → that district, its unit, the city;
--   a stadsdel_kod of a city-wide unit (typ = stadsovergripande) → its unit and the city only
--     (such units have no district of their own and no population);
--   an enhet_kod (staff and employee-survey data) → that unit and the city.
-- The district → unit mapping is data (ref_districts): one unit may serve several districts.

with

districts as (

    select * from {{ ref('ref_districts') }}

),

units as (

    select * from {{ ref('ref_units') }}

)

select 'stadsdel_kod' as origin_level, stadsdel_kod as origin_code,
    'stadsdel' as area_level, stadsdel_kod as area_code
from districts
where typ = 'stadsdel'

union all

select 'stadsdel_kod', stadsdel_kod, 'enhet', enhet_kod
from districts

union all

select 'stadsdel_kod', stadsdel_kod, 'stad', 'STHLM'
from districts

union all

select 'enhet_kod', enhet_kod, 'enhet', enhet_kod
from units

union all

select 'enhet_kod', enhet_kod, 'stad', 'STHLM'
from units
