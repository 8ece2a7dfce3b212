-- Outcome of a measure (utfall). `is_self_support` marks own or other support
-- (EGEN_FORSORJNING, ANNAN_FORSORJNING), the success of IN_AR_TEAM.

select
    cast(kod as varchar) as outcome_code,
    cast(namn as varchar) as outcome_name,
    cast(egen_eller_annan_forsorjning as boolean) as is_self_support,
    cast(giltig_from as date) as valid_from,
    cast(giltig_tom as date) as valid_to

from {{ ref('ref_insats_utfall') }}
