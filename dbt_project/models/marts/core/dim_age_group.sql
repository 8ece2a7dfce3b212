-- Age groups (seed ref_aldersgrupp): age in whole years on the last day of the month falls in
-- exactly one group; 0–17 are children, the rest adults.

select
    cast(kod as varchar) as age_group_code,
    cast(namn as varchar) as age_group_name,
    cast(alder_from as integer) as age_from,
    cast(alder_tom as integer) as age_to,
    cast(alder_from >= 18 as boolean) as is_adult,
    cast(sortering as integer) as sort_order

from {{ ref('ref_aldersgrupp') }}
