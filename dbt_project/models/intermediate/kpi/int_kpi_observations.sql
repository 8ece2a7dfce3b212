{{ config(materialized="view") }}

-- All KPI observations in one long table, the single input of the period × area × gender
-- fan-out in fct_indicator_value. One row is what one subject (household, person, case,
-- measure, respondent, employee) contributes to an indicator in one month, recorded where it
-- happened (origin: a stadsdel_kod, or an enhet_kod for staff data):
--   numerator / denominator  what the row adds; rows without subject_id are denominators only
--                            (population), always summed;
--   person_id                who is counted in n_individuals (distinct);
--   eligible_from            the row counts only in periods ending on or after this date
--                            (e.g. a 90-day deadline).

{% set parts = [
    'int_kpi_obs_households',
    'int_kpi_obs_recipients',
    'int_kpi_obs_population',
    'int_kpi_obs_cases',
    'int_kpi_obs_measures',
    'int_kpi_obs_staff',
    'int_kpi_obs_surveys',
    'int_kpi_obs_kolada',
    'int_kpi_obs_services',
    'int_kpi_obs_budget',
] %}

{% for part in parts %}
select
    cast(indicator_code as varchar) as indicator_code,
    cast(obs_month as date) as obs_month,
    cast(origin_level as varchar) as origin_level,
    cast(origin_code as varchar) as origin_code,
    cast(gender as varchar) as gender,
    cast(subject_id as varchar) as subject_id,
    cast(person_id as varchar) as person_id,
    -- exact decimals (every contribution is whole or has at most 4 decimals: kronor, hours):
    -- sums of doubles depend on the order DuckDB's parallel aggregation meets them, and the
    -- published figures must be identical from one refresh of the same data to the next
    cast(numerator as decimal(38, 4)) as numerator,
    cast(denominator as decimal(38, 4)) as denominator,
    cast(eligible_from as date) as eligible_from
from {{ ref(part) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
