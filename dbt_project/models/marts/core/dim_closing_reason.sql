-- Avslutsorsak: why a case was closed; own support (egen försörjning) = work or studies.

select
    cast(kod as varchar) as closing_reason_code,
    cast(namn as varchar) as closing_reason_name,
    cast(egen_forsorjning as boolean) as is_own_support,
    cast(giltig_from as date) as valid_from,
    cast(giltig_tom as date) as valid_to

from {{ ref('ref_avslutsorsak') }}
