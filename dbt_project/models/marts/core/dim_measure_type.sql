-- Insatstyp: the kinds of measures toward self-support.

select
    cast(kod as varchar) as measure_type_code,
    cast(namn as varchar) as measure_type_name,
    cast(giltig_from as date) as valid_from,
    cast(giltig_tom as date) as valid_to

from {{ ref('ref_insatstyp') }}
