-- Försörjningshinder: the national two-digit codes with their group (seed 004's table).

select
    cast(kod as varchar) as barrier_code,
    cast(namn as varchar) as barrier_name,
    cast(grupp as varchar) as barrier_group,
    cast(giltig_from as date) as valid_from,
    cast(giltig_tom as date) as valid_to

from {{ ref('ref_forsorjningshinder') }}
