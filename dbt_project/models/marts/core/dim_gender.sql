-- Genders as the KPI table reports them: alla (everyone, also people without a recorded
-- gender), kvinnor, man — with the export code (K/M) they come from.

with

genders as (

    select * from {{ ref('ref_kon') }}

)

select
    cast('alla' as varchar) as gender,
    cast(null as varchar) as gender_code,
    cast('Alla' as varchar) as gender_name,
    cast(1 as integer) as sort_order

union all

select
    cast(gender as varchar),
    cast(kod as varchar),
    cast(case gender when 'kvinnor' then 'Kvinnor' when 'man' then 'Män' else namn end as varchar),
    cast(case gender when 'kvinnor' then 2 else 3 end as integer)
from genders
