-- Socialstyrelsen's household types (1 only children … 9 unknown).

select
    cast(kod as integer) as household_type_code,
    cast(namn as varchar) as household_type_name

from {{ ref('ref_hushallstyp') }}
