-- The KPI observations (the parts of int_kpi_observations, a view computed anew by every reader)
-- summed up per part, indicator and calendar year of obs_month in ONE pass, for the two readers
-- that need every row:
--   int_kpi_input_fingerprints  the year's row count and multiset hash (the sum of the rows'
--                               64-bit hashes: independent of row order, changed by any added,
--                               removed or changed row);
--   rules_int_kpi_observations  per rule, the rows that break it (tests/kpi), and which
--                               indicators have rows with an eligible_from (the check reads only
--                               those indicators' rows again, for the rule over a subject's rows).
-- Measured on the national profile: each full pass over the view took ~30 s, and the check made
-- three of them beside the fingerprints' one, all before the fan-out.
--
-- Incremental, per part of the view (macros/kpi_observations.sql, kpi_observation_parts_since):
-- a part that reads only the month-keyed incremental models keeps its rows before the start of
-- rebuild_from's year (those observations are the last build's), and only the later years are
-- summed up again; so does the budget part, from the earlier of that year and the first year
-- whose budget delivery changed; the parts whose exports are re-delivered whole are summed up
-- again in every year. Readers add the parts of an indicator and year up (the counts and the
-- multiset hash add up).

{{ config(
    materialized="incremental",
    incremental_strategy="append",
    on_schema_change="fail",
    pre_hook="{{ delete_rebuilt_observation_years() }}",
) }}

{%- set parts_since = kpi_observation_parts_since() %}

with

observations as (
{% for part in kpi_observation_parts() %}
    {%- set since = parts_since.get(part) %}
    select '{{ part }}' as obs_part, part_rows.*
    from (
        {{ kpi_observation_rows(part) | indent(8) }}
    ) as part_rows
    {%- if since is not none %}
    where obs_month >= {{ since }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
)

select
    cast(obs_part as varchar) as obs_part,
    cast(indicator_code as varchar) as indicator_code,
    cast(year(obs_month) as integer) as obs_year,
    cast(count(*) as bigint) as n_observations,
    sum(hash(
        obs_month, origin_level, origin_code, gender, subject_id, person_id, numerator,
        denominator, eligible_from
    )::hugeint) as observations_hash,
    cast(count(eligible_from) as bigint) as n_eligible_from,
    -- rows breaking a rule (their meaning: tests/kpi/rules_int_kpi_observations.sql)
    cast(count(*) filter (where subject_id is null and person_id is not null) as bigint)
        as n_person_without_subject,
    cast(count(*) filter (
        where subject_id is not null
            and (coalesce(numerator, 0) not in (0, 1) or coalesce(denominator, 0) not in (0, 1))
    ) as bigint) as n_subject_not_0_or_1,
    cast(count(*) filter (where gender is not null and gender not in ('kvinnor', 'man')) as bigint)
        as n_unknown_gender
from observations
group by all
