-- Areas the pages can filter on, with Swedish names and the order they are listed in.

select
    cast(area_level as varchar) as area_level,
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    cast(parent_area_code as varchar) as parent_area_code,
    cast(sort_order as integer) as sortering

from {{ ref('dim_area') }}
